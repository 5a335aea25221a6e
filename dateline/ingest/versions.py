"""Agency stories over time: newer versions, kills and embargoes of stories imported before.

An agency resends a story as new versions under the same id (guid/uri): writethrus, corrections, kills.
What a newer version does to the article an earlier one became:

- unedited since import: rewritten in place (same file, same URL), the first publication kept as `date`
  and the version's time as `updated`;
- edited by an editor: kept as it is, and the report says a newer version is waiting;
- a kill or withdrawal (pubStatus canceled/withheld): the article becomes a draft, edited or not (an
  agency kill is a legal instruction), by changing its `draft:` line alone.

Embargoed stories are written as drafts; the first import after the embargo lifts publishes the ones
nobody edited meanwhile. A kill that arrives before its story is remembered, so the story, when it comes,
is imported as a draft. Both are kept in content/.agency.json.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from dateline.ingest.formats import CANCELED, FORMAT_NAMES, WITHHELD, Story
from dateline.ingest.formats.values import parse_when
from dateline.ingest.report import Imported, ImportReport
from dateline.ingest.write import AGENCY_STATE, ARTICLES, ManifestEntry, atomic_write, sha256
from dateline.yamlutil import SafeLoader

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\n)---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_DRAFT_LINE = re.compile(r"^draft:.*(?:\n|\Z)", re.MULTILINE)
_DRAFT_TRUE = re.compile(r"^draft:[ \t]*(?:true|yes|on)[ \t]*\r?$", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class AgencyArticle:
    """An article imported from an agency story: where it is and which version it holds."""

    path: Path
    version: int | None
    version_created: dt.datetime | None


class AgencyArticles:
    """content/articles by agency id (imported_from.guid), read when first needed."""

    def __init__(self, site_dir: Path) -> None:
        self._site_dir = site_dir
        self._by_guid: dict[str, AgencyArticle] | None = None

    def get(self, guid: str) -> AgencyArticle | None:
        if self._by_guid is None:
            self._by_guid = _scan(self._site_dir)
        return self._by_guid.get(guid)

    def record(self, guid: str, imported: AgencyArticle) -> None:
        if self._by_guid is not None:
            self._by_guid[guid] = imported


class AgencyState:
    """What importing agency stories needs beyond plain copy: their articles by id, pending embargoes
    (article -> ISO time), kills of stories not imported yet (id -> the kill's file), the clock."""

    def __init__(self, site_dir: Path, now: dt.datetime) -> None:
        self.articles = AgencyArticles(site_dir)
        self.embargoes, self.killed = _load_state(site_dir)
        self._saved = (dict(self.embargoes), dict(self.killed))
        self.now = now

    def save(self, site_dir: Path) -> None:
        if (self.embargoes, self.killed) != self._saved:
            state = {"embargoes": dict(sorted(self.embargoes.items())), "killed": dict(sorted(self.killed.items()))}
            data = json.dumps(state, indent=1, ensure_ascii=False) + "\n"
            atomic_write(site_dir / AGENCY_STATE, data.encode("utf-8"))
            self._saved = (dict(self.embargoes), dict(self.killed))

    def written(self, story: Story, article: Path, relative: str, embargo: dt.datetime | None) -> None:
        """Remember what STORY became: its article by id, and its embargo when it has one."""
        if story.guid:
            self.articles.record(story.guid, AgencyArticle(article, story.version, story.version_created))
        self.embargoes.pop(relative, None)
        if embargo is not None:
            self.embargoes[relative] = embargo.isoformat()


def _scan(site_dir: Path) -> dict[str, AgencyArticle]:
    found: dict[str, AgencyArticle] = {}
    root = site_dir / ARTICLES
    for path in sorted(root.rglob("*.md")) if root.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        head = _FRONT_MATTER.match(text)
        if head is None or "guid:" not in head.group(1):
            continue  # cheap: most articles are not from an agency feed
        try:
            fields = yaml.load(head.group(1), Loader=SafeLoader)
        except yaml.YAMLError:
            continue  # the build reports a broken article
        source = fields.get("imported_from") if isinstance(fields, dict) else None
        if isinstance(source, dict) and isinstance(source.get("guid"), str):
            version = source.get("version")
            when = source.get("version_created")
            found.setdefault(source["guid"], AgencyArticle(
                path, version if isinstance(version, int) else None,
                parse_when(when if isinstance(when, str) else when.isoformat() if isinstance(when, dt.datetime)
                           else None)))
    return found


def is_newer(story: Story, imported: AgencyArticle) -> bool:
    """A higher version, or (versions unknown or equal) a later versionCreated."""
    if story.version is not None and imported.version is not None and story.version != imported.version:
        return story.version > imported.version
    if story.version_created is not None and imported.version_created is not None:
        try:
            return story.version_created > imported.version_created
        except TypeError:  # one naive, one aware: compare as written
            return story.version_created.replace(tzinfo=None) > imported.version_created.replace(tzinfo=None)
    return False


def is_killed(story: Story) -> bool:
    return story.status in (CANCELED, WITHHELD)


def edited_since_import(path: Path, manifest: dict[str, ManifestEntry], site_dir: Path) -> bool:
    """Whether the file differs from what the importer last wrote there (no record: assume it was edited)."""
    relative = path.relative_to(site_dir).as_posix()
    written = {e.written_sha256 for e in manifest.values() if e.article == relative}
    try:
        return sha256(path.read_bytes()) not in written
    except OSError:
        return True


def rewritten(manifest: dict[str, ManifestEntry], site_dir: Path, path: Path, text: bytes) -> None:
    """Record TEXT as what the importer wrote at PATH, for every manifest entry that points there."""
    relative = path.relative_to(site_dir).as_posix()
    for key, entry in list(manifest.items()):
        if entry.article == relative:
            manifest[key] = ManifestEntry(entry.file, entry.article, sha256(text))


def kept_fields(text: str) -> dict:
    """What a newer version keeps of the article: its slug (the URL), first publication and item number."""
    head = _FRONT_MATTER.match(text)
    try:
        fields = yaml.load(head.group(1), Loader=SafeLoader) if head else None
    except yaml.YAMLError:
        fields = None
    fields = fields if isinstance(fields, dict) else {}
    source = fields.get("imported_from") if isinstance(fields.get("imported_from"), dict) else {}
    kept = {key: fields[key] for key in ("slug", "date", "title") if fields.get(key) is not None}
    if isinstance(source.get("item"), int):
        kept["item"] = source["item"]
    return kept


def set_draft(text: str, draft: bool) -> str:
    """TEXT with its front matter's `draft:` line set (added before the closing '---', or removed)."""
    head = _FRONT_MATTER.match(text)
    if head is None:
        return text
    newline = "\r\n" if head.group().startswith("---\r\n") else "\n"
    front = _DRAFT_LINE.sub("", head.group(1))
    if draft:
        front += f"draft: true{newline}"
    return f"---{newline}{front}---{newline}" + text[head.end():]


def is_draft(text: str) -> bool:
    head = _FRONT_MATTER.match(text)
    return head is not None and _DRAFT_TRUE.search(head.group(1)) is not None


def withdraw(path: Path) -> bytes | None:
    """Make the article at PATH a draft; its bytes now, or None when it has no front matter to change."""
    try:
        text = path.read_bytes().decode("utf-8")  # not read_text(): its newline translation would rewrite CRLF
    except (OSError, UnicodeDecodeError):
        return None
    if _FRONT_MATTER.match(text) is None:
        return None
    if is_draft(text):
        return text.encode("utf-8")
    data = set_draft(text, True).encode("utf-8")
    atomic_write(path, data)
    return data


# --- applying a version -------------------------------------------------------------------------------

Rewrite = Callable[[dict], tuple[dict, bytes]]  # kept fields of the old article -> new front matter, bytes


def apply_version(story: Story, key: str, source: Path, site_dir: Path, manifest: dict[str, ManifestEntry],
                  report: ImportReport, state: AgencyState, rewrite: Rewrite) -> bool:
    """Handle STORY as a version of an article imported before; False when there is none (a new story).
    REWRITE makes the newer version's article from what the old one keeps (slug, date, item)."""
    previous = state.articles.get(story.guid or "")
    if previous is None or not previous.path.is_file():
        if is_killed(story):
            state.killed[story.guid or ""] = source.name
            report.warnings.append(f"{source}: a {FORMAT_NAMES[story.format]} kill of {story.guid}, which is not "
                                   "imported: if it arrives, it is imported as a draft")
            return True
        return False
    article = previous.path
    relative = article.relative_to(site_dir).as_posix()
    edited = edited_since_import(article, manifest, site_dir)
    if is_killed(story):
        state.embargoes.pop(relative, None)  # a killed story must never be published when its embargo lifts
        data = withdraw(article)
        if data is not None and not edited:
            rewritten(manifest, site_dir, article, data)
        if data is None:
            report.warnings.append(f"{relative}: killed by the agency in {source}, but it has no front matter to "
                                   "mark as a draft: unpublish it by hand")
        else:
            report.withdrawn.append(Imported(source, article))
        # an edited article's hash is never recorded: later versions must still see it as edited
        manifest[key] = ManifestEntry(source.name, relative, "" if edited else sha256(article.read_bytes()))
        return True
    if not is_newer(story, previous):
        report.older.append(Imported(source, article))
        return True
    if edited:
        report.waiting.append(Imported(source, article))
        return True
    fields, data = rewrite(kept_fields(article.read_text(encoding="utf-8")))
    atomic_write(article, data)
    rewritten(manifest, site_dir, article, data)
    manifest[key] = ManifestEntry(source.name, relative, sha256(data))
    state.written(story, article, relative, fields.get("embargo"))
    report.updated.append(Imported(source, article))
    return True


# --- embargoes ----------------------------------------------------------------------------------------


def _load_state(site_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    try:
        data = json.loads((site_dir / AGENCY_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    parts = [data.get(key) if isinstance(data, dict) else None for key in ("embargoes", "killed")]
    embargoes, killed = ({str(k): str(v) for k, v in part.items()} if isinstance(part, dict) else {}
                         for part in parts)
    return embargoes, killed


def due_embargoes(embargoes: dict[str, str], now: dt.datetime) -> list[str]:
    due = []
    for relative, when in embargoes.items():
        lifted = parse_when(when)
        if lifted is None or (lifted if lifted.tzinfo else lifted.replace(tzinfo=dt.UTC)) <= now:
            due.append(relative)
    return sorted(due)


def lift_embargoes(site_dir: Path, manifest: dict[str, ManifestEntry], state: AgencyState,
                   report: ImportReport) -> bool:
    """Publish the embargoed drafts whose time has come; True when the manifest changed."""
    changed = False
    for relative in due_embargoes(state.embargoes, state.now):
        del state.embargoes[relative]
        article = site_dir / relative
        if not article.is_file():
            continue  # deleted by an editor
        text = article.read_bytes().decode("utf-8", errors="replace")
        if not is_draft(text):
            continue  # already published by an editor
        if edited_since_import(article, manifest, site_dir):
            report.warnings.append(f"{relative}: its embargo is over, but it was edited since import and is left "
                                   "as it is; remove 'draft: true' to publish it")
            continue
        data = set_draft(text, False).encode("utf-8")
        atomic_write(article, data)
        rewritten(manifest, site_dir, article, data)
        report.released.append(Imported(article, article))
        changed = True
    return changed
