"""factstore: company knowledge outside model weights, versioned by Dolt.

    from factstore import open_store
    with open_store() as store:
        store.show("def:acv@finance")
"""

# doltlite must be loaded before anything imports sqlite3: it makes its engine the one the
# sqlite3 module talks to.
import os as _os
import typing as _typing

import doltlite  # type: ignore[import-untyped]  # noqa: F401  (for its side effect)

# doltlite 0.51 marks the process as bootstrapped in os.environ even when it loaded itself
# in-process (no LD_PRELOAD). Child processes inherit the marker, skip loading, and open the
# store with the stock SQLite: "file is not a database", or writers waiting forever. Only
# an LD_PRELOAD bootstrap is inherited, so only then may the marker stay.
if "libdoltlite" not in _os.environ.get("LD_PRELOAD", ""):
    _os.environ.pop("_DOLTLITE_BOOTSTRAPPED", None)

from factstore.errors import (
    Ambiguous,
    Conflict,
    FactstoreError,
    InvalidInput,
    NotFound,
    Refused,
)

# The rest is imported on first use (PEP 562): `facts show` needs the store, not the input
# models and pydantic behind them.
_LAZY = {
    "Alias": "factstore.models", "Commit": "factstore.results",
    "ContextPack": "factstore.models", "Definition": "factstore.models",
    "Entity": "factstore.models", "Fact": "factstore.models",
    "KnowledgeBatch": "factstore.models", "PackItem": "factstore.models",
    "Relation": "factstore.models", "Rule": "factstore.models",
    "ShowResult": "factstore.results", "Source": "factstore.models",
    "WriteResult": "factstore.results", "FactStore": "factstore.store",
    "clone_store": "factstore.store", "init_store": "factstore.store",
    "open_store": "factstore.store",
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'factstore' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


if _typing.TYPE_CHECKING:
    from factstore.models import (
        Alias,
        ContextPack,
        Definition,
        Entity,
        Fact,
        KnowledgeBatch,
        PackItem,
        Relation,
        Rule,
        Source,
    )
    from factstore.results import Commit, ShowResult, WriteResult
    from factstore.store import FactStore, clone_store, init_store, open_store

__all__ = [
    "Alias", "Ambiguous", "Commit", "Conflict", "ContextPack", "Definition", "Entity", "Fact",
    "FactStore", "FactstoreError", "InvalidInput", "KnowledgeBatch", "NotFound", "PackItem",
    "Refused", "Relation", "Rule", "ShowResult", "Source", "WriteResult", "clone_store",
    "init_store", "open_store"
]
