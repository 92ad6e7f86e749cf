"""dbt semantic layer and MetricFlow manifests import as definitions, on both backends.

The projects are the ones the installed wheels ship: dbt-metricflow's sample project (3
semantic models, 13 metrics, 2 saved queries) and MetricFlow's simple manifest (12 semantic
models, 112 metrics, 5 saved queries), found through importlib and never copied into the
repository (a test copies one into a temporary git repository to change it).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from factstore import FactStore
from factstore.errors import InvalidInput
from factstore.importers import ImportOptions, load_file

from .conftest import AUTHOR, Facts


def _package_dir(package: str) -> Path:
    """An installed package's folder, found without importing it (dbt_metricflow's own
    __init__ needs dbt-core, which the tests do not install)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        message = f"{package} is not installed (scripts/test.sh installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return Path(next(iter(spec.submodule_search_locations)))


@pytest.fixture(scope="module")
def sample() -> Path:
    return _package_dir("dbt_metricflow") / "cli" / "sample_dbt_models"


@pytest.fixture(scope="module")
def manifest() -> Path:
    return (_package_dir("metricflow_semantics") / "test_helpers" / "semantic_manifest_yamls"
            / "simple_manifest")


def test_the_sample_project_reads_as_its_metrics_saved_queries_and_entities(
        sample: Path) -> None:
    batch = load_file(sample)
    metrics = [d for d in batch.definitions if "saved_queries" not in d["source_id"]]
    assert len(metrics) == 13
    assert len(batch.definitions) == 15  # and the 2 saved queries
    rate = next(d for d in batch.definitions if d["id"] == "def:cancellation-rate@global")
    assert rate["term"] == "Cancellation Rate"  # the label
    assert rate["text"] == "ratio of cancellations to transaction_amount"  # no description
    assert rate["formula"] == "cancellations / transaction_amount"
    revenue = next(d for d in batch.definitions if d["id"] == "def:revenue-usd@global")
    assert revenue["formula"] == "transaction_amount - cancellations + alterations"
    cancellations = next(d for d in batch.definitions if d["term"] == "Cancellations")
    # a simple metric without a description says what its measure says
    assert cancellations["text"] == "The total USD value of the transactions that were " \
                                    "cancelled."
    assert cancellations["formula"].startswith("SUM(CASE WHEN transaction_type_name")
    window = next(d for d in batch.definitions if d["id"].startswith(
        "def:cumulative-transactions-in-last-7-days"))
    assert "7 days window" in window["text"]
    # primary entities name business objects; their semantic models are aliases
    assert sorted(e["id"] for e in batch.entities) == ["dbt.country", "dbt.customer",
                                                        "dbt.transaction"]
    assert {(a["entity_id"], a["alias"]) for a in batch.aliases} >= {
        ("dbt.customer", "customers"), ("dbt.transaction", "transactions")}
    assert all(d["source_id"].startswith("src:dbt:sample_models/") for d in batch.definitions)


def test_the_metricflow_manifest_reads_every_metric(manifest: Path) -> None:
    batch = load_file(manifest)
    kinds = [d for d in batch.definitions if "saved_queries" not in d["source_id"]]
    # 104 in metrics.yaml, 8 beside a semantic model, and 3 measures with create_metric
    assert len(kinds) == 115
    assert {"def:new-users@global", "def:archived-users@global"} <= {d["id"] for d in kinds}
    conversion = next(d for d in batch.definitions
                      if d["id"] == "def:visit-buy-conversion-rate-7days@global")
    assert conversion["text"] == "conversion rate on visits-buys on a 7 day window"
    assert "visits -> buys" in conversion["formula"] and "7 days" in conversion["formula"]
    assert {e["kind"] for e in batch.entities} == {"business_object"}
    assert "dbt.listing" in {e["id"] for e in batch.entities}


def test_every_metricflow_test_manifest_reads(manifest: Path) -> None:
    folders = [d for d in sorted(manifest.parent.iterdir())
               if d.is_dir() and not d.name.startswith("_") and d.name != "shared"]
    assert len(folders) == 17
    for folder in folders:
        batch = load_file(folder)
        assert batch.definitions and batch.sources, folder.name


@pytest.mark.parametrize("project", ["sample", "manifest"])
def test_a_project_imports_into_an_empty_store_and_again_as_a_no_op(
        project: str, facts: Facts, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(project)
    first = facts("import", str(path), "--json")
    assert '"commit": null' not in first.output
    head = facts("log", "-n", "1", "--json").output
    again = facts("import", str(path))
    assert "Nothing changed; no commit made." in again.output
    assert facts("log", "-n", "1", "--json").output == head
    name, term = ("Cancellation Rate", "ratio of cancellations to transaction_amount") \
        if project == "sample" else ("bookings_per_view", "Bookings divided by views")
    shown = facts("show", name).output
    assert term in shown  # the description
    assert ("cancellations / transaction_amount" if project == "sample"
            else "bookings / views") in shown  # the formula
    assert ("sample_models/metrics.yml" if project == "sample" else "metrics.yaml") in shown
    pack = facts("context", f"How is {name} defined?").output
    ident = "def:cancellation-rate@global" if project == "sample" else \
        "def:bookings-per-view@global"
    assert f"id {ident}" in pack and "[1] definition" in pack


def test_scope_and_owner_from_the_option_or_the_meta(tmp_path: Path, store: FactStore) -> None:
    path = tmp_path / "finance_metrics.yml"
    path.write_text("""\
semantic_models:
  - name: orders
    description: One row per order.
    config: {meta: {owner: Finance Analytics, scope: finance}}
    entities:
      - {name: order, type: primary, expr: order_id, description: A customer's order.}
      - {name: customer, type: foreign}
    measures:
      - {name: order_total, agg: sum, expr: amount}
metrics:
  - name: order_total
    type: simple
    type_params: {measure: order_total}
  - name: big_orders
    description: Orders over 1000 EUR.
    type: simple
    type_params: {measure: order_total}
    meta: {owner: [Ana Ruiz, Bo Lind]}
    filter: "{{ Dimension('order__amount') }} > 1000"
""", encoding="utf-8")
    batch = load_file(path)
    total = next(d for d in batch.definitions if d["term"] == "order_total")
    assert total["scope"] == "finance" and total["owner"] == "Finance Analytics"
    assert total["id"] == "def:order-total@finance"
    assert total["text"] == "sum of amount in orders (measure order_total)"
    big = next(d for d in batch.definitions if d["term"] == "big_orders")
    assert big["owner"] == "Ana Ruiz, Bo Lind"
    assert big["formula"] == "SUM(amount) where {{ Dimension('order__amount') }} > 1000"
    assert [e["description"] for e in batch.entities] == ["A customer's order."]
    scoped = load_file(path, ImportOptions(scope="sales"))
    assert {d["scope"] for d in scoped.definitions} == {"sales"}
    with pytest.raises(InvalidInput, match=r"^scope: 'Not A Word' is not a scope"):
        load_file(path, ImportOptions(scope="Not A Word"))
    path.write_text(path.read_text(encoding="utf-8").replace("scope: finance", "scope: Fin"),
                    encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"^finance_metrics.yml: order_total: meta.scope: "):
        load_file(path)
    store.import_file(path, author=AUTHOR, options=ImportOptions(scope="sales"))
    assert store.get("def:big-orders@sales")["owner"] == "Ana Ruiz, Bo Lind"


def test_a_changed_description_is_a_correction_with_the_file_and_commit_as_source(
        sample: Path, tmp_path: Path, store: FactStore) -> None:
    if shutil.which("git") is None:
        pytest.skip("no git")
    repo = tmp_path / "analytics"
    shutil.copytree(sample, repo)

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repo), "-c", "user.name=T", "-c",
                               "user.email=t@x.test", *args], check=True, capture_output=True,
                              text=True).stdout.strip()

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "sample")
    first = git("rev-parse", "HEAD")
    store.import_file(repo, author=AUTHOR)
    source = store.get("src:dbt:sample_models/metrics.yml")
    assert first in source["title"] and source["uri"] == f"sample_models/metrics.yml@{first}"
    git("commit", "-q", "--allow-empty", "-m", "unrelated")  # the file did not change
    assert store.import_file(repo, author=AUTHOR).commit is None
    metrics = repo / "sample_models" / "metrics.yml"
    metrics.write_text(metrics.read_text(encoding="utf-8").replace(
        '    label: "Cancellation Rate"',
        '    label: "Cancellation Rate"\n    description: Cancelled USD over all USD.'),
        encoding="utf-8")
    git("commit", "-q", "-am", "describe the cancellation rate")
    second = git("rev-parse", "HEAD")
    result = store.import_file(repo, author=AUTHOR)
    assert set(result.changed) == {"def:cancellation-rate@global",
                                   "src:dbt:sample_models/metrics.yml"}
    row = store.get("def:cancellation-rate@global")
    assert row["text"] == "Cancelled USD over all USD." and row["rev"] == 2
    assert row["source_id"] == "src:dbt:sample_models/metrics.yml"
    assert second in store.get(row["source_id"])["title"]
    versions = store.history("def:cancellation-rate@global").versions
    assert [v.row["text"] for v in versions if v.row] == [
        "Cancelled USD over all USD.", "ratio of cancellations to transaction_amount"]


def test_a_bad_dbt_file_is_one_line_naming_the_file(tmp_path: Path, facts: Facts) -> None:
    path = tmp_path / "metrics.yml"
    path.write_text("metrics:\n  - type: simple\n", encoding="utf-8")
    result = facts("import", str(path), ok=False)
    assert result.exit_code == 2
    assert result.output.strip() == "error: metrics.yml: metrics[0]: name: required field " \
                                    "is missing"
    path.write_text("metrics: {name: x}\n", encoding="utf-8")
    assert "metrics: expected a list" in facts("import", str(path), ok=False).output
    empty = tmp_path / "project"
    empty.mkdir()
    (empty / "dbt_project.yml").write_text("name: x\n", encoding="utf-8")
    result = facts("import", str(empty), ok=False)
    assert result.exit_code == 2 and "no dbt semantic models" in result.output


def test_a_file_keeps_its_source_whether_its_project_or_it_alone_is_imported(
        tmp_path: Path, facts: Facts, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "jaffle"
    (project / "models" / "marts").mkdir(parents=True)
    (project / "target").mkdir()
    (project / "dbt_project.yml").write_text("name: jaffle\nversion: '1.0'\n",
                                             encoding="utf-8")
    (project / "target" / "copy.yml").write_text("metrics:\n  - {name: stale}\n",
                                                 encoding="utf-8")
    orders = project / "models" / "marts" / "orders.yml"
    orders.write_text("""\
semantic_models:
  - name: orders
    entities: [{name: order_id, type: primary}]
    measures:
      - {name: order_count, agg: count, expr: order_id, create_metric: true,
         description: Orders placed.}
metrics:
  - name: food_revenue
    label: Food revenue
    calculation_method: sum
    expression: product_price
""", encoding="utf-8")
    batch = load_file(orders)
    assert {d["source_id"] for d in batch.definitions} == {"src:dbt:models/marts/orders.yml"}
    by_id = {d["id"]: d for d in batch.definitions}
    assert by_id["def:order-count@global"]["text"] == "Orders placed."  # create_metric
    assert by_id["def:food-revenue@global"]["formula"] == "SUM(product_price)"  # dbt < 1.6
    monkeypatch.chdir(project)
    facts("import", ".")  # target/ is build output: not read
    assert "imports/jaffle" in facts("branches", "--all").output
    assert "Nothing changed" in facts("import", str(orders)).output
    assert "stale" not in facts("list", "definitions").output


def test_a_project_in_a_folder_its_git_repository_ignores_is_named_from_the_project(
        sample: Path, tmp_path: Path) -> None:
    """A package installed under a tool's own git checkout (pyenv's versions/ are ignored by
    pyenv's repository) is not that repository's file: no commit, paths from the project."""
    if shutil.which("git") is None:
        pytest.skip("no git")
    tool = tmp_path / "tool"
    shutil.copytree(sample, tool / "versions" / "project")
    (tool / ".gitignore").write_text("/versions\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(tool), "init", "-q"], check=True)
    batch = load_file(tool / "versions" / "project")
    assert all(d["source_id"].startswith("src:dbt:sample_models/") for d in batch.definitions)
    assert all("git commit" not in s["title"] for s in batch.sources)
