"""A second generated set of business names with a city as context, made by Faker
(`pip install faker`), not by this repository's own generator (company_names.py): the names
are Faker's, locale by locale, so their shapes are not the ones the resolver was written
around.

Faker's company names are mostly surnames with a legal form ("Kramer GmbH", "Geisler Sp. z
o.o.", "Thomsen & Kjeldsen ApS", "Nunes Teixeira S/A", "Jaroš Hrubá v.o.s.") or a surname
alone ("Lemaire"), so the same name is often held by several companies in several cities:
the context (the company's city) is what tells them apart, as for the reviewers' held-out
set. Each company is stored with its city (and the city with its country); a quarter of
them are left out of the store (resolver_sets.absent), so their queries are names NOT in
the store. Queries: the name as stored, without its legal form, in other case, without
diacritics, with a typo, "&" written out; with the city as context (sometimes the country
or nothing). Queries that no evidence could tell apart are dropped: a name NOT in the store
that a stored company also has in the same city, and a stored company's name that another
stored company has in the same city, or that a stored company has with a query saying no
more than that company's country, or nothing; a stored company's name that another stored
company has in the same city; and a name NOT in the store that a stored town has (Faker
names towns after surnames too: "Pelletier"). Faker's Italian towns come from a set, so they
are sorted first (else the set would change with the interpreter's hash seed).
"""

from __future__ import annotations

import random
import re
from typing import Any

from company_names import _plain, _typo  # type: ignore[import-not-found]
from resolver_sets import SEED, LabelledSet, Query, absent

from factstore.resolver import normalize

PER_LOCALE = 260
LOCALES = {  # Faker locale -> (country, the words "&" is written as in that language)
    "de_DE": ("Germany", "und"), "de_AT": ("Austria", "und"), "fr_FR": ("France", "et"),
    "pl_PL": ("Poland", "i"), "cs_CZ": ("Czechia", "a"), "it_IT": ("Italy", "e"),
    "es_ES": ("Spain", "y"), "pt_BR": ("Brazil", "e"), "nl_NL": ("Netherlands", "en"),
    "da_DK": ("Denmark", "og"), "sv_SE": ("Sweden", "och"), "fi_FI": ("Finland", "ja"),
    "en_GB": ("United Kingdom", "and"), "en_US": ("United States", "and"),
}
# A legal form ending a name (Faker's spellings), taken off for a query without it.
FORM = re.compile(
    r"\s+(?:GmbH & Co\. (?:KGaA|KG|OHG)|GmbH|AG|KGaA|KG|OHG|e\.G\.|e\.V\.|SA|SAS|SARL|S\.A\.|"
    r"SE|Sp\. z o\.o\.|Sp\.j\.|Sp\.k\.|S\.A\.|s\.c\.|i syn s\.c\.|s\.r\.o\.|a\.s\.|v\.o\.s\.|"
    r"o\.s\.|k\.s\.|s\.r\.l\.|SPA|s\.n\.c\.|s\.a\.s\.|S\.L\.|S\.Coop\.|S\.L\.L\.|S\.A\.U\.|"
    r"S/A|Ltda\.|ME|EIRELI|NV|BV|VOF|A/S|ApS|I/S|AB|HB|KB|Oy|Oyj|Ky|Tmi|Ltd|PLC|LLC|Inc|"
    r"Group|and Sons|Ltd\.|Inc\.)$")


def generate() -> LabelledSet:
    from faker import Faker

    rng = random.Random(SEED)
    made: list[dict[str, Any]] = []
    for locale, (country, and_word) in LOCALES.items():
        fake = Faker(locale)
        fake.seed_instance(SEED)
        for provider in fake.providers:  # it_IT's towns: a list made from a set
            if isinstance(getattr(provider, "cities", None), list):
                provider.cities = sorted(provider.cities)  # type: ignore[attr-defined]
        for _ in range(PER_LOCALE):
            made.append({"id": f"fk{len(made)}", "name": fake.company(), "city": fake.city(),
                         "country": country, "and": and_word})
    labelled = LabelledSet("faker companies", [])
    places: dict[str, dict[str, Any]] = {}
    for company in made:
        if absent(company["id"]):
            continue
        city = f"city:{company['country']}:{company['city']}"
        country = f"country:{company['country']}"
        places.setdefault(city, {"id": city, "kind": "city", "name": company["city"]})
        places.setdefault(country, {"id": country, "kind": "country",
                                    "name": company["country"]})
        labelled.entities.append({"id": company["id"], "kind": "company",
                                  "name": company["name"]})
        labelled.relations += [{"src_id": company["id"], "rel": "located_in", "dst_id": city},
                               {"src_id": city, "rel": "in_country", "dst_id": country}]
    labelled.entities += places.values()
    stored = {e["id"] for e in labelled.entities}
    where: dict[tuple[str, str], list[str]] = {}  # (name, city) -> the stored companies
    countries: dict[str, set[str]] = {}  # name -> the countries of the stored companies
    for company in made:
        if company["id"] in stored:
            where.setdefault((normalize(company["name"]), company["city"]), []).append(
                company["id"])
            countries.setdefault(normalize(company["name"]), set()).add(company["country"])
    placed = {normalize(p["name"]) for p in places.values()}  # Faker's towns: "Pelletier"
    for company in made:
        held = where.get((normalize(company["name"]), company["city"]), [])
        if held != ([company["id"]] if company["id"] in stored else []):
            continue  # nothing could tell it apart from another stored company
        if company["id"] not in stored and normalize(company["name"]) in placed:
            continue  # the store holds a place of that name: it is a name in the store
        for text in _variants(rng, company):
            roll = rng.random()
            context = (company["city"] if roll < 0.8 else company["country"] if roll < 0.9
                       else None)
            held = countries.get(normalize(company["name"]))
            if company["id"] not in stored and held and (context is None or context in held):
                continue  # a stored company's name, and nothing said to tell them apart
            labelled.queries.append(Query(text, context, company["id"],
                                          company["id"] in stored, None))
    return labelled


def _variants(rng: random.Random, company: dict[str, Any]) -> list[str]:
    """Two of the ways a person writes the company's name (the first: as stored, or
    nearly)."""
    name = company["name"]
    bare = FORM.sub("", name)
    ways = [bare if bare != name else name, rng.choice([name.upper(), name.lower()]),
            _typo(name, rng)]
    if _plain(name) != name:
        ways.append(_plain(name))
    if " & " in name:
        ways.append(name.replace("&", company["and"]))
    return [rng.choice([ways[0], name]), rng.choice(ways[1:])]
