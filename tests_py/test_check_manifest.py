"""scripts/check_manifest.py catches each gap on a small hand-written manifest, and passes a clean one."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_manifest.py"
PROJECT = "customer_tiering"


GATE = f"model.{PROJECT}.stg_raw__load_gate"


def model(name, path, columns=None, description="One row per customer.", depends_on=None, **extra):
    """A model node; without depends_on, an intermediate or mart model reads the load gate (D72)."""
    if depends_on is None:
        depends_on = (GATE,) if path.startswith(("models/intermediate/", "models/marts/")) else ()
    node = {
        "unique_id": f"model.{PROJECT}.{name}",
        "resource_type": "model",
        "package_name": PROJECT,
        "name": name,
        "original_file_path": path,
        "description": description,
        "columns": {
            column: {"name": column, "description": text, "meta": {}, "constraints": []}
            for column, text in (columns or {"customer_id": "The customer."}).items()
        },
        "depends_on": {"macros": [], "nodes": list(depends_on)},
        "config": {"materialized": "table"},
        "contract": {"enforced": False},
        "constraints": [],
    }
    node.update(extra)
    return node


def data_test(test_name, model_name, column=None, **kwargs):
    attached = f"model.{PROJECT}.{model_name}"
    suffix = f"_{column}" if column else ""
    return {
        "unique_id": f"test.{PROJECT}.{test_name}_{model_name}{suffix}.0",
        "resource_type": "test",
        "package_name": PROJECT,
        "name": f"{test_name}_{model_name}{suffix}",
        "attached_node": attached,
        "column_name": column,
        "test_metadata": {"name": test_name, "namespace": None, "kwargs": {"column_name": column, **kwargs}},
        "depends_on": {"macros": [], "nodes": [attached]},
    }


def clean_manifest():
    """Three layers, every rule satisfied; the cases below each break one thing."""
    nodes = [
        model("stg_raw__customers", "models/staging/raw/stg_raw__customers.sql",
              columns={"customer_id": "The customer.", "customer_type": "b2b or b2c."},
              depends_on=[f"source.{PROJECT}.raw.customers"]),
        model("stg_raw__load_gate", "models/staging/raw/stg_raw__load_gate.sql",
              columns={"entity": "The raw entity.", "passed": "Whether it passed."},
              depends_on=[f"model.{PROJECT}.stg_raw__customers"]),
        model("int_customers_scored", "models/intermediate/rfm/int_customers_scored.sql",
              columns={"customer_id": "The customer.", "r_score": "Recency score."},
              depends_on=[f"model.{PROJECT}.stg_raw__customers", f"model.{PROJECT}.stg_raw__load_gate"]),
        model("customer_segments", "models/marts/customer_segments.sql",
              columns={"customer_id": "The customer.", "abc_class": "A, B or C."},
              depends_on=[f"model.{PROJECT}.int_customers_scored", f"seed.{PROJECT}.rfm_segments"]),
        data_test("unique", "stg_raw__customers", "customer_id"),
        data_test("accepted_values_columns", "stg_raw__customers", values_by_column={"customer_type": ["b2b", "b2c"]}),
        data_test("unique", "stg_raw__load_gate", "entity"),
        data_test("unique", "int_customers_scored", "customer_id"),
        data_test("unique", "customer_segments", "customer_id"),
        data_test("accepted_values_columns", "customer_segments", values_by_column={"abc_class": ["A", "B", "C"]}),
        data_test("not_null_columns", "customer_segments", columns=["customer_id"]),
    ]
    return {
        "metadata": {"project_name": PROJECT},
        "nodes": {node["unique_id"]: node for node in nodes},
        "sources": {},
    }


def clean_catalog():
    return {"nodes": {
        f"model.{PROJECT}.stg_raw__customers": {"columns": {"CUSTOMER_ID": {}, "CUSTOMER_TYPE": {}}},
        f"model.{PROJECT}.stg_raw__load_gate": {"columns": {"entity": {}, "passed": {}}},
        f"model.{PROJECT}.int_customers_scored": {"columns": {"customer_id": {}, "r_score": {}}},
        f"model.{PROJECT}.customer_segments": {"columns": {"customer_id": {}, "abc_class": {}}},
    }}


def run(tmp_path, manifest, catalog=None, extra_args=()):
    manifest_path = tmp_path / "manifest.json"
    manifest_path.write_text(json.dumps(manifest))
    args = [sys.executable, str(SCRIPT), str(manifest_path), *extra_args]
    if catalog is not None:
        catalog_path = tmp_path / "catalog.json"
        catalog_path.write_text(json.dumps(catalog))
        args += ["--catalog", str(catalog_path)]
    completed = subprocess.run(args, capture_output=True, text=True, timeout=30)
    return completed.returncode, completed.stdout


def nodes(manifest):
    return manifest["nodes"]


def mart(manifest):
    return nodes(manifest)[f"model.{PROJECT}.customer_segments"]


def drop_test(manifest, unique_id_start):
    for uid in [uid for uid in nodes(manifest) if uid.startswith(unique_id_start)]:
        del nodes(manifest)[uid]


def test_clean_manifest_passes(tmp_path):
    code, out = run(tmp_path, clean_manifest())
    assert code == 0, out
    assert out.strip() == "manifest check: 4 models, 8 columns, 0 problems"


def test_clean_manifest_and_catalog_pass(tmp_path):
    code, out = run(tmp_path, clean_manifest(), clean_catalog())
    assert code == 0, out


def test_models_of_other_packages_are_ignored(tmp_path):
    manifest = clean_manifest()
    foreign = model("some_package_model", "models/whatever.sql", description="")
    foreign["package_name"] = "some_package"
    nodes(manifest)[foreign["unique_id"]] = foreign
    code, out = run(tmp_path, manifest)
    assert code == 0, out


def test_model_without_description(tmp_path):
    manifest = clean_manifest()
    mart(manifest)["description"] = "  "
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert "models/marts/customer_segments.sql: model has no description" in out
    assert out.strip().endswith("manifest check: 4 models, 8 columns, 1 problems")


def test_column_without_description(tmp_path):
    manifest = clean_manifest()
    nodes(manifest)[f"model.{PROJECT}.int_customers_scored"]["columns"]["r_score"]["description"] = ""
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert "int_customers_scored.sql: column `r_score` has no description" in out


def test_catalog_column_missing_from_yaml(tmp_path):
    catalog = clean_catalog()
    catalog["nodes"][f"model.{PROJECT}.customer_segments"]["columns"]["segment_label"] = {}
    code, out = run(tmp_path, clean_manifest(), catalog)
    assert code == 1
    assert "column `segment_label` is produced by the SQL but not listed in the YAML" in out
    # Without the catalog only the YAML is checked.
    assert run(tmp_path, clean_manifest())[0] == 0


def test_yaml_column_the_sql_does_not_produce(tmp_path):
    catalog = clean_catalog()
    del catalog["nodes"][f"model.{PROJECT}.int_customers_scored"]["columns"]["r_score"]
    code, out = run(tmp_path, clean_manifest(), catalog)
    assert code == 1
    assert "column `r_score` is listed in the YAML but not produced by the SQL" in out


def test_model_missing_from_catalog(tmp_path):
    catalog = clean_catalog()
    del catalog["nodes"][f"model.{PROJECT}.customer_segments"]
    code, out = run(tmp_path, clean_manifest(), catalog)
    assert code == 1
    assert "customer_segments.sql: not in the catalog" in out


def test_model_without_primary_key_test(tmp_path):
    manifest = clean_manifest()
    drop_test(manifest, f"test.{PROJECT}.unique_customer_segments")
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert "customer_segments.sql: no primary-key test" in out


def test_unique_combination_is_a_primary_key(tmp_path):
    manifest = clean_manifest()
    drop_test(manifest, f"test.{PROJECT}.unique_customer_segments")
    pk = data_test("unique_combination", "customer_segments", combination_of_columns=["customer_id", "abc_class"])
    nodes(manifest)[pk["unique_id"]] = pk
    code, out = run(tmp_path, manifest)
    assert code == 0, out


@pytest.mark.parametrize("level", ["model", "column"])
def test_enforced_primary_key_constraint_is_a_primary_key(tmp_path, level):
    manifest = clean_manifest()
    drop_test(manifest, f"test.{PROJECT}.unique_customer_segments")
    constraint = {"type": "primary_key", "expression": None}
    if level == "model":
        mart(manifest)["constraints"] = [{**constraint, "columns": ["customer_id"]}]
    else:
        mart(manifest)["columns"]["customer_id"]["constraints"] = [constraint]
    assert run(tmp_path, manifest)[1].count("no primary-key test") == 1  # contract not enforced
    mart(manifest)["contract"] = {"enforced": True}
    code, out = run(tmp_path, manifest)
    assert code == 0, out


@pytest.mark.parametrize("column", ["abc_class", "status", "customer_type", "lifecycle_stage", "reject_reason"])
def test_enum_column_without_accepted_values(tmp_path, column):
    manifest = clean_manifest()
    mart(manifest)["columns"][column] = {"name": column, "description": "An enum.", "meta": {}, "constraints": []}
    drop_test(manifest, f"test.{PROJECT}.accepted_values_columns_customer_segments")
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert f"enum column `{column}` has no accepted_values" in out


def test_enum_column_in_catalog_only_is_checked_too(tmp_path):
    catalog = clean_catalog()
    catalog["nodes"][f"model.{PROJECT}.int_customers_scored"]["columns"]["segment_code"] = {}
    code, out = run(tmp_path, clean_manifest(), catalog)
    assert "enum column `segment_code` has no accepted_values" in out


def test_non_enum_names_and_raw_copies_need_no_accepted_values(tmp_path):
    manifest = clean_manifest()
    for column in ("classification_note", "raw_status", "statuses_seen"):
        mart(manifest)["columns"][column] = {"name": column, "description": "Text.", "meta": {}, "constraints": []}
    code, out = run(tmp_path, manifest)
    assert code == 0, out


def test_enum_guarded_by_relationships_or_opted_out(tmp_path):
    manifest = clean_manifest()
    for column in ("segment_code", "promo_code"):
        mart(manifest)["columns"][column] = {"name": column, "description": "Code.", "meta": {}, "constraints": []}
    code, out = run(tmp_path, manifest)
    assert "`segment_code`" in out and "`promo_code`" in out
    guard = data_test("relationships", "customer_segments", "segment_code", to="ref('rfm_segments')", field="segment_code")
    nodes(manifest)[guard["unique_id"]] = guard
    mart(manifest)["columns"]["promo_code"]["meta"] = {"enum": False}
    code, out = run(tmp_path, manifest)
    assert code == 0, out


@pytest.mark.parametrize("level", ["model", "column"])
def test_enforced_check_constraint_guards_an_enum(tmp_path, level):
    manifest = clean_manifest()
    drop_test(manifest, f"test.{PROJECT}.accepted_values_columns_customer_segments")
    check = {"type": "check", "expression": "abc_class in ('A', 'B', 'C')"}
    if level == "model":
        mart(manifest)["constraints"] = [check]
    else:
        mart(manifest)["columns"]["abc_class"]["constraints"] = [check]
    assert "enum column `abc_class`" in run(tmp_path, manifest)[1]  # contract not enforced
    mart(manifest)["contract"] = {"enforced": True}
    code, out = run(tmp_path, manifest)
    assert code == 0, out


@pytest.mark.parametrize("kind, kwargs", [("not_null", {}), ("accepted_values", {"values": ["A", "B", "C"]})])
def test_a_column_level_test_the_model_level_one_covers_is_flagged(tmp_path, kind, kwargs):
    """One node per model (D160): a per-column not_null or accepted_values belongs in the list."""
    manifest = clean_manifest()
    per_column = data_test(kind, "customer_segments", "abc_class", **kwargs)
    nodes(manifest)[per_column["unique_id"]] = per_column
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert (f"customer_segments.sql: column `abc_class` has its own `{kind}` test: "
            f"list it in the model's `{kind}_columns` test instead") in out
    # Conditional (config `where`): a different check, so it stays a test of its own.
    per_column["config"] = {"where": "abc_class <> 'C'"}
    code, out = run(tmp_path, manifest)
    assert code == 0, out


def test_a_listed_column_must_be_a_yaml_column(tmp_path):
    manifest = clean_manifest()
    nodes(manifest)[f"test.{PROJECT}.not_null_columns_customer_segments.0"]["test_metadata"]["kwargs"]["columns"] \
        = ["customer_id", "custmer_type"]
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert "customer_segments.sql: `not_null_columns` lists `custmer_type`, which is not a column of the YAML" in out


def test_model_level_lists_count_per_column(tmp_path):
    """accepted_values_columns guards each enum it lists; not_null_columns twins each not_null constraint."""
    manifest = clean_manifest()
    mart(manifest)["contract"] = {"enforced": True}
    mart(manifest)["columns"]["abc_class"]["constraints"] = [{"type": "not_null", "expression": None}]
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert ("customer_segments.sql: column `abc_class` has a not_null constraint but no not_null test" in out)
    nodes(manifest)[f"test.{PROJECT}.not_null_columns_customer_segments.0"]["test_metadata"]["kwargs"]["columns"] \
        = ["customer_id", "abc_class"]
    code, out = run(tmp_path, manifest)
    assert code == 0, out


def _describe(manifest, model_name, column, text):
    nodes(manifest)[f"model.{PROJECT}.{model_name}"]["columns"][column] = {
        "name": column, "description": text, "meta": {}, "constraints": []}


def test_one_column_described_in_different_words_across_models(tmp_path):
    """D161: one wording per column name, so `customer_id` cannot drift into 14 phrasings."""
    manifest = clean_manifest()
    _describe(manifest, "int_customers_scored", "customer_id", "Primary key; a customer of the run.")
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert ("columns: `customer_id` is described in 2 wordings across models (int_customers_scored (1), "
            "customer_segments (2), stg_raw__customers (2))") in out
    assert out.strip().endswith("1 problems")


def test_the_same_words_laid_out_differently_are_one_wording(tmp_path):
    manifest = clean_manifest()
    _describe(manifest, "int_customers_scored", "customer_id", "The\n  customer. ")
    code, out = run(tmp_path, manifest)
    assert code == 0, out


def test_a_seed_column_counts_too(tmp_path):
    manifest = clean_manifest()
    seed = {**model("rfm_segments", "seeds/reference/rfm_segments.csv",
                    columns={"customer_id": "Whoever it is."}), "resource_type": "seed",
            "unique_id": f"seed.{PROJECT}.rfm_segments"}
    nodes(manifest)[seed["unique_id"]] = seed
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert "`customer_id` is described in 2 wordings" in out and "rfm_segments (2)" in out


@pytest.mark.parametrize("column, model_name", [
    ("revenue", "int_customers_scored"),                     # allowed for every model: argued per name
    ("frequency", "lifecycle_stage"),                          # allowed for one model's column only
])
def test_divergent_meanings_are_allowed_where_argued(tmp_path, column, model_name):
    manifest = clean_manifest()
    extra = model("lifecycle_stage", "models/marts/lifecycle_stage.sql")
    nodes(manifest)[extra["unique_id"]] = extra
    pk = data_test("unique", "lifecycle_stage", "customer_id")
    nodes(manifest)[pk["unique_id"]] = pk
    _describe(manifest, "customer_segments", column, "One meaning.")
    _describe(manifest, model_name, column, "Another meaning.")
    code, out = run(tmp_path, manifest)
    assert code == 0, out
    # The same two wordings under a name nobody argued for are flagged.
    _describe(manifest, "customer_segments", "recency_days", "One meaning.")
    _describe(manifest, model_name, "recency_days", "Another meaning.")
    assert "`recency_days` is described in 2 wordings" in run(tmp_path, manifest)[1]


def test_checked_base_models_are_compared_among_themselves(tmp_path):
    """Columns before validation (NULL when blank) say so; the clean models' wording cannot."""
    manifest = clean_manifest()
    for name in ("base_raw__orders_checked", "base_raw__renewals_checked"):
        extra = model(name, f"models/staging/raw/{name}.sql", columns={"customer_id": "The customer, trimmed; NULL when blank."},
                      depends_on=[f"source.{PROJECT}.raw.orders"])
        nodes(manifest)[extra["unique_id"]] = extra
        pk = data_test("unique", name, "customer_id")
        nodes(manifest)[pk["unique_id"]] = pk
    code, out = run(tmp_path, manifest)
    assert code == 0, out
    _describe(manifest, "base_raw__renewals_checked", "customer_id", "The subscriber, trimmed.")
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert ("`customer_id` is described in 2 wordings across models (base_raw__orders_checked (1), "
            "base_raw__renewals_checked (2))") in out


def test_source_outside_staging(tmp_path):
    manifest = clean_manifest()
    mart(manifest)["depends_on"]["nodes"].append(f"source.{PROJECT}.raw.orders")
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert f"customer_segments.sql: calls source() outside staging: source.{PROJECT}.raw.orders" in out


def test_a_tier_model_not_downstream_of_the_load_gate(tmp_path):
    manifest = clean_manifest()
    scored = nodes(manifest)[f"model.{PROJECT}.int_customers_scored"]
    scored["depends_on"]["nodes"].remove(f"model.{PROJECT}.stg_raw__load_gate")
    code, out = run(tmp_path, manifest)
    assert code == 1
    # the mart reads the ungated model only, so it is reported too
    assert "int_customers_scored.sql: is not downstream of `stg_raw__load_gate`" in out
    assert "customer_segments.sql: is not downstream of `stg_raw__load_gate`" in out
    assert "stg_raw__customers.sql: is not downstream" not in out


def test_an_ungated_exception_must_stay_ungated_and_the_gate_must_exist(tmp_path):
    manifest = clean_manifest()
    spine = model("time_spine_daily", "models/marts/semantic/time_spine_daily.sql",
                  columns={"date_day": "A day."}, depends_on=[])
    nodes(manifest)[spine["unique_id"]] = spine
    extra = data_test("unique", "time_spine_daily", "date_day")
    nodes(manifest)[extra["unique_id"]] = extra
    assert run(tmp_path, manifest)[0] == 0
    spine["depends_on"]["nodes"].append(f"model.{PROJECT}.stg_raw__load_gate")
    code, out = run(tmp_path, manifest)
    assert code == 1 and "time_spine_daily.sql: is listed in UNGATED but reads the load gate" in out
    manifest = clean_manifest()
    del nodes(manifest)[f"model.{PROJECT}.stg_raw__load_gate"]
    code, out = run(tmp_path, manifest)
    assert code == 1 and "no model `stg_raw__load_gate`" in out


@pytest.mark.parametrize("downstream, upstream, upstream_layer", [
    ("stg_raw__customers", "int_customers_scored", "intermediate"),
    ("stg_raw__customers", "customer_segments", "marts"),
    ("int_customers_scored", "customer_segments", "marts"),
])
def test_reference_to_a_later_layer(tmp_path, downstream, upstream, upstream_layer):
    manifest = clean_manifest()
    nodes(manifest)[f"model.{PROJECT}.{downstream}"]["depends_on"]["nodes"].append(f"model.{PROJECT}.{upstream}")
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert f"{downstream}.sql: refers to `{upstream}` of a later layer ({upstream_layer})" in out


@pytest.mark.parametrize("name, path, message", [
    ("customers", "models/staging/raw/customers.sql", "staging model name must start with stg_ or base_"),
    ("scored_customers", "models/intermediate/rfm/scored_customers.sql",
     "intermediate model name must start with int_"),
    ("int_segments", "models/marts/int_segments.sql", "mart name must not start with stg_, int_, base_"),
    ("helpers", "models/helpers.sql", "model is not under models/staging, models/intermediate or models/marts"),
])
def test_naming_and_placement(tmp_path, name, path, message):
    manifest = clean_manifest()
    extra = model(name, path)
    nodes(manifest)[extra["unique_id"]] = extra
    pk = data_test("unique", name, "customer_id")
    nodes(manifest)[pk["unique_id"]] = pk
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert f"{path}: {message}" in out
    assert out.strip().endswith("1 problems")


def test_base_models_are_staging(tmp_path):
    manifest = clean_manifest()
    extra = model("base_raw__orders_checked", "models/staging/raw/base_raw__orders_checked.sql",
                  depends_on=[f"source.{PROJECT}.raw.orders"])
    nodes(manifest)[extra["unique_id"]] = extra
    pk = data_test("unique", "base_raw__orders_checked", "customer_id")
    nodes(manifest)[pk["unique_id"]] = pk
    code, out = run(tmp_path, manifest)
    assert code == 0, out


def test_every_problem_is_listed(tmp_path):
    manifest = clean_manifest()
    mart(manifest)["description"] = ""
    mart(manifest)["columns"]["customer_id"]["description"] = ""
    drop_test(manifest, f"test.{PROJECT}.unique_customer_segments")
    code, out = run(tmp_path, manifest)
    assert code == 1
    assert out.strip().endswith("manifest check: 4 models, 8 columns, 3 problems")


def test_unreadable_manifest(tmp_path):
    completed = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "missing.json")],
                               capture_output=True, text=True, timeout=30)
    assert completed.returncode == 2
    assert "cannot read the manifest" in completed.stderr


def _stages_view(materialized="view", readers=("lifecycle_stage", "customer_segment_history")):
    """A manifest with the stages-by-date view of TESTED_THROUGH (no tests of its own) and its readers."""
    manifest = clean_manifest()
    view = model("int_customers_staged_by_as_of_date",
                 "models/intermediate/lifecycle/int_customers_staged_by_as_of_date.sql",
                 columns={"customer_id": "The customer.", "stage_rule": "The rung."},
                 depends_on=[f"model.{PROJECT}.stg_raw__customers", GATE])
    view["config"]["materialized"] = materialized
    nodes(manifest)[view["unique_id"]] = view
    for name in ("lifecycle_stage", "customer_segment_history"):
        reader = model(name, f"models/marts/{name}.sql",
                       depends_on=[view["unique_id"]] if name in readers else [f"model.{PROJECT}.int_customers_scored"])
        nodes(manifest)[reader["unique_id"]] = reader
        test = data_test("unique", name, "customer_id")
        nodes(manifest)[test["unique_id"]] = test
    return manifest


def test_a_view_tested_through_its_readers_needs_no_tests_of_its_own(tmp_path):
    code, out = run(tmp_path, _stages_view())
    assert code == 0, out


@pytest.mark.parametrize(("materialized", "readers", "message"), [
    ("table", ("lifecycle_stage", "customer_segment_history"), "is listed in TESTED_THROUGH but is not a view"),
    ("view", ("lifecycle_stage",), "TESTED_THROUGH names `customer_segment_history`, which does not read this view"),
])
def test_a_tested_through_view_must_be_a_view_read_by_its_testers(tmp_path, materialized, readers, message):
    code, out = run(tmp_path, _stages_view(materialized, readers))
    assert code == 1
    assert message in out
