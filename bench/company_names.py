"""A generated, labelled set of business names with a city as context.

Written for the resolver bench (see resolver_sets.py), seeded, never stored in the repository.
It is meant to be hard in the ways real company names are, not in the ways this resolver
happens to handle:

- companies in 12 countries, each with that country's legal forms (GmbH, AG, Inc., Corp.,
  LLC, Ltd, plc, S.A., SAS, B.V., N.V., A/S, AB, Oy, S.p.A. …), a city, often a sector word;
- families that share a distinctive word (Kestrel Logistics in Berlin, Kestrel Analytics in
  London), and the same name in two countries with two legal forms (Acme GmbH, Acme Inc.);
- names with ü ö ä ß ø å æ é, queried as written or transliterated (ue/u, oe/o, ss …);
- aliases of kind abbreviation (initials), ticker ("NASDAQ: KSTL" or "KSTL"), code
  ("CUST-1234") and former (a name given up on a date);
- queries: the name as stored, without its legal form, another spelling of the form, case
  changed, the short name alone, a typo, a transliteration, "and" for "&", the initials, the
  ticker, the code, the former name; always with the city as context (as the reviewers'
  held-out set has it), local or English ("München", "Munich"), sometimes inside a sentence,
  sometimes another city of the same country;
- names NOT in the store: a quarter of the companies are left out (their full names, with and
  without legal form, typos, case), and business terms written in capitals ("ARR", "EBITDA",
  "KPI") that no stored name or alias is spelled as: a term that is a stored company's
  initials or ticker symbol ("MRR" of "NASDAQ: MRR") is that company's name too, not a name
  NOT in the store, and is left out.
"""

from __future__ import annotations

import random
import sys
import unicodedata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from factstore.resolver import acronym, normalize, spellings
from resolver_sets import SEED, LabelledSet, Query, absent

COMPANIES = 3_600

CITIES = {  # country -> [(local name, English name or None)]
    "DE": [("Berlin", None), ("München", "Munich"), ("Köln", "Cologne"), ("Hamburg", None),
           ("Düsseldorf", "Dusseldorf"), ("Nürnberg", "Nuremberg"), ("Frankfurt", None)],
    "CH": [("Zürich", "Zurich"), ("Genève", "Geneva"), ("Basel", None), ("Bern", None)],
    "DK": [("København", "Copenhagen"), ("Århus", "Aarhus"), ("Odense", None)],
    "NO": [("Oslo", None), ("Tromsø", "Tromso"), ("Bergen", None)],
    "SE": [("Malmö", "Malmo"), ("Göteborg", "Gothenburg"), ("Stockholm", None)],
    "US": [("New York", None), ("Boston", None), ("Austin", None), ("Chicago", None),
           ("Seattle", None), ("San Francisco", None), ("Denver", None)],
    "GB": [("London", None), ("Leeds", None), ("Manchester", None), ("Edinburgh", None)],
    "FR": [("Paris", None), ("Lyon", None), ("Marseille", None), ("Besançon", None)],
    "NL": [("Amsterdam", None), ("Rotterdam", None), ("Den Haag", "The Hague")],
    "IT": [("Milano", "Milan"), ("Roma", "Rome"), ("Torino", "Turin")],
    "FI": [("Helsinki", None), ("Espoo", None)],
    "ES": [("Madrid", None), ("Barcelona", None), ("Sevilla", "Seville")],
}
COUNTRIES = {"DE": "Germany", "CH": "Switzerland", "DK": "Denmark", "NO": "Norway",
             "SE": "Sweden", "US": "United States", "GB": "United Kingdom", "FR": "France",
             "NL": "Netherlands", "IT": "Italy", "FI": "Finland", "ES": "Spain"}
LEGAL = {  # country -> (legal forms, other spellings of them a query may use)
    "DE": ["GmbH", "AG", "KG", "GmbH & Co. KG", "SE"], "CH": ["AG", "SA", "GmbH"],
    "DK": ["A/S", "ApS"], "NO": ["AS", "ASA"], "SE": ["AB"],
    "US": ["Inc.", "Corp.", "Corporation", "LLC", "Incorporated", "Co."],
    "GB": ["Ltd", "Limited", "plc", "LLP"], "FR": ["SA", "SAS", "SARL"],
    "NL": ["B.V.", "N.V."], "IT": ["S.p.A.", "S.r.l."], "FI": ["Oy", "Oyj"],
    "ES": ["S.A.", "S.L."],
}
RESPELL = {"Inc.": "Incorporated", "Incorporated": "Inc", "Corp.": "Corporation",
           "Corporation": "Corp", "Ltd": "Limited", "Limited": "Ltd.", "Co.": "Company",
           "GmbH": "G.m.b.H.", "B.V.": "BV", "N.V.": "NV", "S.p.A.": "SpA", "S.A.": "SA",
           "A/S": "AS", "plc": "PLC", "AG": "A.G."}
EXCHANGES = {"DE": "XETRA", "CH": "SIX", "DK": "OMXC", "NO": "OSE", "SE": "OMXS",
             "US": "NASDAQ", "GB": "LSE", "FR": "EPA", "NL": "AMS", "IT": "BIT", "FI": "HEL",
             "ES": "BME"}
BIRDS = ("Kestrel Tern Sparrow Heron Osprey Falcon Wren Finch Plover Curlew Merlin Harrier "
         "Lark Raven Swift Egret Ibis Crane Gannet Petrel Puffin Avocet Dunlin Linnet").split()
PLACES = ("Meridian Summit Harbor Northgate Ridgeway Bluewater Cedar Aspen Granite Silverline "
          "Westbrook Eastfield Highland Lakeside Stonebridge Oakridge Redwood Clearwater "
          "Brightwater Ironwood Fairhaven Kingsley Ashford Whitmore Halden Norrland").split()
FAMILIES = ("Müller Schröder Bäcker Köhler Weiß Strauß Jørgensen Søndergaard Bjørnstad "
            "Åkerlund Dæhli Lefèvre Nuñez Peña Großmann Hübner Jäger Krüger Löwe Fröhlich "
            "Østergaard Håkansson Lindqvist Møller Brødrene Citroën Gödel Düring").split()
SYLLABLES = ("vex or qua ntix zen trik nor lis pra xa lu mo ra ven tel cor dia nex vi ta bel "
             "dor kan sil mar tes fin gal rho sen ul ty").split()
SECTORS = ("Logistics Logistik Systems Analytics Health Medical Pharma Foods Energy Capital "
           "Partners Holdings Group Industries Software Technologies Engineering Consulting "
           "Bank Insurance Freight Shipping Robotics Labs Retail Media Biotech Materials "
           "Solutions Networks Instruments Semiconductors Airlines Motors Chemicals").split()
COMMON_WORDS = frozenset(BIRDS + PLACES + FAMILIES)
TERMS = ("ARR MRR KPI EBIT EBITDA NPS SLA CAC LTV ROI OKR GMV ERP SKU CAPEX OPEX YOY QOQ "
         "TCV ACV NRR GRR CSAT SOW RFP MSA NDA").split()
TRANSLITERATE = [str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "ß": "ss", "ø": "oe",
                                "å": "aa", "æ": "ae", "Ü": "Ue", "Ö": "Oe", "Ä": "Ae",
                                "Ø": "Oe", "Å": "Aa", "Æ": "Ae"}),
                 str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "ß": "ss"})]


def _plain(text: str) -> str:
    """Accents dropped the way a keyboard without them would: ü -> u, ø -> o."""
    text = text.translate(TRANSLITERATE[1])
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def _invented(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    at = rng.randrange(1, len(w) - 1)
    edit = rng.choice(["swap", "drop", "double", "replace"])
    if edit == "swap":
        w = w[:at] + w[at + 1] + w[at] + w[at + 2:]
    elif edit == "drop":
        w = w[:at] + w[at + 1:]
    elif edit == "double":
        w = w[:at] + w[at] + w[at:]
    else:
        w = w[:at] + rng.choice("aeioulnrst") + w[at + 1:]
    words[i] = w
    return " ".join(words)


def _company(rng: random.Random, i: int, bases: list[tuple[str, str, str]]
             ) -> dict[str, Any]:
    """One company: a short name (distinctive words), maybe a sector word, a legal form."""
    country = rng.choice(list(CITIES))
    roll = rng.random()
    common = [b for b in bases if all(w in COMMON_WORDS for w in b[0].split())]
    if common and roll < 0.05:  # the same name in another country (two Acmes): names made
        short, sector, home = rng.choice(common)  # of common words, as such names are
        country = rng.choice([c for c in CITIES if c != home])
    elif bases and roll < 0.13:  # a family: the same distinctive word, another sector
        short, sector = rng.choice(bases)[0], rng.choice(SECTORS)
    else:
        roll = rng.random()
        words = rng.choice([BIRDS, PLACES, FAMILIES])
        if roll < 0.45:  # an invented word, sometimes with a second word
            short = _invented(rng)
            if rng.random() < 0.25:
                short += " " + rng.choice([_invented(rng), rng.choice(words)])
        elif roll < 0.88:  # two words
            short = f"{rng.choice(words)} {rng.choice([_invented(rng), rng.choice(PLACES)])}"
        else:  # one common word: shared by several companies, as "Summit" is
            short = rng.choice(words)
        if words is FAMILIES and short in FAMILIES and rng.random() < 0.3:
            short += rng.choice([" & Söhne", " & Sons", " & Partner", " Brothers"])
        sector = rng.choice(SECTORS) if rng.random() < 0.75 else ""
        bases.append((short, sector, country))
    legal = rng.choice(LEGAL[country]) if rng.random() < 0.85 else ""
    city = rng.choice(CITIES[country])
    name = " ".join(p for p in (short, sector, legal) if p)
    return {"id": f"co{i}", "kind": rng.choice(["customer", "customer", "supplier", "partner"]),
            "name": name, "short": short, "sector": sector, "legal": legal,
            "country": country, "city": city}


def _aliases(rng: random.Random, c: dict[str, Any], taken: set[str]
             ) -> list[tuple[str, str, str | None]]:
    """(alias, kind, valid_to) of one company; tickers and codes are unique, as they are."""
    found: list[tuple[str, str, str | None]] = []
    words = [w for w in f"{c['short']} {c['sector']}".split() if w[0].isalpha()]
    if len(words) >= 3 and rng.random() < 0.3:
        found.append(("".join(w[0] for w in words).upper(), "abbreviation", None))
    if rng.random() < 0.12:
        letters = [ch for ch in _plain(c["short"]).upper() if ch.isalpha()]
        symbol = letters[0] + "".join(ch for ch in letters[1:] if ch not in "AEIOU")[:3]
        if len(symbol) >= 3 and symbol not in taken:
            taken.add(symbol)
            ticker = f"{EXCHANGES[c['country']]}: {symbol}" if rng.random() < 0.6 else symbol
            found.append((ticker, "ticker", None))
    if rng.random() < 0.1:
        old = f"{rng.choice(PLACES)} {rng.choice(SECTORS)}"
        found.append((old, "former", f"20{rng.randint(15, 25)}-0{rng.randint(1, 9)}-30"))
    if rng.random() < 0.2:
        found.append((f"CUST-{1000 + int(c['id'][2:])}", "code", None))
    return found


def _variants(rng: random.Random, c: dict[str, Any],
              aliases: list[tuple[str, str, str | None]], stored: bool) -> list[str]:
    """The ways one company is named in queries (names not in the store: full names only)."""
    name, short, sector, legal = c["name"], c["short"], c["sector"], c["legal"]
    bare = " ".join(p for p in (short, sector) if p)
    ways = [name, bare, _typo(name, rng), _typo(bare, rng), rng.choice([name.upper(),
                                                                         name.lower()])]
    if legal in RESPELL:
        ways.append(f"{bare} {RESPELL[legal]}")
    if _plain(name) != name:
        ways += [name.translate(TRANSLITERATE[0]), _plain(name)]
    if "&" in name:
        ways.append(name.replace("&", "and"))
    if stored:
        ways += [short] * (sector != "" or legal != "")
        for alias, kind, _ in aliases:
            if kind == "ticker":
                ways.append(alias.split(": ")[-1])
            elif kind in ("abbreviation", "former", "code"):
                ways.append(alias)
    return ways


def _context(rng: random.Random, c: dict[str, Any]) -> str:
    local, english = c["city"]
    if rng.random() < 0.05:  # another office of it, in the same country
        local, english = rng.choice(CITIES[c["country"]])
    city = english if english and rng.random() < 0.5 else local
    if rng.random() < 0.3:
        return rng.choice(["renewal for the {} office", "{} team, Q3 review",
                           "invoice from {}", "meeting in {} next week"]).format(city)
    return city


def generate() -> LabelledSet:
    rng = random.Random(SEED)
    bases: list[tuple[str, str, str]] = []
    labelled = LabelledSet("companies", [])
    for country, cities in CITIES.items():
        labelled.entities.append({"id": f"country:{country}", "kind": "country",
                                  "name": COUNTRIES[country]})
        for local, english in cities:
            cid = _city_id(local)
            labelled.entities.append({"id": cid, "kind": "city", "name": local})
            labelled.relations.append({"src_id": cid, "rel": "in_country",
                                       "dst_id": f"country:{country}"})
            if english:
                labelled.aliases.append(_alias(cid, english, "name", None))
    keys: set[str] = set()
    taken: set[str] = set()
    seen: set[tuple[str, str]] = set()  # one company of a name in a city, as registries have it
    for i in range(COMPANIES):
        c = _company(rng, i, bases)
        while (normalize(c["name"]), c["city"][0]) in seen:
            c = _company(rng, i, bases)
        seen.add((normalize(c["name"]), c["city"][0]))
        aliases = _aliases(rng, c, taken)
        stored = not absent(c["id"])
        if stored:
            labelled.entities.append({k: c[k] for k in ("id", "kind", "name")})
            labelled.relations.append({"src_id": c["id"], "rel": "located_in",
                                       "dst_id": _city_id(c["city"][0])})
            labelled.aliases += [_alias(c["id"], a, k, v) for a, k, v in aliases]
            keys |= _keys(c["name"], aliases)
        ways = list(dict.fromkeys(_variants(rng, c, aliases, stored)))
        for text in rng.sample(ways, min(len(ways), rng.randint(1, 3))):
            labelled.queries.append(Query(text, _context(rng, c), c["id"], stored))
    for term in TERMS:
        # a stored name or alias is spelled so (a ticker "NASDAQ: MRR", initials): the store
        # holds the term, and whoever asks it may mean that company - not a name NOT stored
        if any(k in keys for k in spellings(term)):
            continue
        for context in (None, "FY26-Q3 board deck", "Munich"):
            labelled.queries.append(Query(term, context, f"term:{term}", False))
    return labelled


def _keys(name: str, aliases: list[tuple[str, str, str | None]]) -> set[str]:
    """Every key a stored company is met under exactly: each spelling of its name and
    aliases, their initials, and the symbol of a ticker ("mrr" of "NASDAQ: MRR")."""
    keys: set[str] = set()
    for text, kind in [(name, "name"), *((a, k) for a, k, _ in aliases)]:
        keys.update(spellings(text))
        keys.update(k for k in [acronym(normalize(text))] if k)
        if kind == "ticker":
            keys.add(normalize(text.split(": ")[-1]))
    return keys


def _alias(entity: str, alias: str, kind: str, valid_to: str | None) -> dict[str, Any]:
    return {"entity_id": entity, "alias": alias, "normalized": normalize(alias)[:255],
            "alias_kind": kind, "valid_from": None, "valid_to": valid_to}


def _city_id(local: str) -> str:
    return f"city:{normalize(local).replace(' ', '-')}"
