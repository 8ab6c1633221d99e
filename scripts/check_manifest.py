#!/usr/bin/env python3
"""Documentation, test and layering coverage of the project's models, read from dbt's manifest.

A YAML typo (`descripton:`, a test indented one level too deep) passes silently on DuckDB; the
manifest shows what dbt actually understood. This script reports, for every model of the
project (not of installed packages):

- a model without a description;
- a YAML column without a description;
- with --catalog (from `dbt docs generate`): a column the SQL produces that the YAML does not
  list, a YAML column the SQL does not produce, and a (non-ephemeral) model not in the catalog;
- a model without a primary-key test: a `unique` test on a column, a `unique_combination` test,
  or an enforced contract with a primary_key constraint;
- an enum-like column (see ENUM_SUFFIXES and ENUM_NAMES) without an `accepted_values` test, a
  `relationships` test (its values are the keys of a reference table, e.g. a seed of segment
  codes) or an enforced contract check constraint naming the column. A column that only looks
  like an enum (a free-text `promo_code`) opts out with `meta: {enum: false}` in its YAML.
  `raw_<name>` columns are exempt: they keep a raw text value exactly as received, valid or not;
- a model-level `not_null_columns` / `accepted_values_columns` test (MULTI_COLUMN_TESTS) counts as
  a `not_null` / `accepted_values` test on each column it lists; a listed column the YAML does
  not have, and a column-level `not_null` / `accepted_values` (without a `where` config) that the
  model-level test would cover, are reported (one node per model, D160);
- an enforced `not_null` constraint without a `not_null` test on the column (D48: every
  constraint has a test twin, so Spark without Delta checks it too);
- one column name described in different words across models (compared after whitespace is
  collapsed): write the wording once, as a doc block in models/_columns.md, and use it in every
  model. Two kinds of exception, each argued: a column whose meaning truly differs between
  models (DIVERGENT_MEANINGS), and families of models compared only among themselves
  (DESCRIPTION_FAMILIES: the checked base models, whose columns hold values before validation;
  the parsed base models, whose columns hold the raw text and its parsed values; int_purchases_as_of,
  orders and subscription payments in one table);
- a view listed in TESTED_THROUGH is exempt from the primary-key and enum rules: every row it
  yields that any model stores is stored by the listed models, which carry those tests and must
  read the view (a test on the view would compute it again, every as-of date, per test); a
  listed model that is not a view, or a listed reader that does not read it, is reported;
- an intermediate or mart model that is not downstream of `stg_raw__load_gate` (D72): a file the
  gate stops must stop every tier, and a model that reads only clean staging would still be
  built from the rejected file's surviving rows. UNGATED lists the exceptions, each argued;
- a broken layer rule: only models under models/staging use source(); no model refers to a
  model of a later layer (staging < intermediate < marts); names carry their layer's prefix
  (staging: stg_ or base_, intermediate: int_, marts: none of these).

Constraints count only when the model's contract is enforced: otherwise dbt does not apply them.

Usage: python scripts/check_manifest.py [target/manifest.json] [--catalog target/catalog.json]
Exit status: 0 when nothing is reported, 1 when problems are listed, 2 when a file is unreadable.
Standard library only.
"""

import argparse
import json
import re
import sys
from pathlib import Path

LAYERS = ("staging", "intermediate", "marts")
LAYER_PREFIXES = {
    "staging": ("stg_", "base_"),
    "intermediate": ("int_",),
}
LAYERED_PREFIXES = ("stg_", "int_", "base_")
ENUM_SUFFIXES = (
    "_class", "_tier", "_status", "_state", "_stage", "_level", "_code", "_basis", "_rule", "_reason",
)
ENUM_NAMES = {"status", "kind", "billing_cycle", "customer_type"}
RAW_TEXT_PREFIX = "raw_"  # staging keeps each raw text value as received in raw_<column>
ENUM_GUARD_TESTS = {"accepted_values", "relationships"}
# One wording per column name across models (D161), except where the meaning truly differs. A key
# is a column name (every model that carries it) or `model.column` (that model's column only).
DIVERGENT_MEANINGS = {
    "revenue": "net revenue summed over each mart's own grain: a segment's customers, a cohort month, "
               "a migration move, the retained subscriptions' periods",
    "customers": "a count of customers at each model's own grain: a segment, a score bin, a move",
    "cohort_month": "churn cohorts start at the first purchase, subscription cohorts at the first period",
    "retention_rate": "customers per cohort month in churn_cohort, subscriptions per billing period in "
                      "subscription_cohort",
    "revenue_retention": "as retention_rate: months of a customer cohort or billing periods of a subscription cohort",
    "is_partial_period": "a calendar month in churn_cohort, a billing period in subscription_cohort",
    "periods_since_start": "billing periods since a cohort's start in subscription_cohort; the place in an "
                           "unbroken run of renewals (NULL after a restart) in int_subscription_payments",
    "dimension": "an RFM dimension (recency, frequency, monetary) in int_rfm_cut_points; what moved "
                 "(segment, value tier, lifecycle stage) in segment_migration",
    "status": "an order's status in the orders models, a subscription period's state at export in the "
              "renewals models",
    "currency": "an order's own currency, a period's own currency, the currency a rate converts (fx_rates)",
    "int_customers_clv_inputs.frequency": "the BG/NBD convention of the CLV inputs: repeat purchase days "
                                          "(purchase days - 1), not the RFM count of purchases",
    "lifecycle_stage.frequency": "0 for a customer without a purchase (a count the lifecycle rules "
                                 "compare), where the RFM models leave a prospect's frequency NULL",
    "int_customers_staged_by_as_of_date.frequency": "as lifecycle_stage.frequency, one row per as-of date",
    "subscription_cohort.billing_cycle": "a cohort key: the cycle of the subscriptions' first period, in "
                                         "which periods_since_start counts",
    "int_subscription_periods_as_of.renewed_date": "as of the as-of date: NULL when the renewal was paid "
                                                   "after it; in staging, the payment date as received",
    "int_subscription_periods_by_as_of_date.renewed_date": "as int_subscription_periods_as_of.renewed_date, "
                                                           "per as-of date",
}
# Views whose grain and enum columns are tested where their rows are stored (DECISIONLOG D188):
# view -> the models that read it and carry the tests. The stages by date: lifecycle_stage holds
# the current date's rows (grain, stage, rule and subscription state tested); the history holds
# every date's stage (grain and stage values tested; a repeated stage row would repeat history
# rows and fail its grain test). The rule and state of past dates are stored nowhere.
# The subscription periods by date (D189): int_subscription_periods_as_of holds the current
# date's rows (grain, enums, relationships tested); the subscription states by date store every date's
# aggregate of them (grain tested). The periods of past dates are stored nowhere.
TESTED_THROUGH = {
    "int_customers_staged_by_as_of_date": ("lifecycle_stage", "customer_segment_history"),
    "int_subscription_periods_by_as_of_date": ("int_subscription_periods_as_of",
                                               "int_customers_subscription_states_by_as_of_date"),
}
# Models whose columns are compared only among themselves (model name prefix -> family): the
# checked base models hold every raw row before validation, so their columns are NULL when blank
# and text as received; int_purchases_as_of holds orders and subscription payments in one table,
# so each order column says what it holds on a payment (NULL, 0, the period's amount).
DESCRIPTION_FAMILIES = {"base_raw__": "checked", "int_purchases_as_of": "purchases"}
# ... except the parsed base models (name suffix), whose columns hold the raw text as received
# and its parsed values, before any check (docs/incremental-loads.md)
DESCRIPTION_FAMILY_SUFFIXES = {"_parsed": "parsed"}

# Model-level tests over several columns (tests/generic): the per-column test each one stands
# for, and the argument that lists the columns (a list, or a map keyed by column).
# Intermediate and mart models that need not be downstream of the load gate, with the reason.
LOAD_GATE = "stg_raw__load_gate"
UNGATED = {
    "time_spine_daily": "a calendar of dates generated from no input",
}
MULTI_COLUMN_TESTS = {
    "not_null_columns": ("not_null", "columns"),
    "accepted_values_columns": ("accepted_values", "values_by_column"),
}


def normalise(column_name):
    """A column name as the warehouse sees it: unquoted and lower-cased."""
    return str(column_name).strip().strip('"`[]').lower()


def is_enum_column(column_name):
    if column_name.startswith(RAW_TEXT_PREFIX):
        return False
    return column_name in ENUM_NAMES or column_name.endswith(ENUM_SUFFIXES)


def opts_out_of_enum(column):
    """True when the column's YAML says `meta: {enum: false}` (directly or under config)."""
    metas = [column.get("meta") or {}, (column.get("config") or {}).get("meta") or {}]
    return any(meta.get("enum") is False for meta in metas)


def layer_of(node):
    """The layer folder right under the model path (models/<layer>/...), or None."""
    parts = Path(node.get("original_file_path", "")).parts
    if len(parts) >= 3 and parts[1] in LAYERS:
        return parts[1]
    return None


def tests_by_model(manifest):
    """{model unique_id: [(test name, tested column or None)]} for every generic test."""
    attached = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "test" or not node.get("test_metadata"):
            continue
        target = node.get("attached_node")
        if not target:
            # Older manifests: a test on one model depends on that model only.
            models = [d for d in node.get("depends_on", {}).get("nodes", []) if d.startswith("model.")]
            target = models[0] if len(models) == 1 else None
        if not target:
            continue
        metadata = node["test_metadata"]
        kwargs = metadata.get("kwargs") or {}
        if metadata.get("name") in MULTI_COLUMN_TESTS:
            kind, argument = MULTI_COLUMN_TESTS[metadata["name"]]
            listed = kwargs.get(argument) or []
            attached.setdefault(target, []).extend(
                (kind, normalise(column)) for column in ([listed] if isinstance(listed, str) else listed)
            )
            continue
        column = node.get("column_name") or kwargs.get("column_name")
        per_column = (metadata.get("name") in {kind for kind, _ in MULTI_COLUMN_TESTS.values()}
                      and column and not (node.get("config") or {}).get("where"))
        attached.setdefault(target, []).append(
            (metadata.get("name"), normalise(column) if column else None)
        )
        if per_column:
            # One node per column where a model-level test covers the list (D160).
            attached[target].append(("per_column:" + metadata["name"], normalise(column)))
    return attached


def enforced_constraints(model):
    """[(constraint type, column or None, expression)] of an enforced contract, else []."""
    if not (model.get("contract") or {}).get("enforced"):
        return []
    found = []
    for constraint in model.get("constraints") or []:
        columns = constraint.get("columns") or [None]
        for column in columns:
            found.append((constraint.get("type"), normalise(column) if column else None,
                          constraint.get("expression") or ""))
    for name, column in (model.get("columns") or {}).items():
        for constraint in column.get("constraints") or []:
            found.append((constraint.get("type"), normalise(name), constraint.get("expression") or ""))
    return found


def check_model(model, tests, catalog_columns, models_by_id):
    """The problems of one model, as strings."""
    problems = []
    name = model["name"]
    yaml_columns = {normalise(c): c for c in (model.get("columns") or {})}
    constraints = enforced_constraints(model)

    if not (model.get("description") or "").strip():
        problems.append("model has no description")

    for key, original in yaml_columns.items():
        if not (model["columns"][original].get("description") or "").strip():
            problems.append(f"column `{key}` has no description")

    columns = set(yaml_columns)
    if catalog_columns is not None:
        produced = {normalise(c) for c in catalog_columns}
        for column in sorted(produced - columns):
            problems.append(f"column `{column}` is produced by the SQL but not listed in the YAML")
        for column in sorted(columns - produced):
            problems.append(f"column `{column}` is listed in the YAML but not produced by the SQL")
        columns |= produced

    multi_names = {kind: name for name, (kind, _) in MULTI_COLUMN_TESTS.items()}
    for test, column in tests:
        if test in multi_names and column and column not in yaml_columns:
            problems.append(f"`{multi_names[test]}` lists `{column}`, which is not a column of the YAML")
        if test.startswith("per_column:"):
            kind = test.split(":", 1)[1]
            problems.append(f"column `{column}` has its own `{kind}` test: list it in the model's "
                            f"`{multi_names[kind]}` test instead (one node per model, D160)")
    not_null = {column for test, column in tests if test == "not_null" and column}
    for kind, column, _ in constraints:
        if kind == "not_null" and column and column not in not_null:
            problems.append(f"column `{column}` has a not_null constraint but no not_null test "
                            "(list it in `not_null_columns`; D48: every constraint has a test twin)")

    tested_through = TESTED_THROUGH.get(name)
    if tested_through is not None:
        if (model.get("config") or {}).get("materialized") != "view":
            problems.append("is listed in TESTED_THROUGH but is not a view: test it where it is stored")
        readers = {node["name"]: node for node in models_by_id.values()}
        for reader in tested_through:
            if model["unique_id"] not in ((readers.get(reader) or {}).get("depends_on") or {}).get("nodes", []):
                problems.append(f"TESTED_THROUGH names `{reader}`, which does not read this view")

    has_primary_key = any(
        (test == "unique" and column) or test == "unique_combination" for test, column in tests
    ) or any(kind == "primary_key" for kind, _, _ in constraints)
    if not has_primary_key and tested_through is None:
        problems.append(
            "no primary-key test (`unique` on a column, `unique_combination`, "
            "or an enforced contract with a primary_key constraint)"
        )

    accepted = {column for test, column in tests if test in ENUM_GUARD_TESTS and column}
    accepted.update(key for key, original in yaml_columns.items()
                    if opts_out_of_enum(model["columns"][original]))
    for kind, column, expression in constraints:
        if kind != "check":
            continue
        if column:
            accepted.add(column)
        accepted.update(c for c in columns if re.search(rf"\b{re.escape(c)}\b", expression, re.I))
    for column in sorted(columns):
        if is_enum_column(column) and column not in accepted and tested_through is None:
            problems.append(
                f"enum column `{column}` has no accepted_values or relationships test "
                "(or enforced check constraint)"
            )

    layer = layer_of(model)
    if layer is None:
        problems.append("model is not under models/staging, models/intermediate or models/marts")
    else:
        depends_on = model.get("depends_on", {}).get("nodes", [])
        if layer != "staging":
            for source in sorted(d for d in depends_on if d.startswith("source.")):
                problems.append(f"calls source() outside staging: {source}")
        for dependency in sorted(depends_on):
            upstream = models_by_id.get(dependency)
            upstream_layer = layer_of(upstream) if upstream else None
            if upstream_layer and LAYERS.index(upstream_layer) > LAYERS.index(layer):
                problems.append(
                    f"refers to `{upstream['name']}` of a later layer ({upstream_layer})"
                )
        prefixes = LAYER_PREFIXES.get(layer)
        if prefixes and not name.startswith(prefixes):
            problems.append(f"{layer} model name must start with {' or '.join(prefixes)}")
        if layer == "marts" and name.startswith(LAYERED_PREFIXES):
            problems.append(f"mart name must not start with {', '.join(LAYERED_PREFIXES)}")

    return problems, len(columns)


def family_of(node):
    """Which models a column's description is compared with (DESCRIPTION_FAMILIES)."""
    for suffix, family in DESCRIPTION_FAMILY_SUFFIXES.items():
        if node.get("name", "").startswith("base_raw__") and node.get("name", "").endswith(suffix):
            return family
    for prefix, family in DESCRIPTION_FAMILIES.items():
        if node.get("name", "").startswith(prefix):
            return family
    return "clean"


def divergent_descriptions(nodes):
    """One line per column name described in more than one wording across models of a family."""
    wordings = {}
    for node in nodes:
        for name, column in (node.get("columns") or {}).items():
            key = normalise(name)
            if key in DIVERGENT_MEANINGS or f"{node['name']}.{key}" in DIVERGENT_MEANINGS:
                continue
            text = " ".join((column.get("description") or "").split())
            if text:
                wordings.setdefault((family_of(node), key), {}).setdefault(text, []).append(node["name"])
    lines = []
    for (family, column), texts in sorted(wordings.items()):
        if len(texts) > 1:
            models = ", ".join(f"{m} ({i + 1})" for i, (_, ms) in enumerate(sorted(texts.items()))
                               for m in sorted(ms))
            lines.append(f"columns: `{column}` is described in {len(texts)} wordings across models "
                         f"({models}): write it once as a doc block (models/_columns.md)")
    return lines


def ungated_models(models):
    """Intermediate and mart models with no path from the load gate (and stale UNGATED entries)."""
    gate = next((uid for uid, node in models.items() if node["name"] == LOAD_GATE), None)
    if gate is None:
        return [f"no model `{LOAD_GATE}`: nothing stops the tiers on a rejected file (D72)"]
    downstream, frontier = {gate}, [gate]
    readers = {}
    for uid, node in models.items():
        for dependency in (node.get("depends_on") or {}).get("nodes", []):
            readers.setdefault(dependency, []).append(uid)
    while frontier:
        for reader in readers.get(frontier.pop(), []):
            if reader not in downstream:
                downstream.add(reader)
                frontier.append(reader)
    lines = []
    for uid, node in sorted(models.items(), key=lambda item: item[1].get("original_file_path", item[0])):
        if layer_of(node) not in ("intermediate", "marts"):
            continue
        path = node.get("original_file_path", uid)
        if uid not in downstream and node["name"] not in UNGATED:
            lines.append(f"{path}: is not downstream of `{LOAD_GATE}`: a file the gate rejects would "
                         "still build it (D72); read the gate at run time, as int_subscription_payments does")
        elif uid in downstream and node["name"] in UNGATED:
            lines.append(f"{path}: is listed in UNGATED but reads the load gate: remove it from UNGATED")
    return lines


def check(manifest, catalog=None):
    """(problem lines, model count, column count) for a loaded manifest (and catalog)."""
    project = manifest.get("metadata", {}).get("project_name")
    models = {
        uid: node for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "model" and (project is None or node.get("package_name") == project)
    }
    tests = tests_by_model(manifest)
    catalog_nodes = (catalog or {}).get("nodes", {})
    lines, column_count = [], 0
    for uid, model in sorted(models.items(), key=lambda item: item[1].get("original_file_path", item[0])):
        catalog_columns = None
        if catalog is not None:
            if uid in catalog_nodes:
                catalog_columns = catalog_nodes[uid].get("columns", {}).keys()
            elif (model.get("config") or {}).get("materialized") != "ephemeral":
                lines.append(f"{model.get('original_file_path', uid)}: not in the catalog (not built?)")
        problems, columns = check_model(model, tests.get(uid, []), catalog_columns, models)
        column_count += columns
        lines.extend(f"{model.get('original_file_path', uid)}: {problem}" for problem in problems)
    seeds = [node for node in manifest.get("nodes", {}).values()
             if node.get("resource_type") == "seed" and (project is None or node.get("package_name") == project)]
    lines.extend(ungated_models(models))
    lines.extend(divergent_descriptions([*models.values(), *seeds]))
    return lines, len(models), column_count


def load_json(path, what):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        print(f"manifest check: cannot read the {what} {path}: {error}", file=sys.stderr)
        sys.exit(2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", nargs="?", default="target/manifest.json",
                        help="dbt manifest (default: target/manifest.json)")
    parser.add_argument("--catalog", help="dbt catalog from `dbt docs generate`, to compare "
                                          "the columns the SQL produces with the YAML")
    args = parser.parse_args(argv)

    manifest = load_json(args.manifest, "manifest")
    catalog = load_json(args.catalog, "catalog") if args.catalog else None
    lines, model_count, column_count = check(manifest, catalog)

    if lines:
        print("Problems:")
        for line in lines:
            print(f"  {line}")
    print(f"manifest check: {model_count} models, {column_count} columns, {len(lines)} problems")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
