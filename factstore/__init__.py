"""factstore: company knowledge outside model weights, versioned by Dolt.

    from factstore import open_store
    with open_store() as store:
        store.show("def:acv@finance")
"""

# doltlite must be loaded before anything imports sqlite3: it makes its engine the one the
# sqlite3 module talks to.
import os as _os

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
from factstore.models import (
    Alias,
    Commit,
    ContextPack,
    Definition,
    Entity,
    Fact,
    KnowledgeBatch,
    PackItem,
    Relation,
    Rule,
    ShowResult,
    Source,
    WriteResult,
)
from factstore.store import FactStore, clone_store, init_store, open_store

__all__ = [
    "Alias", "Ambiguous", "Commit", "Conflict", "ContextPack", "Definition", "Entity", "Fact",
    "FactStore", "FactstoreError", "InvalidInput", "KnowledgeBatch", "NotFound", "PackItem",
    "Refused", "Relation", "Rule", "ShowResult", "Source", "WriteResult", "clone_store",
    "init_store", "open_store"
]
