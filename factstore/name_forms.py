"""A legal form in the name asked for says whose name it is (resolver.py): "Ribeiro Ltda."
is a company's, not the town Ribeiro's, when no town the store holds has a form in its
name while its companies' names have that form. Read from the store's own names, never
from a table of kinds: a kind is formless when it has FORMLESS_FROM entities or more and
not one of their names ends in a legal form (of the first FORMLESS_SEEN_MOST: a town of
100k names is not read whole).

For that, only a form written as one counts: with a dot or a slash ("Ltda.", "A/S", "S.A.")
or in capitals unlike a plain word ("GmbH", "ApS", "AG" in "Müller AG"). A lower-case or
capitalised word that happens to be a form is a name as often as not: the surname Sau (the
Spanish S.A.U.), Sá (S.A.), and every word of a name typed in lower case. Any form counts
beside a longer name that has it (formed_rivals): "Krupka sro" may be Krupka Nářadí
s.r.o., not only the town Krupka (if it is the surname, both are asked about)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from factstore.name_keys import legal_form

if TYPE_CHECKING:
    from factstore.evidence import Evidence

FORMLESS_FROM = 20  # entities of a kind, none with a form, for the kind to have none
FORMLESS_SEEN_MOST = 2_000  # names of a kind looked at


def written_as_form(query: str) -> bool:
    """Is the legal form a query ends in (the caller's legal_form of it) written as one (see
    the module's docstring)?"""
    words = query.split()
    if len(words) < 2:
        return False
    last = words[-1]
    if "." in last or "/" in last:
        return True
    return last not in (last.lower(), last.capitalize()) and not query.isupper()


def forms_by_kind(entities: Iterable[Mapping[str, Any]]) -> dict[str, tuple[int, set[str]]]:
    """Per kind: how many of its names were read (FORMLESS_SEEN_MOST at most, in the store's
    order: the same answer whatever was asked before), and the legal forms they end in."""
    seen: dict[str, int] = {}
    forms: dict[str, set[str]] = {}
    for row in entities:
        kind = row["kind"]
        n = seen[kind] = seen.get(kind, 0) + 1
        if n <= FORMLESS_SEEN_MOST and (form := legal_form(row["name"])):
            forms.setdefault(kind, set()).add(form)
    return {k: (min(n, FORMLESS_SEEN_MOST), forms.get(k, set())) for k, n in seen.items()}


def weigh_form(found: Mapping[str, Evidence], entities: Mapping[str, Mapping[str, Any]],
               kinds: Mapping[str, tuple[int, set[str]]], form: str, written: bool = True
               ) -> set[str]:
    """A candidate of a formless kind is not of the kind the query's form asks for, when
    the store's names of another kind have that form (its companies: a store whose names
    all go without one, "Globex" for "Globex Corp.", says nothing of whose a form is); for a
    form not `written` as one (written_as_form), only beside a longer name with it. Returns
    the candidates whose name has the form (formed_rivals)."""
    if not any(form in forms for _, forms in kinds.values()):
        return set()
    if written:  # (the kind's count says it is formless only of a form written as one)
        for entity, evidence in found.items():
            seen, forms = kinds.get(entities[entity]["kind"], (0, set()))
            if seen >= FORMLESS_FROM and not forms and evidence.kind_differs is None:
                evidence.kind_differs = (f"the name asked for ends in a legal form; no "
                                         f"{entities[entity]['kind']} has one")
    return formed_rivals(found, entities, kinds, form)


def formed_rivals(found: Mapping[str, Evidence], entities: Mapping[str, Mapping[str, Any]],
                  kinds: Mapping[str, tuple[int, set[str]]], form: str) -> set[str]:
    """The candidates whose own name ends in the form the query is written with, by the
    query's first words ("Krupka Nářadí s.r.o." for "Krupka s.r.o."), when an exact hit on
    the name without its form is of another kind none of whose names has a form (the town
    Krupka, however few towns the store holds: weigh_form needs FORMLESS_FROM of them to say
    so on its own): that hit is then not of the kind asked for, and they are kept beside it,
    not cut short. None otherwise (an exact hit beats longer names, as ever)."""
    rivals = {entity for entity, evidence in found.items()
              if evidence.level in ("leading_words", "words")
              and legal_form(entities[entity]["name"]) == form}
    theirs = {entities[entity]["kind"] for entity in rivals}
    ruled_out = False
    for entity, evidence in found.items():
        kind = entities[entity]["kind"]
        formless = kind in kinds and not kinds[kind][1]  # (no name of the kind read has one)
        if rivals and entity not in rivals and kind not in theirs and formless \
                and evidence.kind_differs is None:
            first = min(entities[rival]["name"] for rival in rivals)
            evidence.kind_differs = (
                f"the name asked for ends in a legal form, as {first!r}"
                f"{f' and {len(rivals) - 1} more' if len(rivals) > 1 else ''} "
                f"{'does' if len(rivals) == 1 else 'do'}; no {kind} has one")
            ruled_out = True
    if not ruled_out:
        return set()
    for entity in rivals:  # the form is not said of the name met exactly: the name asked
        found[entity].cut_short = None  # for is theirs cut short ("Krupka s.r.o.")
    return rivals


__all__ = ["FORMLESS_FROM", "FORMLESS_SEEN_MOST", "formed_rivals", "forms_by_kind",
           "weigh_form", "written_as_form"]
