#!/usr/bin/env python3
"""Extract the theme's strings into dateline/locales/dateline.pot and bring every catalog (<code>.po) up to date.

Run by a developer after changing a string in templates/ or in the messages dateline/*.py marks with N_() or
N_plural(), then translate what is new (msgstr "") or marked fuzzy in each catalog:

    .venv/bin/python tools/update_catalogs.py            # update the template and every catalog
    .venv/bin/python tools/update_catalogs.py --new ca   # and start a catalog for Catalan

tests/test_i18n.py fails while the template is out of date or a catalog leaves a string untranslated.
Catalogs are read as .po at build time (dateline/i18n.py): there is nothing to compile.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dateline.i18n import DOMAIN, LOCALES_DIR  # noqa: E402

KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "N_plural": (1, 2)}
METHODS = [("templates/**.html", "jinja2"), ("dateline/i18n.py", "python"), ("dateline/searchstrings.py", "python"),
           ("dateline/scaffold.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "dateline.fragment_cache.FragmentCache,jinja2.ext.do",
                                 "trim_blocks": "true", "lstrip_blocks": "true"}}
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
HEADER = "# The default theme's strings. Update with tools/update_catalogs.py; docs/languages.md explains the rest."


def template_catalog() -> Catalog:
    """Every string of the theme, with where it is used."""
    catalog = Catalog(project="Dateline", domain=DOMAIN, header_comment=HEADER, fuzzy=False,
                      copyright_holder="Dateline's authors", msgid_bugs_address="")
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT, METHODS, OPTIONS, KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def pot_text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    # dates fixed: running the tool again changes nothing unless a string did
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    write_po(out, catalog, width=116, omit_header=False, sort_output=False, no_location=False)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new", metavar="CODE", action="append", default=[],
                        help="start a catalog for this language (a CLDR code: ca, it, pt_BR)")
    options = parser.parse_args()
    template = template_catalog()
    (LOCALES_DIR / f"{DOMAIN}.pot").write_bytes(pot_text(template))
    for code in options.new:
        path = LOCALES_DIR / f"{code}.po"
        if path.exists():
            parser.error(f"{path} exists already")
        catalog = Catalog(locale=code, domain=DOMAIN, project="Dateline", header_comment=HEADER, fuzzy=False)
        path.write_bytes(pot_text(catalog))
    for path in sorted(LOCALES_DIR.glob("*.po")):
        with path.open("rb") as file:
            catalog = read_po(file, locale=path.stem)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.write_bytes(pot_text(catalog))
        missing = [m.id for m in catalog if m.id and not m.string or (isinstance(m.string, tuple) and not all(
            m.string))]
        print(f"{path.relative_to(ROOT)}: {len(catalog)} strings, {len(missing)} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
