"""A legal form in the name asked for says whose name it is (resolver.py): "Ribeiro Ltda."
is a company's, not the town Ribeiro's, when no town the store holds has a form in its
name while its companies' names have that form. Read from the store's own names, never
from a table of kinds: a kind is formless when it has FORMLESS_FROM entities or more and
not one of their names ends in a legal form (of the first FORMLESS_SEEN_MOST: a town of
100k names is not read whole).

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
               kinds: Mapping[str, tuple[int, set[str]]], form: str) -> None:
    """A candidate of a formless kind is not of the kind the query's form asks for, when
    the store's names of another kind have that form (its companies: a store whose names
    all go without one, "Globex" for "Globex Corp.", says nothing of whose a form is)."""
    if not any(form in forms for _, forms in kinds.values()):
        return
    for entity, evidence in found.items():
        seen, forms = kinds.get(entities[entity]["kind"], (0, set()))
        if seen >= FORMLESS_FROM and not forms and evidence.kind_differs is None:
            evidence.kind_differs = (f"the name asked for ends in a legal form; no "
                                     f"{entities[entity]['kind']} has one")


__all__ = ["FORMLESS_FROM", "FORMLESS_SEEN_MOST", "forms_by_kind", "weigh_form",
           "written_as_form"]
