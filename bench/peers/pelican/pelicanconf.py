"""Pelican side of the Dateline benchmark: the same pages Dateline renders, as far as Pelican allows.

bench/run.py copies this folder next to the generated content/ of each Pelican bench site.
Countries are Pelican "authors" (the only multi-valued taxonomy Pelican has with its own pages,
pagination and feeds); categories are switched off.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))

SITENAME = "Dateline bench"
SITEURL = "https://example.org"
RELATIVE_URLS = False
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%A %-d %B %Y"
THEME = os.path.join(HERE, "theme")
PATH = os.path.join(HERE, "content")
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = []
STATIC_PATHS = []
DEFAULT_CATEGORY = "news"
USE_FOLDER_AS_CATEGORY = False
MARKDOWN = {
    "extension_configs": {"markdown.extensions.extra": {}, "markdown.extensions.meta": {}},
    "output_format": "html5",
}
SUMMARY_MAX_LENGTH = 50

# Pretty URLs, same shapes as Dateline's.
ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "countries/{slug}/"
AUTHOR_SAVE_AS = "countries/{slug}/index.html"
AUTHORS_URL = "countries/"
AUTHORS_SAVE_AS = "countries/index.html"
CATEGORY_URL = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
# Daily archives, one unpaginated page per day.
DAY_ARCHIVE_URL = "{date:%Y}/{date:%m}/{date:%d}/"
DAY_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/index.html"
DIRECT_TEMPLATES = ["index", "tags", "authors", "sitemap"]
SITEMAP_SAVE_AS = "sitemap.xml"

DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {"index": None, "tag": None, "author": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Atom feeds: the site, each tag, each country; 20 entries with full content.
FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = 20
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ATOM = None
FEED_RSS = None
FEED_ALL_RSS = None
TAG_FEED_ATOM = "tags/{slug}/atom.xml"
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = "countries/{slug}/atom.xml"
AUTHOR_FEED_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

# Pelican's own incremental build: cache parsed articles between runs (checked by mtime).
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CACHE_PATH = os.path.join(HERE, "cache")
