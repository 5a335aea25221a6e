"""The search page's script strings in a page's language: the search form hands them to static/js/search.js.

The script carries its English; a page in another language gives it, in a data-strings attribute, the filters'
names, their find boxes' labels, and the status lines, with the plural forms of "N results" keyed by CLDR's
plural categories, which the script picks with the browser's Intl.PluralRules for the page's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dateline.i18n import N_, N_plural

if TYPE_CHECKING:
    from dateline.i18n import Language

# The find box of each default taxonomy's filter (by its singular name); any other filter gets FIND_ANY.
FIND = {"country": N_("Find a country"), "tag": N_("Find a tag"), "source": N_("Find a source"),
        "person": N_("Find a person"), "organisation": N_("Find an organisation")}
FIND_ANY = N_("Find: %(filter)s")
STATUS = {"none": N_("No results"), "for": N_(" for “%(query)s”"), "filtered": N_(" with the filters chosen"),
          "no_match": N_("None matches"), "no_values": N_("None")}
RESULT = N_plural("%(num)s result", "%(num)s results")


def search_strings(language: Language, filters: list[str]) -> dict:
    if language.english_forms and all(language.gettext(m) == m for m in (*STATUS.values(), *FIND.values())):
        return {}
    labels, find = {}, {}
    for name in filters:
        shown = language.gettext(name)
        labels[name] = shown[:1].upper() + shown[1:]
        find[name] = language.gettext(FIND[name]) if name in FIND else language.gettext(FIND_ANY) % {"filter": shown}
    return {"labels": labels, "find": find, **{key: language.gettext(m) for key, m in STATUS.items()},
            "results": _plural_forms(language, *RESULT)}


def _plural_forms(language: Language, singular: str, plural: str) -> dict[str, str]:
    """The catalog's forms of a plural message, by CLDR plural category (one, two, few, many, other...):
    each found by translating a number of that category."""
    rule = language.locale.plural_form
    forms: dict[str, str] = {}
    for number in range(0, 1001):
        category = rule(number)
        if category not in forms:
            forms[category] = language.ngettext(singular, plural, number)
        if len(forms) == len(rule.tags) + 1:  # the tags, and "other"
            break
    return forms
