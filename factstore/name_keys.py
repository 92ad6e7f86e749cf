"""The keys a name is stored and matched under: case, accents, punctuation, apostrophes and
legal forms folded (normalize(), the key stored in entities/aliases/definitions.normalized),
more legal forms dropped and letters folded for matching (match_key()), every spelling of a
name (spellings()). Read by every exact lookup, which so never imports the resolver's
evidence; factstore.resolver re-exports these names.
"""

from __future__ import annotations

import re
import unicodedata

# Legal-form suffixes dropped when they end a name ("ACME Inc." == "Acme").
LEGAL_SUFFIXES = frozenset(
    "inc incorporated corp corporation co company ltd limited llc llp lp plc gmbh ag sa sas "
    "sarl srl spa nv bv oy ab as kg kgaa pty pte bhd".split()
)
STOPWORDS = frozenset("the of and for a an de der la le".split())
# Particles of people's names that are also a language's everyday "of", "to", "the" ("Katharina
# von Stetten", "Maximilian zu Guttenberg", "Vincent van Gogh"): a question's "von" or "zu" is
# that word, never a sign of a person the store holds ("Umsatz von Müller Kältetechnik").
NAME_PARTICLES = frozenset("von vom zu zum zur van den dem des di da du del della dos das".split())
# Spellings of one legal form, so "Acme Corp" and "Acme Corporation" are the same full name.
LEGAL_FORMS = {"corporation": "corp", "incorporated": "inc", "limited": "ltd",
               "company": "co"}
# More legal forms, dropped for matching only (normalize(), which aliases are stored under,
# keeps them): "Kestrel A/S", "Tern ApS", "Sakura K.K.", "Acme GmbH & Co. KG" match "Kestrel".
MORE_FORMS = frozenset(
    "aps asa oyj se sl kk spa sro sp ltda bhd ab ag "
    # German OHG, UG, GbR, e.V.; French EURL, SNC; Portuguese Lda., Brazilian EIRELI; Finnish
    # Ky, Osk, Tmi; Swedish HB, KB; Dutch VOF; Spanish S.L.U., S.A.U., S.L.L.; Czech v.o.s.,
    # k.s.; Polish s.c. (as full_name() writes them: "e.V." is "ev")
    "ohg ug gbr ev eurl snc lda eireli ky osk tmi hb kb vof slu sau sll vos ks sc".split()
) | LEGAL_SUFFIXES
# Legal forms of several words (as full_name() writes them), kept by normalize() too: the
# Danish and Norwegian A/S, I/S (interessentskab), K/S (kommanditselskab), P/S; S.A., B.V.,
# N.V., K.K.; the Mexican S.A. de C.V. (S.A.B., S.A.P.I. de C.V., S. de R.L. [de C.V.]);
# the Polish, Czech and Spanish ones below.
FORM_RUNS = frozenset({("a", "s"), ("s", "a"), ("k", "k"), ("b", "v"), ("n", "v"),
                       ("i", "s"), ("k", "s"), ("p", "s"),
                       ("sa", "de", "cv"), ("sab", "de", "cv"), ("sapi", "de", "cv"),
                       ("s", "de", "rl"), ("s", "de", "rl", "de", "cv"),
                       # Polish sp. z o.o., sp.j., sp.k., sp.p.; Czech spol. s r.o.;
                       # Spanish S.Coop.
                       ("sp", "z", "oo"), ("sp", "j"), ("sp", "k"), ("sp", "p"),
                       ("spol", "s", "ro"), ("s", "coop")})
FORM_RUN_SIZES = sorted({len(run) for run in FORM_RUNS}, reverse=True)
FORM_RUN_ENDS = frozenset(run[-1] for run in FORM_RUNS)  # "s" of A/S, "cv" of S.A. de C.V.
# Letters NFKD keeps whole, folded for matching only; and the German / Scandinavian way of
# writing without them ("Mueller" for "Müller", "Soendergaard" for "Søndergaard").
FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                      "þ": "th", "ı": "i", "ħ": "h"})
TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ø": "oe", "å": "aa",
                               "æ": "ae", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "Ø": "Oe",
                               "Å": "Aa", "Æ": "Ae"})
SHORT_CAPS = re.compile(r"[A-Z0-9&]{2,5}")  # "ARR", "KSTL", "3M": a term, acronym or ticker


DOTTED_LETTER = re.compile(r"\b(\w)\.(?=\w\.)")
# An apostrophe (typed, typographic, a modifier letter, an accent written for one) between two
# letters is part of the word: "O'Brien" is "obrien" as "OBrien" is, "D’Ávila" "davila",
# "Hawaiʻi" "hawaii". Not before a word's last "s": "Macy's" stays "macy s" (a possessive).
APOSTROPHES = "'’‘ʼʻ`´′"
APOSTROPHE = re.compile(rf"(?<=\w)[{APOSTROPHES}](?=\w)(?![sS]\b)")
NOT_WORD = re.compile(r"[^\w]+")
# NOT_WORD for ASCII text, as a translation table: several times faster than the regex
ASCII_NOT_WORD = str.maketrans({c: " " for c in map(chr, range(128))
                                if not (c.isalnum() or c == "_")})


def full_name(name: str, *, joined: bool = True) -> str:
    """Case, accents, punctuation, '&' and whitespace folded; legal forms spelled one way; an
    apostrophe inside a word dropped (joined=False: as before migration 0005, where it parted
    the word: "o brien")."""
    if joined and has_apostrophe(name):
        name = APOSTROPHE.sub("", name)
    if name.isascii():  # most names: no accents to strip, and lower() is casefold()
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKD", name)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    if "." in text:  # "S.A." and "N.V." are suffixes written with dots: join single letters
        text = DOTTED_LETTER.sub(r"\1", text)
    text = text.translate(ASCII_NOT_WORD) if text.isascii() else NOT_WORD.sub(" ", text)
    return " ".join([LEGAL_FORMS.get(w, w) for w in text.split()])


def has_apostrophe(text: str) -> bool:
    """Whether a text holds one of APOSTROPHES (most names: no)."""
    if text.isascii():
        return "'" in text or "`" in text
    return not _APOSTROPHE_SET.isdisjoint(text)


_APOSTROPHE_SET = frozenset(APOSTROPHES)


def strip_legal_suffix(full: str) -> str:
    if full.rpartition(" ")[2] not in LEGAL_SUFFIXES:  # most names end in no legal form
        return full
    words = full.split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def normalize(name: str) -> str:
    """full_name() with trailing legal suffixes dropped: the key aliases are stored under."""
    return strip_legal_suffix(full_name(name))


def normalize_0004(name: str) -> str:
    """normalize() as stores before migration 0005 hold it: an apostrophe parted a word."""
    return strip_legal_suffix(full_name(name, joined=False))


def acronym(normalized: str) -> str | None:
    """'international business machines' -> 'ibm' (two or more significant words)."""
    words = [w for w in normalized.split() if w not in STOPWORDS]
    return "".join(w[0] for w in words) if len(words) >= 2 else None


def split_form(full: str) -> tuple[str, str]:
    """A full_name() as (name, legal form), with more forms than normalize() drops:
    'acme gmbh and co kg' -> ('acme', 'gmbh and co kg'), 'kestrel a s' -> ('kestrel', 'a s')."""
    last = full.rpartition(" ")[2]
    if last not in MORE_FORMS and last not in FORM_RUN_ENDS and last != "and":  # most names
        return full, ""
    words = full.split()
    end = len(words)
    while end > 1:
        if words[end - 1] in MORE_FORMS or words[end - 1] == "and":  # "gmbh and [co kg]"
            end -= 1
            continue
        if words[end - 1] not in FORM_RUN_ENDS:
            break
        run = next((n for n in FORM_RUN_SIZES
                    if end > n and tuple(words[end - n:end]) in FORM_RUNS), 0)
        if not run:
            break
        end -= run
    if end == len(words):
        return full, ""
    return " ".join(words[:end]), " ".join(words[end:])


def _fold(text: str) -> str:
    return text if text.isascii() else text.translate(FOLD)


def match_key(normalized: str) -> str:
    """The key a normalize()d name is matched under: more legal forms dropped, ø æ folded."""
    return _fold(split_form(normalized)[0])


def spellings(text: str, normalized: str | None = None) -> list[str]:
    """Every exact key of a name: as stored (normalize()), as matched (match_key()), and for a
    name with ä ö ü ø å æ as transliterated ("Müller" is also "mueller")."""
    stored = normalize(text) if normalized is None else normalized
    keys = [stored]
    key = match_key(stored)
    if key != stored:
        keys.append(key)
    if normalized is not None and has_apostrophe(text):  # a key stored before 0005
        for joined in (now := normalize(text), match_key(now)):
            if joined not in keys:
                keys.append(joined)
    if not text.isascii():
        other = match_key(normalize(text.translate(TRANSLITERATE)))
        if other not in keys:
            keys.append(other)
    return keys


def legal_form(text: str) -> str:
    """The legal form a name ends in, spelled one way ('' when none): 'corp' for 'Acme
    Corporation', 'gmbh' for 'Acme G.m.b.H.'."""
    # "a s" (A/S) is "as", "and co" is "co"
    return "".join(w for w in split_form(full_name(text))[1].split() if w != "and")


def short_caps(query: str) -> bool:
    """A token of 2-5 capitals (and digits): an acronym, term or ticker, matched exactly."""
    text = query.strip()
    return bool(SHORT_CAPS.fullmatch(text)) and any(c.isalpha() for c in text)


__all__ = [
    "APOSTROPHE", "APOSTROPHES", "ASCII_NOT_WORD", "DOTTED_LETTER", "FOLD", "FORM_RUNS",
    "FORM_RUN_ENDS", "FORM_RUN_SIZES", "LEGAL_FORMS", "LEGAL_SUFFIXES", "MORE_FORMS",
    "NAME_PARTICLES", "NOT_WORD", "SHORT_CAPS", "STOPWORDS", "TRANSLITERATE", "acronym",
    "full_name",
    "has_apostrophe", "legal_form", "match_key", "normalize", "normalize_0004", "short_caps",
    "spellings", "split_form", "strip_legal_suffix",
]
