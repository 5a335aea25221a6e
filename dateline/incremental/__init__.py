"""Incremental builds: every build's output is byte for byte what a clean build of the same input gives.

The rules that keep it so, each followed from one declaration rather than kept by hand:

1. Caches are keyed by everything besides the site that shapes output (fingerprints.code_version: Dateline's
   code and data, every installed distribution's version, Python's); parsed articles also by the settings
   that parsing reads (content.parsing_settings); compiled templates by the code version.
2. A page's fingerprint is its template (with every template it extends, includes or imports), its path, the
   site's settings, its data and the digest of each article view it shows. A page whose fingerprint did not
   change is neither rendered nor written (rendering.SiteRenderer; trees.OutputTrees keeps two trees and swaps
   them atomically, so output/ is always one whole build).
3. Page data names articles only by their Placement (pages.py): what the page kinds declare they read of an
   article (its URL, dates, terms...), never what it says. Templates read the article's view instead
   (environment.BuildEnvironment.getattr), and packing a page's data refuses anything carrying an article's
   words (snapshot.ArticleContentInPage). So an article's text reaches a page only through a view digest.
4. An edit moves an article when it changes the article's placement digest (snapshot.placement_digest: the
   Placement's fields, which are exactly the declared reads, the slug its URL follows, and whether it is
   published). Adding, removing or renaming a file, or changing the config, templates or code, is a full
   build (still rendering only the pages whose fingerprint changed).
5. Otherwise (edits.py) the site's structure is what the snapshot recorded: the pages to render are exactly
   the stored pages referencing an edited article, with their stored data and the edited articles' new views.

6. What changed since the last build is answered by scan_journal.ScanJournal only when it describes the very file
   state output/ was built from (its signature is the snapshot's) and only for folders whose stamp (mtime,
   ctime, inode) is unchanged and older than the scan that recorded it, on the file system's own clock
   (scan.scan_clock); anything else is listed, stat-ed and compared in full. Every file is stat-ed in every
   build: an edit in place changes no folder.
7. The config is a function of site.yaml's text, --base-url and the code: the build's signature covers those
   (build._site_settings), so a build with nothing to do need not parse it.

tests/test_incremental_declared.py edits every field of every declared taxonomy and article, one at a time,
and compares each incremental build with a clean one, on a site declaring extra taxonomies too.
"""
