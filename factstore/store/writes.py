"""Writes of knowledge: add and settings (imports are imports.py; corrections and
retractions corrections.py). Each is one transaction and one Dolt commit by its author; a
failed write leaves the store exactly as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factstore.authors import check_author
from factstore.backends.base import Tx
from factstore.errors import InvalidInput, NotFound, Refused
from factstore.models import (
    COLUMN_OF,
    MODELS,
    Alias,
    Definition,
    Entity,
    Fact,
    KnowledgeBatch,
    Relation,
    Rule,
    Source,
    WriteResult,
    optional_columns,
)
from factstore.schema import (
    FISCAL_START,
    SINGULAR,
    TABLES,
    Row,
    table_for_id,
    alias_spellings,
    dump_spellings,
)
from factstore.store.core import StoreCore
from factstore.store.corrections import check_value
from factstore.store.core import message as commit_message
from factstore.store.imports import Imports, keep_omitted, set_config
from factstore.store.names import Names

if TYPE_CHECKING:
    from factstore.store import FactStore

Item = Source | Entity | Alias | Relation | Definition | Fact | Rule


class Writes:
    def __init__(self, core: StoreCore, names: Names, imports: Imports) -> None:
        self.core = core
        self.names = names
        self.imports = imports

    def add(self, item: Item, *, author: str | None, reason: str | None = None,
            update: bool = False) -> WriteResult:
        """A new item; one whose key exists is refused unless `update` says to replace it.
        Replacing keeps the stored value of every field the item leaves out (an explicit
        None clears it)."""
        section = next(s for s, model in MODELS.items() if type(item) is model)
        table = TABLES[section]
        batch = KnowledgeBatch.of(section, item)
        row = getattr(batch, section)[0]
        found = self.core.select(table.name, table.where_key(), table.key_of(row), None)
        stored = found[0] if found else None
        spellings = alias_spellings(stored) if stored and section == "aliases" else []
        verb = "Update" if stored else "Add"
        if stored is not None and spellings and row["alias"] not in {
                s["alias"] for s in spellings}:
            # another spelling of a name the entity has: kept beside the others
            row.update({**stored, "spellings": dump_spellings([*spellings[1:], row])})
            verb = "Add a spelling of"
        elif stored is not None and not update:
            how = "`facts correct`, or " if section in ("facts", "definitions") else ""
            raise Refused(f"{table.item_id(row)} exists; use {how}`facts add "
                          f"{table.singular} … --update` to replace it")
        elif stored is not None:
            unset = [c for n, c in optional_columns(type(item)).items()
                     if n not in item.model_fields_set]
            if spellings and row["alias"] != stored["alias"]:  # one of the further spellings
                row.update({**stored, "spellings": dump_spellings(
                    [_updated(s, row, unset) if s["alias"] == row["alias"] else s
                     for s in spellings[1:]])})
            else:
                keep_omitted(table, row, stored, [*unset, *(
                    ["spellings"] if section == "aliases" else [])])
        if section == "facts":
            check_value(row["value"], row["value_type"])
        return self.imports.import_batch(batch, author=author, reason=reason,
                                         message=f"{verb} {table.singular}")

    # -- settings -------------------------------------------------------------------------

    def set_config(self, name: str, value: str, *, author: str | None,
                   reason: str | None = None) -> WriteResult:
        who = check_author(author)
        if name != FISCAL_START:
            raise InvalidInput(f"config: unknown setting {name!r} (known: {FISCAL_START})")
        if not value.isdigit() or not 1 <= int(value) <= 12:
            raise InvalidInput(f"{name}: expected a month number 1-12, got {value!r}")

        def body(tx: Tx) -> str | None:
            if set_config(tx, name, str(int(value)), who, reason) is None:
                return None
            return commit_message(f"Set {name} = {int(value)}", reason, None)

        commit = self.core.write(body, who)
        return WriteResult(commit=commit, changed=[f"config:{name}"] if commit else [])


def _updated(spelling: Row, row: Row, unset: list[str]) -> Row:
    """A further spelling of an alias as `add alias … --update` leaves it: the fields the
    item set, the others as they were."""
    return {k: spelling[k] if k in unset else row[k] for k in spelling}


def item_of_fields(store: FactStore, kind: str, fields: dict[str, Any], *,
                   update: bool = False) -> Item:
    """The item `facts add KIND --field …` means, for FactStore.add. With update, a required
    field left out is the stored row's, found by the given id: changing a rule's text needs
    its id and text, not its applies_to again (an optional field left out already keeps its
    stored value). Without update, or with no such row, the model names what is missing."""
    section = SINGULAR.get(kind, kind)
    if section not in MODELS:
        raise InvalidInput(f"kind: unknown kind {kind!r}")
    model = MODELS[section]
    missing = [n for n, f in model.model_fields.items()
               if f.is_required() and fields.get(n) is None]
    if update and missing and fields.get("id") is not None and "id" in TABLES[section].key:
        try:
            stored = store.get(fields["id"])
        except NotFound:
            stored = None
        if stored is not None and table_for_id(fields["id"]) is TABLES[section]:
            fields = {**fields, **{n: stored[COLUMN_OF.get(n, n)] for n in missing}}
    item = model.model_validate({n: v for n, v in fields.items() if v is not None})
    return item  # type: ignore[return-value]


__all__ = [
    "Item", "Writes", "item_of_fields"
]
