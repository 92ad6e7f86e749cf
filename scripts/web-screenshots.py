"""Screenshots of the review site's main pages for the README (docs/img/*.png).

Builds the history demo's store in a temporary folder (two quarters, the finance controller's
ACV correction, a proposal waiting for review), serves it with uvicorn on a free loopback port
and photographs each page with Playwright driving Debian's Chromium:

    python scripts/web-screenshots.py [OUT_DIR]     # default docs/img
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from factstore import init_store, open_store
from factstore.web import Auth, build_app

ROOT = Path(__file__).resolve().parent.parent
ANA = "Ana Ruiz <ana@northwind.test>"
PRIYA = "Priya Nair <priya@northwind.test>"
PAGES = {
    "home": "/",
    "search": "/search?q=Acme",
    "entity": "/item/acme-gmbh",
    "definition": "/item/def:acv@finance",
    "history": "/history/def:acv@finance",
    "diff": "/diff?from=FY26-Q3&to=FY26-Q4",
    "proposal": None,  # filled in below
}


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    url = str(Path(tempfile.mkdtemp()) / "facts.db")
    init_store(url, author=ANA).close()
    store = open_store(url)
    store.import_file(ROOT / "fixtures" / "northwind.yaml", author=ANA)
    store.tag("FY26-Q3", author=ANA)
    store.import_file(ROOT / "fixtures" / "northwind-q4.yaml", author=ANA)
    store.correct_definition(
        "ACV", "Annualised value of recurring contract revenue, excl. one-off fees",
        scope="finance", author=PRIYA, source="src:finance-glossary-v4",
        reason="Finance reclassified implementation services as one-off")
    store.tag("FY26-Q4", author=ANA)
    store.propose_write("ana-acme-gmbh-seats", lambda on: on.correct_fact(
        "fact:acme-gmbh-seats-fy26q3", 320, author=ANA, quote="320 seats (Gainsight)",
        reason="Gainsight count confirmed by the account team"))
    PAGES["proposal"] = "/proposals/ana-acme-gmbh-seats"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(build_app(store, Auth(user=PRIYA)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1200, "height": 860})
        for name, path in PAGES.items():
            page.goto(f"http://127.0.0.1:{port}{path}")
            page.screenshot(path=str(out / f"{name}.png"), full_page=name == "entity")
            print(out / f"{name}.png")
        browser.close()
    server.should_exit = True
    store.close()


if __name__ == "__main__":
    main()
