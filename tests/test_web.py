"""The review site (`facts serve`) through Starlette's test client, on both backends: every
page, the diff page against `facts diff --json`, propose -> approve by someone else, revert of
one row, compare-and-set, CSRF, who is acting, and the injection corpus through every page."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

import factstore
from factstore import FactStore
from factstore.cli import cli
from factstore.errors import Refused
from factstore.models import Definition, Entity, Fact
from factstore.web import Auth, build_app
from factstore.web.auth import add_user, check_password, hash_password, read_users

from .conftest import AUTHOR, FIXTURES, Facts
from .test_injection import BREAKERS, HIDDEN_CHARS, SNEAKY

EXPERT = "Priya Nair <priya@northwind.test>"
ANA, BO = "Ana Ruiz <ana@northwind.test>", "Bo Lind <bo@northwind.test>"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def client(store: FactStore, auth: Auth) -> TestClient:
    return TestClient(build_app(store, auth), follow_redirects=False)


def post(web: TestClient, page: str, url: str, data: dict[str, str]) -> object:
    """Send a form as a browser does: from a page that carries the CSRF token."""
    found = CSRF.search(web.get(page).text)
    assert found, f"no form token on {page}"
    return web.post(url, data={**data, "csrf": found.group(1)})


def changes_listed(html: str) -> list[tuple[str, str, str]]:
    return [(unescape(t), unescape(i), unescape(o)) for t, i, o in re.findall(
        r'data-table="([^"]*)" data-id="([^"]*)" data-op="([^"]*)"', html)]


def id_path(item_id: str) -> str:
    return quote(item_id, safe=":@")


# --- reading pages -----------------------------------------------------------------------


def test_every_page_renders_and_search_offers_each_scope(northwind: FactStore) -> None:
    web = client(northwind, Auth(user=EXPERT))
    for url in ["/", "/search?q=ACV", "/item/acme-corp", "/item/def:acv@finance",
                "/item/fact:acme-corp-acv-fy26q3", "/history/def:acv@finance",
                "/history/acme-corp", "/diff?from=FY26-Q3&to=FY26-Q4", "/diff", "/log",
                "/proposals", "/health", "/static/site.css", "/item/src:crm",
                "/item/rel:acme-corp/located_in/amer"]:
        got = web.get(url)
        assert got.status_code == 200, (url, got.text[:500])
        if not url.startswith("/static/"):
            assert got.headers["content-security-policy"].startswith("default-src 'none'")
    found = web.get("/search?q=ACV").text
    assert 'href="/item/def:acv@finance"' in found and 'href="/item/def:acv@sales"' in found
    page = web.get("/item/def:acv@finance").text
    assert "finance" in page and "sales" in page and "sales-ops" in page  # owners side by side
    assert web.get("/item/nothing-like-this").status_code == 404
    for url, kind in (("/item/alias:acme-corp/acme", "alias"),
                      ("/item/rel:acme-corp/located_in/amer", "relation")):
        assert f'<p class="kicker">{kind} · ' in web.get(url).text, url  # not "aliase"


def test_search_shows_ambiguity_as_a_choice_and_marks_former_names(northwind: FactStore
                                                                   ) -> None:
    web = client(northwind, Auth(user=EXPERT))
    acme = web.get("/search?q=Acme").text
    assert "choose one" in acme
    assert 'href="/item/acme-corp"' in acme and 'href="/item/acme-gmbh"' in acme
    former = web.get("/search?q=Harbor Medical Systems").text
    assert 'href="/item/bluefin-health"' in former and "former name" in former
    assert "Nothing is named" in web.get("/search?q=Zzyzx Qwerty Holdings").text


def test_entity_page_groups_facts_with_labels_sources_and_history_links(
        northwind: FactStore) -> None:
    view = northwind.item("acme-gmbh")
    labels = {f.label for g in view.groups for f in g.facts}
    assert labels <= {"current", "conflicting", "outranked", "superseded", "proposed",
                      "deprecated"}
    page = client(northwind, Auth(user=EXPERT)).get("/item/acme-gmbh").text
    for group in view.groups:
        for fact in group.facts:
            assert f'data-id="{fact.row["id"]}"' in page
            assert f'href="/history/{id_path(fact.row["id"])}"' in page
    assert "label-former" in client(northwind, Auth(user=EXPERT)).get(
        "/item/bluefin-health").text
    rivals = next(g for g in view.groups if len(g.facts) > 1)  # Acme GmbH's seats: two sources
    fact_page = client(northwind, Auth(user=EXPERT)).get(f"/item/{rivals.facts[0].row['id']}")
    assert "Every value for" in fact_page.text
    assert all(f'href="/item/{id_path(f.row["id"])}"' in fact_page.text for f in rivals.facts)


def test_diff_page_lists_exactly_what_facts_diff_json_lists(northwind: FactStore) -> None:
    web = client(northwind, Auth(user=EXPERT))
    listed = changes_listed(web.get("/diff?from=FY26-Q3&to=FY26-Q4").text)
    cli = json.loads(Facts(northwind.url)("diff", "FY26-Q3", "FY26-Q4", "--json").output)
    assert listed and sorted(listed) == sorted((c["table"], c["id"], c["op"])
                                               for c in cli["changes"])
    assert len(listed) == len(set(listed))


# --- writing -------------------------------------------------------------------------------


@pytest.fixture
def loaded(store_url: str) -> Iterator[FactStore]:
    """Northwind's two quarters and the finance controller's ACV correction."""
    with factstore.open_store(store_url) as store:
        store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
        store.tag("FY26-Q3", author=AUTHOR)
        store.import_file(FIXTURES / "northwind-q4.yaml", author=AUTHOR)
        store.correct_definition("ACV", "Annualised recurring revenue, excl. one-off fees",
                                 scope="finance", author=EXPERT, reason="services are one-off")
        store.tag("FY26-Q4", author=AUTHOR)
        yield store


@pytest.fixture
def users(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "users"
    add_user(path, ANA, "ana-secret-1", ["approver"])
    add_user(path, BO, "bo-secret-22", ["approver"])
    return {"path": str(path)}


def signed_in(store: FactStore, users_path: str, email: str, password: str) -> TestClient:
    web = client(store, Auth(users=read_users(Path(users_path))))
    done = post(web, "/login", "/login", {"email": email, "password": password})
    assert done.status_code == 303, done.text  # type: ignore[attr-defined]
    return web


def test_a_proposal_is_approved_by_someone_else_only(loaded: FactStore,
                                                     users: dict[str, str]) -> None:
    fact = "fact:acme-gmbh-seats-fy26q3"
    before = loaded.get(fact)
    ana = signed_in(loaded, users["path"], "ana@northwind.test", "ana-secret-1")
    sent = post(ana, f"/item/{fact}", f"/correct/{fact}",
                {"value": "320", "reason": "Gainsight count confirmed", "rev": str(before["rev"]),
                 "quote": "320 seats"})
    assert sent.status_code == 303  # type: ignore[attr-defined]
    branch = sent.headers["location"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    assert loaded.get(fact)["value"] == before["value"]  # main untouched
    assert loaded.proposal(branch).author == ANA

    own = post(ana, f"/proposals/{branch}", f"/proposals/{branch}/approve", {})
    assert own.status_code == 403 and "someone else" in own.text  # type: ignore[attr-defined]
    assert loaded.get(fact)["value"] == before["value"]

    bo = signed_in(loaded, users["path"], "bo@northwind.test", "bo-secret-22")
    assert "Gainsight count confirmed" in bo.get(f"/proposals/{branch}").text
    done = post(bo, f"/proposals/{branch}", f"/proposals/{branch}/approve", {})
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert str(loaded.get(fact)["value"]) == "320"

    cli = Facts(loaded.url)
    log = json.loads(cli("log", "-n", "1", "--json").output)[0]
    assert log["author"] == BO and log["message"].startswith(f"Merge {branch} into main")
    versions = json.loads(cli("history", fact, "--json").output)["versions"]
    assert versions[0]["author"] == BO and versions[0]["recorded_by"] == ANA
    assert "Merge" in bo.get("/log").text
    # merged, it still says whose it was and what it held (main holds all of it now)
    merged = loaded.proposal(branch)
    assert not merged.open and merged.author == ANA and len(merged.commits) == 1
    page = bo.get(f"/proposals/{branch}").text
    assert "merged into main" in page and "to be merged" not in page
    assert "Gainsight count confirmed" in page


def test_approving_needs_an_approver_and_rejecting_deletes_the_branch(
        loaded: FactStore, tmp_path: Path) -> None:
    path = tmp_path / "users"
    add_user(path, ANA, "ana-secret-1", [])
    add_user(path, BO, "bo-secret-22", [])
    add_user(path, EXPERT, "priya-secret", ["approver"])
    ana = signed_in(loaded, str(path), "ana@northwind.test", "ana-secret-1")
    fact = "fact:acme-corp-seats-fy26q3"
    sent = post(ana, f"/item/{fact}", f"/correct/{fact}", {"value": "1", "reason": "x"})
    branch = sent.headers["location"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    bo = signed_in(loaded, str(path), "bo@northwind.test", "bo-secret-22")
    refused = post(bo, f"/proposals/{branch}", f"/proposals/{branch}/approve", {})
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert post(bo, f"/proposals/{branch}", f"/proposals/{branch}/reject",
                {}).status_code == 403  # type: ignore[attr-defined]
    assert post(ana, f"/proposals/{branch}", f"/proposals/{branch}/reject",
                {}).status_code == 303  # type: ignore[attr-defined]
    assert branch not in {b.name for b in loaded.branches()}


def test_revert_one_fact_from_its_page_keeps_its_neighbours(loaded: FactStore,
                                                            tmp_path: Path) -> None:
    wanted = {"fact:acme-corp-seats-fy26q3": 900, "fact:acme-gmbh-seats-fy26q3": 333,
              "fact:acme-corp-arr-fy26q3": 1}
    facts = [{**f, "value": wanted[f["id"]]} for f in loaded.export()["facts"]
             if f["id"] in wanted]
    recount = tmp_path / "recount.json"
    recount.write_text(json.dumps({"factstore": 1, "facts": facts}))
    before = loaded.head()
    loaded.import_file(recount, author=BO)  # one commit changes all three
    changed = loaded.diff(before, "HEAD").changes
    assert {c.id for c in changed} == set(wanted)
    undone, neighbour = changed[0], changed[1]
    web = client(loaded, Auth(user=EXPERT))
    done = post(web, f"/item/{undone.id}", f"/revert/{undone.id}",
                {"reason": "the Q4 load had this one wrong"})
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert str(loaded.get(undone.id)["value"]) == str(undone.fields["value"]["from"])
    assert str(loaded.get(neighbour.id)["value"]) == str(neighbour.fields["value"]["to"])
    history = web.get(f"/history/{undone.id}").text
    assert "the Q4 load had this one wrong" in history and "Priya Nair" in history


def test_revert_and_retract_need_a_reason(loaded: FactStore) -> None:
    web = client(loaded, Auth(user=EXPERT))
    fact = "fact:acme-corp-seats-fy26q3"
    head = loaded.head()
    for action in ("revert", "retract", "correct"):
        got = post(web, f"/item/{fact}", f"/{action}/{fact}", {"reason": " ", "value": "3"})
        assert got.status_code == 400 and "reason" in got.text  # type: ignore[attr-defined]
    assert loaded.head() == head and [b.name for b in loaded.branches()] == ["main"]


def test_a_correction_naming_a_source_the_store_lacks_proposes_nothing(
        loaded: FactStore) -> None:
    """The form's source used to be taken as typed: a proposal whose fact named no source
    (src:cmr), so approving it dropped the value's authority. It is refused like the CLI's."""
    web = client(loaded, Auth(user=EXPERT))
    head = loaded.head()
    for item, field in (("fact:acme-corp-seats-fy26q3", "value"),
                        ("def:acv@sales", "text")):
        got = post(web, f"/item/{item}", f"/correct/{item}",
                   {field: "310", "reason": "recount", "source": "src:cmr"})
        assert got.status_code == 400  # type: ignore[attr-defined]
        assert "no source &#39;src:cmr&#39; in the store; did you mean src:crm?" in (
            got.text)  # type: ignore[attr-defined]
    assert loaded.head() == head and [b.name for b in loaded.branches()] == ["main"]


def test_a_correction_of_a_changed_row_shows_the_newer_value(loaded: FactStore) -> None:
    fact = "fact:acme-corp-seats-fy26q3"
    web = client(loaded, Auth(user=EXPERT))
    opened = web.get(f"/item/{fact}").text
    rev = re.search(r'name="rev" value="(\d+)"', opened)
    assert rev
    loaded.correct_fact(fact, 777, author=BO, reason="recount")  # someone else, meanwhile
    token = CSRF.search(opened)
    assert token
    got = web.post(f"/correct/{fact}", data={"csrf": token.group(1), "value": "555",
                                             "reason": "mine", "rev": rev.group(1)})
    assert got.status_code == 409
    assert "777" in got.text and "recount" in got.text and "nothing was written" in got.text
    assert [b.name for b in loaded.branches()] == ["main"]  # the proposal branch is gone
    newer = re.search(r'name="rev" value="(\d+)"', got.text)
    assert newer and int(newer.group(1)) > int(rev.group(1))


def test_forms_without_the_sites_token_write_nothing(loaded: FactStore) -> None:
    web = client(loaded, Auth(user=EXPERT))
    head = loaded.head()
    fact = "fact:acme-corp-seats-fy26q3"
    web.get(f"/item/{fact}")
    for data in ({}, {"csrf": "forged"}):
        got = web.post(f"/revert/{fact}", data={**data, "reason": "x"})
        assert got.status_code == 403
    other = client(loaded, Auth(user=EXPERT))  # another site's secret: its token is no good
    token = CSRF.search(other.get(f"/item/{fact}").text)
    assert token
    assert web.post(f"/revert/{fact}", data={"csrf": token.group(1), "reason": "x"}
                    ).status_code == 403
    assert loaded.head() == head


def test_signed_out_people_read_but_write_nothing(loaded: FactStore,
                                                  users: dict[str, str]) -> None:
    web = client(loaded, Auth(users=read_users(Path(users["path"]))))
    fact = "fact:acme-corp-seats-fy26q3"
    assert web.get(f"/item/{fact}").status_code == 200
    got = post(web, "/login", f"/revert/{fact}", {"reason": "x"})
    assert got.status_code == 403 and "sign in" in got.text  # type: ignore[attr-defined]
    bad = post(web, "/login", "/login", {"email": "ana@northwind.test", "password": "nope"})
    assert bad.status_code == 403  # type: ignore[attr-defined]


def test_a_trusted_proxy_header_names_the_author(loaded: FactStore) -> None:
    web = client(loaded, Auth(trust_header="X-Forwarded-User"))
    fact = "fact:acme-corp-seats-fy26q3"
    assert "read only" in web.get("/").text
    web.headers["X-Forwarded-User"] = "carla@northwind.test"
    got = post(web, f"/item/{fact}", f"/revert/{fact}", {"reason": "proxy says so"})
    assert got.status_code == 303  # type: ignore[attr-defined]
    assert loaded.log(1)[0].author == "carla <carla@northwind.test>"


def test_users_file_holds_scrypt_hashes_and_public_hosts_need_authentication(
        tmp_path: Path) -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert check_password("correct horse", stored) and not check_password("wrong", stored)
    path = tmp_path / "users"
    add_user(path, ANA, "ana-secret-1", ["approver"])
    add_user(path, ANA.replace("Ana", "Ana M."), "ana-secret-2", [])  # replaces her
    people = read_users(path)
    assert list(people) == ["ana@northwind.test"] and not people["ana@northwind.test"].roles
    assert "ana-secret" not in path.read_text()
    with pytest.raises(Refused):
        Auth(user=EXPERT).check_host("0.0.0.0")
    Auth(user=EXPERT).check_host("127.0.0.1")
    Auth(users=people).check_host("0.0.0.0")
    Auth(trust_header="X-Forwarded-User").check_host("10.1.2.3")


def test_facts_serve_refuses_a_public_host_without_authentication(store_url: str) -> None:
    got = Facts(store_url)("serve", "--host", "0.0.0.0", "--user", EXPERT, ok=False)
    assert got.exit_code == 4 and "needs authentication" in got.output


# --- store text is data on every page -------------------------------------------------------

HOSTILE = "<script>window.pwned=1</script>" + "".join(BREAKERS + SNEAKY)


def pages_of(store: FactStore) -> list[str]:
    return ["/", "/search?q=Hostile", "/item/hostile-co", "/item/fact:hostile-co-acv",
            "/item/def:hostile@finance", "/history/fact:hostile-co-acv",
            "/history/hostile-co", "/history/def:hostile@finance", "/diff?from=FY26-Q3",
            "/log", "/health", "/proposals"] + [f"/proposals/{p.name}"
                                                for p in store.proposals()]


def test_the_injection_corpus_renders_inert_on_every_page(loaded: FactStore) -> None:
    clean = HOSTILE.replace("\x00", "")
    loaded.add(Entity(id="hostile-co", kind="customer", name="Hostile " + clean[:200],
                      description=clean), author=AUTHOR, reason=clean[:300])
    loaded.add(Fact(id="fact:hostile-co-acv", subject="hostile-co", predicate="acv",
                    value=clean, quote=clean, period="FY26-Q4"), author=AUTHOR, reason=clean)
    loaded.add(Definition(id="def:hostile@finance", term="Hostile", scope="finance",
                          text=clean, owner="finance"), author=AUTHOR, reason=clean)
    web = client(loaded, Auth(user=EXPERT))
    post(web, "/item/fact:hostile-co-acv", "/correct/fact:hostile-co-acv",
         {"value": clean, "reason": clean, "quote": clean})
    for url in pages_of(loaded):
        got = web.get(url)
        assert got.status_code == 200, url
        html = got.text
        assert "<script" not in html.lower() and "<!--" not in html, url
        assert "</item>" not in html and "<item" not in html, url
        hidden = [f"U+{ord(c):04X}" for c in html if c in HIDDEN_CHARS
                  or (unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t")]
        assert hidden == [], (url, hidden[:5])
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in web.get(
        "/item/fact:hostile-co-acv").text


def test_definition_corrections_and_retractions_are_proposals(loaded: FactStore) -> None:
    web = client(loaded, Auth(user=EXPERT))
    definition = "def:acv@sales"
    rev = str(loaded.get(definition)["rev"])
    sent = post(web, f"/item/{definition}", f"/correct/{definition}",
                {"text": "First-year contract value incl. services", "reason": "sales ops v2",
                 "rev": rev, "source": "src:crm"})
    assert sent.status_code == 303  # type: ignore[attr-defined]
    branch = sent.headers["location"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    review = loaded.review(branch)
    assert [(c.id, sorted(c.fields)) for c in review.changes] == [
        (definition, ["source_id", "text"])]
    gone = post(web, "/item/src:crm", "/retract/fact:acme-corp-seats-fy26q3",
                {"reason": "double counted"})
    branch = gone.headers["location"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    assert loaded.get("fact:acme-corp-seats-fy26q3")["status"] == "active"  # main untouched
    assert [c.fields["status"]["to"] for c in loaded.review(branch).changes] == ["retracted"]
    page = web.get(f"/proposals/{branch}").text
    assert "double counted" in page and "Approve and merge" in page


def test_facts_users_add_and_facts_serve_from_the_command_line(tmp_path: Path) -> None:
    """One backend is enough to check the command starts the site it describes."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    store_url = str(tmp_path / "facts.db")
    factstore.init_store(store_url, author=AUTHOR).close()
    users = tmp_path / "team.users"
    got = CliRunner().invoke(cli, ["users", "add", str(users), BO, "--role", "approver",
                                   "--password-stdin"], input="bo-secret-22\n")
    assert got.exit_code == 0, got.output
    assert read_users(users)["bo@northwind.test"].roles == {"approver"}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "factstore", "--url", store_url, "serve", "--port", str(port),
         "--users", str(users)], stderr=subprocess.PIPE, text=True)
    try:
        deadline, page = time.monotonic() + 60, ""
        while time.monotonic() < deadline and not page:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health") as answer:
                    page = answer.read().decode()
            except OSError:
                time.sleep(0.2)
        assert "Knowledge health" in page and "Sign in" in page
    finally:
        server.terminate()
        server.wait(10)


def test_approving_a_proposal_that_conflicts_with_main_merges_nothing(
        loaded: FactStore, users: dict[str, str]) -> None:
    fact = "fact:acme-corp-seats-fy26q3"
    ana = signed_in(loaded, users["path"], "ana@northwind.test", "ana-secret-1")
    sent = post(ana, f"/item/{fact}", f"/correct/{fact}", {"value": "901", "reason": "mine"})
    branch = sent.headers["location"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    loaded.correct_fact(fact, 902, author=EXPERT, reason="meanwhile on main")
    head = loaded.head()
    bo = signed_in(loaded, users["path"], "bo@northwind.test", "bo-secret-22")
    got = post(bo, f"/proposals/{branch}", f"/proposals/{branch}/approve", {})
    assert got.status_code == 409 and fact in got.text  # type: ignore[attr-defined]
    assert loaded.head() == head and str(loaded.get(fact)["value"]) == "902"
    assert loaded.proposal(branch).open


def test_a_proposals_branch_name_folds_the_accents_of_its_authors_name() -> None:
    """Patrícia O'Neill Magalhães's proposals were named patr-cia-o-neill-mag-…"""
    from factstore.web.app import proposal_name

    name = proposal_name("Patrícia O'Neill Magalhães <patricia@ribeirao.test>",
                         "fact:acucar-guarani-otif-fy26q1")
    assert name.startswith("patricia-o-neill-mag-fact-acucar-guarani-otif-fy26q1-")


def test_the_home_page_suggests_a_term_of_this_store_not_another_companys(
        store: FactStore) -> None:
    web = client(store, Auth(user=EXPERT))
    home = web.get("/").text
    assert "ACV" not in home and "Acme" not in home and "such as" not in home
    store.add(Definition(term="Gross bookings", text="Orders signed in the period."),
              author=AUTHOR)
    store.add(Definition(term="Net revenue retention", text="Revenue kept."), author=AUTHOR)
    home = web.get("/").text
    assert 'such as <a href="/search?q=Gross%20bookings">Gross bookings</a>' in home
    assert "ACV" not in home and "Acme" not in home
