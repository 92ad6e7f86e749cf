"""An import whose rows make more than one default-sized INSERT statement (pymysql's 1 MB):
on a Dolt server the statements are made larger (up to the server's max_allowed_packet) and
every row arrives whole, the same as on doltlite."""

from __future__ import annotations

import json
from pathlib import Path

import factstore
from factstore.backends import dolt

from .conftest import AUTHOR


def test_a_large_batch_arrives_whole(store_url: str, tmp_path: Path) -> None:
    count = 2 * dolt.BIG_BATCH + 500  # the chunk after the short first one has > BIG_BATCH
    quote = "q" * 1500  # ~3.8 MB of quotes: each chunk over pymysql's 1 MB statements
    lines = [{"type": "source", "id": "src:crm", "title": "CRM", "kind": "system_of_record",
              "authority": 90},
             {"type": "entity", "id": "c0", "kind": "customer", "name": "Acme",
              "source": "src:crm"}]
    lines += [{"type": "fact", "id": f"fact:c0-n{i}", "subject": "c0", "predicate": f"n{i}",
               "value": i, "source": "src:crm", "quote": f"{quote}{i}"} for i in range(count)]
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with factstore.open_store(store_url) as store:
        store.import_file(path, author=AUTHOR, reason="big")
        rows = store.backend.query("SELECT id, quote FROM facts")
    assert len(rows) == count
    assert {r["id"]: r["quote"] for r in rows}[f"fact:c0-n{count - 1}"] == f"{quote}{count - 1}"
