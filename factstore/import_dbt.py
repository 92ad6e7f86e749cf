"""dbt semantic layer and MetricFlow manifests -> a factstore import document.

`facts import PATH` takes a dbt project folder or one of its YAML files: dbt's semantic-layer
YAML (`semantic_models:`, `metrics:`, `saved_queries:` lists) and MetricFlow's manifests (a
stream of documents, each `semantic_model:`, `metric:` or `saved_query:`) are read alike.

- Each metric becomes a definition: term = its label, else its name; text = its description,
  else a sentence built from its type and parameters ("ratio of cancellations to
  transaction_amount"); formula = its expression, or the aggregation of its measure; scope =
  --scope, else `meta.scope` of the metric, else of the semantic model of its measure; owner =
  `meta.owner` (or `config.meta.owner`) of the metric, else of that semantic model. Its id is
  `def:NAME@SCOPE` from the metric's name (unique in a project, where labels need not be).
- Each saved query becomes a definition the same way (formula: its metrics, group-by and
  filters).
- Entities that name a business object, the primary, unique and natural entities of the
  semantic models, become entities of kind `business_object` (id `dbt.NAME`), with the names
  of the semantic models they are the key of as aliases. Foreign entities are references to
  those and add nothing; measures and dimensions are read to describe the metrics.
- Each YAML file is a source (`src:dbt:PATH`, kind system_of_record): its path, relative to
  its git repository when it is in one, with the last commit that changed it (and a note when
  it has uncommitted changes), so re-importing an unchanged project is a no-op.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from factstore.errors import InvalidInput
from factstore.importers import SCOPE
from factstore.models import slug

SECTIONS = {"semantic_models": "semantic_model", "metrics": "metric",
            "saved_queries": "saved_query"}
# A YAML file is dbt's or MetricFlow's when one of these is a top-level key.
SNIFF = re.compile(r"^(semantic_models|metrics|saved_queries|semantic_model|metric|saved_query)"
                   r"\s*:", re.M)
SKIPPED_DIRS = {"target", "dbt_packages", "dbt_modules", "logs", "node_modules", "venv"}
OBJECT_TYPES = {"primary", "unique", "natural"}  # entity types that name a business object
AUTHORITY = 90
AGGREGATIONS = {
    "sum": "sum", "count": "count", "count_distinct": "distinct count", "average": "average",
    "avg": "average", "min": "minimum", "max": "maximum", "median": "median",
    "sum_boolean": "number of true values", "percentile": "percentile",
}


def is_dbt_yaml(text: str) -> bool:
    """A YAML text in dbt's or MetricFlow's semantic-layer form (not factstore's own)."""
    return SNIFF.search(text) is not None and re.search(r"^factstore\s*:", text, re.M) is None


@dataclass
class _File:
    path: Path
    shown: str  # as the source names it
    source_id: str


@dataclass
class _Project:
    models: dict[str, tuple[dict[str, Any], _File]] = field(default_factory=dict)
    measures: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)  # -> model
    metrics: list[tuple[dict[str, Any], _File]] = field(default_factory=list)
    queries: list[tuple[dict[str, Any], _File]] = field(default_factory=list)
    implied: list[tuple[dict[str, Any], _File]] = field(default_factory=list)  # create_metric
    files: list[_File] = field(default_factory=list)


def load_dbt(path: Path, scope: str | None) -> dict[str, Any]:
    """The import document for a dbt project folder or one semantic-layer YAML file."""
    from factstore.importers import read_stream

    root = _project_root(path)
    paths = _yaml_files(path) if path.is_dir() else [path]
    git = _Git(root)
    project = _Project()
    for file_path in paths:
        shown = git.relative(file_path) or Path(os.path.relpath(file_path, root)).as_posix()
        try:
            text = file_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{shown}: cannot read ({exc})") from None
        if not is_dbt_yaml(text):
            continue
        file = _File(file_path, shown, "src:dbt:" + quote(shown, safe="/._-~"))
        project.files.append(file)
        for doc in read_stream(shown, text):
            _collect(project, doc, file)
    if not project.metrics and not project.queries and not project.models:
        raise InvalidInput(f"{path.name}: no dbt semantic models, metrics or saved queries "
                           "found")
    return {
        "factstore": 1,
        "sources": [_source(file, git) for file in project.files],
        "entities": _entities(project),
        "definitions": [_metric(project, m, f, scope) for m, f in _metrics(project)]
        + [_saved_query(q, f, scope) for q, f in project.queries],
    }


def _project_root(path: Path) -> Path:
    """Where a file's path is counted from outside git: the dbt project it is in (the folder
    with dbt_project.yml), else the folder imported, else the file's folder. A file keeps
    its source whether the project or the file alone is imported."""
    start = Path(os.path.abspath(path))
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "dbt_project.yml").is_file():
            return candidate
    return folder


def _metrics(project: _Project) -> list[tuple[dict[str, Any], _File]]:
    """The metrics, and the simple metrics measures ask for (`create_metric: true`) where no
    metric of that name is written."""
    named = {m["name"] for m, _ in project.metrics}
    return project.metrics + [(m, f) for m, f in project.implied if m["name"] not in named]


def _yaml_files(folder: Path) -> list[Path]:
    """The YAML files of a project, in a stable order; build output, installed packages and
    hidden folders are not walked."""
    found = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        found += [Path(top) / f for f in sorted(files)
                  if f.lower().endswith((".yml", ".yaml"))]
    return found


def _collect(project: _Project, doc: Any, file: _File) -> None:
    if doc is None:
        return
    if not isinstance(doc, dict):
        raise InvalidInput(f"{file.shown}: expected a mapping at the top of each document")
    for plural, singular in SECTIONS.items():
        items: Any = doc.get(plural) or []
        if singular in doc:
            items = [*_listed(file, plural, items), doc[singular]]
        for index, item in enumerate(_listed(file, plural, items)):
            where = f"{file.shown}: {plural}[{index}]"
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                    or not item["name"].strip():
                raise InvalidInput(f"{where}: name: required field is missing")
            if plural == "semantic_models":
                _model(project, item, file, where)
            elif plural == "metrics":
                project.metrics.append((item, file))
            else:
                project.queries.append((item, file))


def _listed(file: _File, section: str, items: Any) -> list[Any]:
    if not isinstance(items, list):
        raise InvalidInput(f"{file.shown}: {section}: expected a list")
    return items


def _model(project: _Project, model: dict[str, Any], file: _File, where: str) -> None:
    name = model["name"]
    if name in project.models:
        raise InvalidInput(f"{where}: semantic model {name!r} is defined twice")
    project.models[name] = (model, file)
    for measure in _mappings(model.get("measures")):
        if isinstance(measure.get("name"), str):
            project.measures[measure["name"]] = (measure, name)
            if measure.get("create_metric") is True:  # dbt makes it a simple metric
                project.implied.append(({
                    "name": measure["name"], "type": "simple", "label": measure.get("label"),
                    "type_params": {"measure": measure["name"]}}, file))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _mappings(items: Any) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


# --- what a metric means ------------------------------------------------------------------


def _metric(project: _Project, metric: dict[str, Any], file: _File, scope: str | None
            ) -> dict[str, Any]:
    params = _dict(metric.get("type_params"))
    kind = str(metric.get("type") or "simple").lower()
    measure = _name(params.get("measure"))
    model = project.models.get(project.measures.get(measure or "", ({}, ""))[1], ({}, file))[0]
    if not params and metric.get("calculation_method"):  # dbt's metrics before 1.6
        params = {"agg": metric["calculation_method"], "expr": metric.get("expression")}
    sentence, formula = _meaning(project, kind, params, metric)
    description = metric.get("description")
    if not (isinstance(description, str) and description.strip()) and kind == "simple":
        described = project.measures.get(measure or "", ({}, ""))[0].get("description")
        description = described if isinstance(described, str) else None
    text = _text(description) or sentence
    filters = _filters(metric.get("filter"))
    if filters:
        formula += f" where {filters}"
        if not _text(metric.get("description")):
            text = f"{text.rstrip('.')}; only where {filters}"
    return _definition(metric, file, scope, model, text, formula)


def _definition(item: dict[str, Any], file: _File, scope: str | None, model: dict[str, Any],
                text: str, formula: str) -> dict[str, Any]:
    name = item["name"]
    chosen = scope or _meta(item, "scope") or _meta(model, "scope")
    if chosen is not None and not SCOPE.fullmatch(chosen):
        raise InvalidInput(f"{file.shown}: {name}: meta.scope: {chosen[:60]!r} is not a scope "
                           "(lowercase letters, digits and _, starting with a letter)")
    label = item.get("label")
    record: dict[str, Any] = {
        "id": f"def:{slug(name)}@{chosen or 'global'}",
        "term": label.strip() if isinstance(label, str) and label.strip() else name,
        "scope": chosen, "text": text, "formula": formula, "source": file.source_id,
    }
    owner = _meta(item, "owner") or _meta(model, "owner")
    if owner:
        record["owner"] = owner
    return record


def _meaning(project: _Project, kind: str, params: dict[str, Any], metric: dict[str, Any]
             ) -> tuple[str, str]:
    """(a sentence saying what the metric is, its formula) from its type and parameters."""
    if kind == "ratio":
        num, den = _name(params.get("numerator")), _name(params.get("denominator"))
        return f"ratio of {num} to {den}", f"{_ref(params.get('numerator'))} / " \
                                            f"{_ref(params.get('denominator'))}"
    if kind == "derived":
        expr = str(params.get("expr") or "")
        used = [_name(m) for m in params.get("metrics") or [] if _name(m)]
        return (f"derived from {_joined(used)} as {expr}" if used else f"derived as {expr}",
                expr)
    if kind == "conversion":
        conv = _dict(params.get("conversion_type_params"))
        base, to = _name(conv.get("base_measure")), _name(conv.get("conversion_measure"))
        calc = str(conv.get("calculation") or "conversion_rate").replace("_", " ")
        window = f" within {conv['window']}" if conv.get("window") else ""
        per = f" per {conv['entity']}" if conv.get("entity") else ""
        return (f"{calc} from {base} to {to}{per}{window}",
                f"{calc}({base} -> {to}{per}{window})")
    if kind == "cumulative":
        cumulative = _dict(params.get("cumulative_type_params"))
        span = cumulative.get("window") or params.get("window")
        grain = cumulative.get("grain_to_date") or params.get("grain_to_date")
        over = f" over a {span} window" if span else (
            f" from the start of each {grain}" if grain else " over all time")
        sentence, formula = _aggregate(project, params)
        return f"cumulative {sentence}{over}", f"cumulative {formula}{over}"
    return _aggregate(project, params, what=metric.get("name"))


def _aggregate(project: _Project, params: dict[str, Any], what: Any = None) -> tuple[str, str]:
    """A simple metric's measure as a sentence and as AGG(expr)."""
    name = _name(params.get("measure")) or _name(params.get("metric")) or str(what)
    measure, model = project.measures.get(name, ({}, ""))
    agg = str(measure.get("agg") or params.get("agg") or "").lower()
    expr = str(measure.get("expr") or params.get("expr") or name).strip()
    if not agg:
        return f"measure {name}", name
    phrase = AGGREGATIONS.get(agg, agg.replace("_", " "))
    percentile = _dict(measure.get("agg_params")).get("percentile")
    if percentile is not None:
        phrase = f"{percentile} {phrase}"
    origin = f" in {model}" if model else ""
    if expr == "1" and agg in ("sum", "count"):
        phrase, expr_shown = "number", "rows"
    else:
        expr_shown = expr
    which = f" (measure {name})" if measure else ""
    return f"{phrase} of {expr_shown}{origin}{which}", f"{agg.upper()}({expr})"


def _saved_query(query: dict[str, Any], file: _File, scope: str | None) -> dict[str, Any]:
    params = _dict(query.get("query_params"))
    metrics = [str(m) for m in params.get("metrics") or []]
    group_by = [str(g) for g in params.get("group_by") or []]
    where = _filters(params.get("where"))
    formula = "metrics: " + ", ".join(metrics) + (
        f"; group by: {', '.join(group_by)}" if group_by else "") + (
        f"; where: {where}" if where else "")
    sentence = f"saved query of {_joined(metrics)}" + (
        f" by {_joined(group_by)}" if group_by else "")
    return _definition(query, file, scope, {}, _text(query.get("description")) or sentence,
                       formula)


def _name(ref: Any) -> str | None:
    """The name a metric's parameter refers to: `measure: x` or `measure: {name: x, ...}`."""
    if isinstance(ref, dict):
        ref = ref.get("name")
    return str(ref) if ref is not None and str(ref).strip() else None


def _ref(ref: Any) -> str:
    """A numerator or denominator in a formula, with its own filter."""
    name = _name(ref) or "?"
    filters = _filters(ref.get("filter")) if isinstance(ref, dict) else ""
    return f"({name} where {filters})" if filters else name


def _filters(value: Any) -> str:
    items = value if isinstance(value, list) else [value] if value else []
    return " and ".join(" ".join(str(v).split()) for v in items if str(v).strip())


def _text(value: Any) -> str | None:
    """A description as one paragraph: YAML block text keeps its line breaks."""
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.split())


def _joined(names: list[Any]) -> str:
    names = [str(n) for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] \
        if names else "nothing"


def _meta(item: dict[str, Any], key: str) -> str | None:
    """meta.KEY or config.meta.KEY, as text (a list of owners joined, a mapping's name and
    email)."""
    config = _dict(item.get("config"))
    for meta in (item.get("meta"), config.get("meta")):
        if isinstance(meta, dict) and meta.get(key) not in (None, ""):
            value = meta[key]
            if isinstance(value, list):
                return ", ".join(map(str, value))
            if isinstance(value, dict):
                parts = [str(value[k]) for k in ("name", "email") if value.get(k)]
                return " ".join(parts) or str(value)
            return str(value)
    return None


# --- entities and sources -----------------------------------------------------------------


def _entities(project: _Project) -> list[dict[str, Any]]:
    """Primary, unique and natural entities, once each however many models they key, with
    those models' names as aliases."""
    from factstore.resolver import normalize

    found: dict[str, dict[str, Any]] = {}
    for model_name, (model, file) in project.models.items():
        for entity in _mappings(model.get("entities")):
            if str(entity.get("type") or "").lower() not in OBJECT_TYPES:
                continue
            name = str(entity.get("name") or "").strip()
            if not name:
                continue
            entity_id = "dbt." + slug(name)
            record = found.get(entity_id)
            if record is None:
                label = entity.get("label")
                shown = label.strip() if isinstance(label, str) and label.strip() else \
                    name.replace("_", " ")
                description = _text(entity.get("description")) or (
                    f"A business object of the dbt semantic layer: the {entity['type'].lower()} "
                    f"entity of semantic model {model_name}"
                    + (f" ({entity['expr']})" if entity.get("expr") else "") + ".")
                record = found[entity_id] = {
                    "id": entity_id, "kind": "business_object", "name": shown,
                    "description": description, "source": file.source_id, "aliases": [],
                }
                seen = {normalize(shown)}
                record["_seen"] = seen
            for alias in (name, model_name):
                key = normalize(alias)
                if key and key not in record["_seen"]:
                    record["_seen"].add(key)
                    record["aliases"].append({"alias": alias, "source": file.source_id})
    for record in found.values():
        del record["_seen"]
    return list(found.values())


def _source(file: _File, git: _Git) -> dict[str, Any]:
    commit = git.last_commit(file.path)
    record: dict[str, Any] = {"id": file.source_id, "kind": "system_of_record",
                              "authority": AUTHORITY, "uri": file.path.as_posix()}
    title = f"{file.shown} (dbt semantic layer"
    if commit:
        sha, day, dirty = commit
        title += f", git commit {sha}" + (", with uncommitted changes" if dirty else "")
        record["uri"] = f"{file.shown}@{sha}"
        record["captured_at"] = day
    record["title"] = title + ")"
    return record


class _Git:
    """The git repository a folder is in, if any (git missing or failing is 'none')."""

    def __init__(self, folder: Path) -> None:
        top = self._run(folder, "rev-parse", "--show-toplevel")
        self.top = Path(top).resolve() if top else None

    @staticmethod
    def _run(folder: Path, *args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                                  text=True, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    def relative(self, path: Path) -> str | None:
        """The path from the repository's root, for a file the repository keeps (tracked, or
        new and not ignored); None for one it ignores (a package installed under a tool's own
        git checkout, as pyenv's versions/ are) or one outside it."""
        if self.top is None:
            return None
        try:
            shown = path.resolve().relative_to(self.top).as_posix()
        except ValueError:
            return None
        return None if self._run(self.top, "check-ignore", "-q", shown) is not None else shown

    def last_commit(self, path: Path) -> tuple[str, str, bool] | None:
        """(the last commit that changed the file, its date, whether the file has changes
        not committed), or None when the file is not in git history."""
        if self.top is None or self.relative(path) is None:
            return None
        line = self._run(self.top, "log", "-1", "--format=%H %cs", "--", str(path.resolve()))
        if not line:
            return None
        sha, day = line.split()
        status = self._run(self.top, "status", "--porcelain", "--", str(path.resolve()))
        return sha, day, bool(status)


__all__ = [
    "AGGREGATIONS", "AUTHORITY", "OBJECT_TYPES", "SECTIONS", "SKIPPED_DIRS", "SNIFF",
    "is_dbt_yaml", "load_dbt"
]
