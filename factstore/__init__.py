"""factstore: company knowledge outside model weights, versioned by Dolt.

    from factstore import open_store
    with open_store() as store:
        store.show("ACV")
"""

# doltlite must be loaded before anything imports sqlite3: it makes its engine the one the
# sqlite3 module talks to.
import doltlite  # noqa: F401  (imported for its side effect)

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
    Definition,
    Entity,
    Fact,
    KnowledgeBatch,
    Relation,
    Rule,
    ShowResult,
    Source,
    WriteResult,
)
from factstore.store import FactStore, init_store, open_store

__all__ = [
    "Alias",
    "Ambiguous",
    "Commit",
    "Conflict",
    "Definition",
    "Entity",
    "Fact",
    "FactStore",
    "FactstoreError",
    "InvalidInput",
    "KnowledgeBatch",
    "NotFound",
    "Refused",
    "Relation",
    "Rule",
    "ShowResult",
    "Source",
    "WriteResult",
    "init_store",
    "open_store",
]
