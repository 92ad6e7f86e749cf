"""A legal form in the name asked for says whose name it is (resolver.py): "Ribeiro Ltda."
is a company's, not the town Ribeiro's, when no town the store holds has a form in its
name. Read from the store's own names, never from a table of kinds: a kind is formless when
it has FORMLESS_FROM entities or more and not one of their names ends in a legal form
(of the first FORMLESS_SEEN_MOST: a town of 100k names is not read whole).

Only a form written as one counts: with a dot or a slash ("Ltda.", "A/S", "S.A.") or in
capitals unlike a plain word ("GmbH", "ApS", "AG" in "Müller AG"). A lower-case or
capitalised word that happens to be a form is a name as often as not: the surname Sau (the
Spanish S.A.U.), Sá (S.A.), and every word of a name typed in lower case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from factstore.name_keys import legal_form

if TYPE_CHECKING:
    from factstore.evidence import Evidence

FORMLESS_FROM = 20  # entities of a kind, none with a form, for the kind to have none
FORMLESS_SEEN_MOST = 2_000  # names of a kind looked at


def written_as_form(query: str) -> bool:
    """Does the query end in a legal form written as one (see the module's docstring)?"""
    words = query.split()
    if len(words) < 2 or not legal_form(query):
        return False
    last = words[-1]
    if "." in last or "/" in last:
        return True
    return last not in (last.lower(), last.capitalize()) and not query.isupper()


def formless(entities: Iterable[Mapping[str, Any]], kind: str) -> bool:
    """Has the kind FORMLESS_FROM entities or more, and no legal form in the names of the
    first FORMLESS_SEEN_MOST of them (in the store's order: the same answer whatever was
    asked before)?"""
    seen = 0
    for row in entities:
        if row["kind"] == kind:
            if legal_form(row["name"]):
                return False
            seen += 1
            if seen >= FORMLESS_SEEN_MOST:
                break
    return seen >= FORMLESS_FROM


def weigh_form(found: Mapping[str, Evidence], entities: Mapping[str, Mapping[str, Any]],
               kinds: dict[str, bool]) -> None:
    """A candidate of a formless kind is not of the kind the query's form asks for. `kinds`:
    each kind's answer, filled in as kinds are met."""
    for entity, evidence in found.items():
        kind = entities[entity]["kind"]
        if kind not in kinds:
            kinds[kind] = formless(entities.values(), kind)
        if kinds[kind] and evidence.kind_differs is None:
            evidence.kind_differs = f"the name asked for ends in a legal form; no {kind} has one"


__all__ = ["FORMLESS_FROM", "FORMLESS_SEEN_MOST", "formless", "weigh_form", "written_as_form"]
