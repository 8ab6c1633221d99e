"""Every generic test in tests/generic can pass and can fail.

A throw-away dbt project is written to a temporary folder: a copy of tests/generic and of the
project's macros (generic tests may call them; the harness keeps the project's name and dispatch
order so that they resolve as in the real project), a few seeds holding good and bad data, and
a schema that applies each generic test at least once where it must pass and once where it must
fail. One `dbt build` runs them all on a fresh DuckDB file; run_results.json must show exactly
the expected failures, each with the expected number of failing rows, and no errors.
"""

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from dbt_project_runner import run_dbt

PROJECT_ROOT = Path(__file__).resolve().parents[1]
GENERIC_TESTS = PROJECT_ROOT / "tests" / "generic"
MACROS = PROJECT_ROOT / "macros"
OVERRIDDEN_DBT_TESTS = {"unique"}  # dbt's own generic tests the project overrides (macros/duplicated_tuples.sql)

SEEDS = {
    # Scores as an RFM model would write them: lower recency is better, higher frequency is better.
    "scores_ok": """
        customer_id,recency_days,frequency,r_score,f_score
        C1,5,10,5,5
        C2,5,7,5,4
        C3,40,3,3,2
        C4,90,3,2,2
        C5,200,1,1,1
        C6,,,,
    """,
    # C1's r_score is out of range; C4 splits the frequency tie 3 across f_score 2 and 3, and
    # its recency 90 scores higher than the better recency 40.
    "scores_bad": """
        customer_id,recency_days,frequency,r_score,f_score
        C1,5,10,6,5
        C2,5,7,5,4
        C3,40,3,3,2
        C4,90,3,4,3
        C5,200,1,1,1
        C6,,,,
    """,
    # Scores cut per as-of date: monotonic within each date; pooled, 2024-02's m_score 1 (30)
    # is better than 2024-01's m_score 2 (20). On 2024-03 the better 40 scores lower.
    "scores_by_date": """
        as_of_date,monetary,m_score
        2024-01-31,10,1
        2024-01-31,20,2
        2024-02-29,30,1
        2024-02-29,40,2
        2024-03-31,40,1
        2024-03-31,35,2
    """,
    # Split ties the score ranges must not hide: g1's NULL value on scores 1 and 2; g2's 10 on
    # scores 1 and 3 around a score 2 of 30. Pooled, 20 is on score 2 (g1) and score 3 (g3).
    "ties": """
        grp,value,score
        g1,,1
        g1,,2
        g1,10,1
        g1,20,2
        g2,10,1
        g2,30,2
        g2,10,3
        g3,20,3
    """,
    # Rows deliberately out of rank order. Class A holds exactly 80 % of the positive revenue.
    "abc_ok": """
        customer_id,revenue_rank,revenue,cumulative_share,abc_class
        C3,3,15,0.95,B
        C1,1,60,0.6,A
        C5,5,-10,,C
        C2,2,20,0.8,A
        C4,4,5,1.0,C
    """,
    # Class A holds 60 %; each share column breaks one rule.
    "abc_bad": """
        customer_id,revenue_rank,revenue,share_decreases,share_short,share_over,abc_class
        C3,3,15,0.75,0.8,0.95,B
        C1,1,60,0.6,0.5,0.6,A
        C2,2,20,0.8,0.7,1.2,B
        C4,4,5,1.0,0.9,1.0,C
    """,
    "periods_ok": """
        customer_id,period_month,amount
        C1,2024-01,10
        C1,2024-02,0
        C2,2024-01,5
    """,
    # (C1, 2024-01) repeats; C2's amount is negative; C3's amount is missing.
    "periods_bad": """
        customer_id,period_month,amount
        C1,2024-01,10
        C1,2024-01,3
        C2,2024-01,-5
        C3,2024-02,
    """,
    # Two rows without an id: not a repeated value for `unique` (dbt's meaning), but a repeated
    # tuple for unique_combination (NULLs compare equal, as in `group by`).
    "ids_with_nulls": """
        id,label
        1,a
        ,b
        ,c
    """,
    # C2 has no customer_id, C3 no region; the scores of C2 and C4 are missing.
    "required_bad": """
        customer_id,region,score
        C1,north,1
        ,south,
        C3,,2
        C4,east,
    """,
    # Region is NULL on C4 (not an accepted-values failure); west and cycle 5 appear twice each.
    "enums": """
        customer_id,region,cycle_months
        C1,north,1
        C2,south,3
        C3,west,12
        C4,,5
        C5,west,5
    """,
    # A checked raw entity: one row in five rejected for a reason other than `duplicate`.
    "loads_ok": """
        raw_row_key,reject_reason
        k1,
        k2,
        k3,
        k4,duplicate
        k5,unparseable_date
    """,
    # Nothing clean at all, although no row is rejected for a reason other than `duplicate`.
    "loads_bad": """
        raw_row_key,reject_reason
        k1,duplicate
        k2,duplicate
    """,
}

SCHEMA = """
version: 2

seeds:
  - name: scores_ok
    data_tests:
      - row_count_matches:
          name: row_count_matches__pass
          arguments:
            compare_model: ref('scores_bad')
    columns:
      - name: r_score
        data_tests:
          - score_in_range:
              name: score_in_range__pass
          - equal_values_equal_scores:
              name: equal_values_equal_scores__pass
              arguments:
                value_column: recency_days
          - score_monotonic:
              name: score_monotonic__lower_is_better__pass
              arguments:
                value_column: recency_days
                higher_is_better: false
          - score_monotonic:
              name: score_monotonic__wrong_direction__fail
              arguments:
                value_column: recency_days
      - name: f_score
        data_tests:
          - score_monotonic:
              name: score_monotonic__pass
              arguments:
                value_column: frequency

  - name: scores_bad
    columns:
      - name: r_score
        data_tests:
          - score_in_range:
              name: score_in_range__fail
          - score_in_range:
              name: score_in_range__wider_range__pass
              arguments:
                min_value: 0
                max_value: 6
          - score_monotonic:
              name: score_monotonic__fail
              arguments:
                value_column: recency_days
                higher_is_better: false
      - name: f_score
        data_tests:
          - equal_values_equal_scores:
              name: equal_values_equal_scores__fail
              arguments:
                value_column: frequency
          - score_monotonic:
              name: score_monotonic__split_tie_is_not_an_inversion__pass
              arguments:
                value_column: frequency

  - name: scores_by_date
    columns:
      - name: m_score
        data_tests:
          - score_monotonic:
              name: score_monotonic__group_by__fail
              arguments:
                value_column: monetary
                group_by: as_of_date
          - score_monotonic:
              name: score_monotonic__group_by__pass
              arguments:
                value_column: monetary
                group_by: as_of_date
              config:
                where: "as_of_date < '2024-03-01'"
          - score_monotonic:
              name: score_monotonic__pooled_dates__fail
              arguments:
                value_column: monetary
              config:
                where: "as_of_date < '2024-03-01'"

  - name: ties
    columns:
      - name: score
        data_tests:
          - equal_values_equal_scores:
              name: equal_values_equal_scores__group_by__fail
              arguments:
                value_column: value
                group_by: grp
          - equal_values_equal_scores:
              name: equal_values_equal_scores__pooled__fail
              arguments:
                value_column: value

  - name: abc_ok
    columns:
      - name: cumulative_share
        data_tests:
          - cumulative_share_valid:
              name: cumulative_share_valid__pass
              arguments:
                order_by: revenue_rank
          - cumulative_share_valid:
              name: cumulative_share_valid__order_expression__pass
              arguments:
                order_by: "revenue desc, customer_id"
      - name: abc_class
        data_tests:
          - class_holds_share:
              name: class_holds_share__pass
              arguments:
                class_value: A
                amount_column: revenue
                min_share: "{{ var('abc_cutoff_a') }}"
          - class_holds_share:
              name: class_holds_share__zero_total__pass
              arguments:
                class_value: A
                amount_column: revenue * 0
                min_share: 0.8

  - name: abc_bad
    columns:
      - name: share_decreases
        data_tests:
          - cumulative_share_valid:
              name: cumulative_share_valid__decreasing__fail
              arguments:
                order_by: revenue_rank
      - name: share_short
        data_tests:
          - cumulative_share_valid:
              name: cumulative_share_valid__not_ending_at_one__fail
              arguments:
                order_by: revenue_rank
      - name: share_over
        data_tests:
          - cumulative_share_valid:
              name: cumulative_share_valid__above_one__fail
              arguments:
                order_by: revenue_rank
      - name: abc_class
        data_tests:
          - class_holds_share:
              name: class_holds_share__fail
              arguments:
                class_value: A
                amount_column: revenue
                min_share: "{{ var('abc_cutoff_a') }}"

  - name: periods_ok
    columns:
      - name: amount
        data_tests:
          - unique:
              name: unique__pass
    data_tests:
      - unique_combination:
          name: unique_combination__pass
          arguments:
            combination_of_columns: [customer_id, period_month]
      - assert_true:
          name: assert_true__pass
          arguments:
            expression: amount >= 0
      - row_count_matches:
          name: row_count_matches__fail
          arguments:
            compare_model: ref('abc_ok')
      - row_count_matches:
          name: row_count_matches__compare_where__pass
          arguments:
            compare_model: ref('abc_ok')
            compare_where: revenue_rank <= 3

  - name: periods_bad
    columns:
      - name: customer_id
        data_tests:
          - unique:
              name: unique__fail
    data_tests:
      - unique_combination:
          name: unique_combination__fail
          arguments:
            combination_of_columns: [customer_id, period_month]
      - assert_true:
          name: assert_true__fail
          arguments:
            expression: amount >= 0
      - assert_true:
          name: assert_true__where__pass
          arguments:
            expression: amount >= 0
            where: customer_id = 'C1'
      - assert_true:
          name: assert_true__null_is_not_true__fail
          arguments:
            expression: amount >= 0
            where: customer_id = 'C3'

  - name: ids_with_nulls
    columns:
      - name: id
        data_tests:
          - unique:
              name: unique__nulls_are_not_repeats__pass
    data_tests:
      - unique_combination:
          name: unique_combination__null_tuples_repeat__fail
          arguments:
            combination_of_columns: [id]

  - name: required_bad
    data_tests:
      - not_null_columns:
          name: not_null_columns__fail
          config:
            store_failures: true
          arguments:
            columns: [customer_id, region, score]
      - not_null_columns:
          name: not_null_columns__one_column_as_text__fail
          arguments:
            columns: score
      - not_null_columns:
          name: not_null_columns__where__pass
          config:
            where: "customer_id = 'C1'"
          arguments:
            columns: [customer_id, region, score]

  - name: enums
    data_tests:
      - not_null_columns:
          name: not_null_columns__pass
          arguments:
            columns: [customer_id, cycle_months]
      - accepted_values_columns:
          name: accepted_values_columns__pass
          arguments:
            values_by_column:
              region: [north, south, west]
              cycle_months: [1, 3, 12, 5]
      - accepted_values_columns:
          name: accepted_values_columns__fail
          config:
            store_failures: true
          arguments:
            values_by_column:
              region: [north, south]
              cycle_months: [1, 3, 12]

  - name: loads_ok
    columns:
      - name: reject_reason
        data_tests:
          - reject_rate_within:
              name: reject_rate_within__pass
              arguments:
                max_rate: 0.25
          - reject_rate_within:
              name: reject_rate_within__fail
              arguments:
                max_rate: 0.1

  - name: loads_bad
    columns:
      - name: reject_reason
        data_tests:
          - reject_rate_within:
              name: reject_rate_within__no_clean_rows__fail
              arguments:
                max_rate: 1
"""

# Every generic test in tests/generic must appear here with at least one case of each outcome.
# Failing cases with the number of failing rows each must return: the rows named in the seeds.
EXPECTED_FAILURES = {
    "score_in_range__fail": 1,  # C1's r_score 6
    "equal_values_equal_scores__fail": 1,  # frequency 3
    "equal_values_equal_scores__group_by__fail": 2,  # g1's NULL, g2's 10
    "equal_values_equal_scores__pooled__fail": 3,  # NULL, 10 and 20
    "score_monotonic__fail": 1,  # r_score 4 holds recency 90, worse than r_score 3's 40
    "score_monotonic__wrong_direction__fail": 3,  # read as higher-is-better: r_score 2, 3 and 5
    "score_monotonic__group_by__fail": 1,  # 2024-03's m_score 2 (35) below its m_score 1 (40)
    "score_monotonic__pooled_dates__fail": 1,  # m_score 2's 20 below m_score 1's 30
    "cumulative_share_valid__decreasing__fail": 1,  # 0.75 after 0.8
    "cumulative_share_valid__not_ending_at_one__fail": 1,  # ends at 0.9
    "cumulative_share_valid__above_one__fail": 2,  # 1.2, then 0.95 after it
    "class_holds_share__fail": 1,  # one summary row
    "unique_combination__fail": 1,  # (C1, 2024-01)
    "unique_combination__null_tuples_repeat__fail": 1,  # (NULL)
    "unique__fail": 1,  # C1
    "assert_true__fail": 2,  # C2's negative and C3's missing amount
    "assert_true__null_is_not_true__fail": 1,  # C3's missing amount
    "row_count_matches__fail": 1,  # one pair of counts
    "reject_rate_within__fail": 1,
    "reject_rate_within__no_clean_rows__fail": 1,
    "not_null_columns__fail": 3,  # one row per column with NULLs: customer_id, region, score
    "not_null_columns__one_column_as_text__fail": 1,  # score
    "accepted_values_columns__fail": 2,  # region west, cycle_months 5
}
# The failing rows themselves, for the tests whose rows name a column (store_failures).
EXPECTED_FAILURE_ROWS = {
    "not_null_columns__fail": {("customer_id", 1), ("region", 1), ("score", 2)},
    "accepted_values_columns__fail": {("region", "west", 2), ("cycle_months", "5", 2)},
}
EXPECTED_PASSES = {
    "score_in_range__pass",
    "score_in_range__wider_range__pass",
    "equal_values_equal_scores__pass",
    "score_monotonic__pass",
    "score_monotonic__lower_is_better__pass",
    "score_monotonic__split_tie_is_not_an_inversion__pass",
    "score_monotonic__group_by__pass",
    "cumulative_share_valid__pass",
    "cumulative_share_valid__order_expression__pass",
    "class_holds_share__pass",
    "class_holds_share__zero_total__pass",
    "unique_combination__pass",
    "unique__pass",
    "unique__nulls_are_not_repeats__pass",
    "assert_true__pass",
    "assert_true__where__pass",
    "row_count_matches__pass",
    "row_count_matches__compare_where__pass",
    "reject_rate_within__pass",
    "not_null_columns__pass",
    "not_null_columns__where__pass",
    "accepted_values_columns__pass",
}


def _write_project(root: Path) -> None:
    shutil.copytree(GENERIC_TESTS, root / "tests" / "generic")
    shutil.copytree(MACROS, root / "macros")
    (root / "dbt_project.yml").write_text(textwrap.dedent("""
        name: customer_tiering
        version: "1.0.0"
        config-version: 2
        profile: generic_tests_harness
        seed-paths: ["seeds"]
        test-paths: ["tests"]
        macro-paths: ["macros"]
        flags:
          send_anonymous_usage_stats: false
        vars:
          abc_cutoff_a: 0.8
        seeds:
          customer_tiering:
            +quote_columns: false
        dispatch:
          - macro_namespace: dbt
            search_order: ["customer_tiering", "dbt"]
    """))
    (root / "profiles.yml").write_text(textwrap.dedent(f"""
        generic_tests_harness:
          target: duckdb
          outputs:
            duckdb:
              type: duckdb
              path: "{root / 'harness.duckdb'}"
              threads: 4
    """))
    seeds = root / "seeds"
    seeds.mkdir()
    for name, rows in SEEDS.items():
        (seeds / f"{name}.csv").write_text(textwrap.dedent(rows).strip() + "\n")
    (seeds / "schema.yml").write_text(SCHEMA)


@pytest.fixture(scope="module")
def harness_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generic_tests_harness")
    _write_project(root)
    completed = run_dbt(["build"], root, project=root, check=False, timeout=300)
    results_path = root / "target" / "run_results.json"
    assert results_path.exists(), completed.stdout + completed.stderr
    results = json.loads(results_path.read_text())["results"]
    statuses = {}
    for result in results:
        resource_type, _, name = result["unique_id"].split(".")[:3]
        if resource_type == "test":
            statuses[name] = (result["status"], result.get("failures"), result.get("message"))
        else:
            assert result["status"] == "success", result
    return root, statuses


@pytest.fixture(scope="module")
def harness_statuses(harness_root) -> dict:
    return harness_root[1]


def test_every_generic_test_is_exercised_both_ways():
    """A new file in tests/generic needs a passing and a failing case here; so does a dbt test the
    project overrides."""
    generic_tests = {path.stem for path in GENERIC_TESTS.glob("*.sql")} | OVERRIDDEN_DBT_TESTS
    failing_kinds = {name.split("__")[0] for name in EXPECTED_FAILURES}
    passing_kinds = {name.split("__")[0] for name in EXPECTED_PASSES}
    assert generic_tests == failing_kinds == passing_kinds


def test_all_cases_ran(harness_statuses):
    assert set(harness_statuses) == set(EXPECTED_FAILURES) | EXPECTED_PASSES


def test_no_errors(harness_statuses):
    errors = {name: message for name, (status, _, message) in harness_statuses.items() if status == "error"}
    assert not errors


def test_exactly_the_expected_tests_fail(harness_statuses):
    failed = {name: failures for name, (status, failures, _) in harness_statuses.items() if status == "fail"}
    assert failed == EXPECTED_FAILURES


def test_the_others_pass(harness_statuses):
    passed = {name for name, (status, _, _) in harness_statuses.items() if status == "pass"}
    assert passed == EXPECTED_PASSES


@pytest.mark.parametrize("test_name", sorted(EXPECTED_FAILURE_ROWS))
def test_failing_rows_name_the_columns(harness_root, test_name):
    """A model-level test over several columns says which column failed, and how."""
    import duckdb  # noqa: PLC0415 - the harness's own database, read after dbt has exited

    root, _ = harness_root
    with duckdb.connect(str(root / "harness.duckdb"), read_only=True) as con:
        schema = con.execute("select table_schema from information_schema.tables where table_name = ?",
                             [test_name]).fetchone()
        assert schema, f"no stored failures for {test_name}"
        rows = con.execute(f'select * from "{schema[0]}"."{test_name}"').fetchall()
    assert {tuple(int(v) if isinstance(v, (int, float)) else v for v in row) for row in rows} \
        == EXPECTED_FAILURE_ROWS[test_name]
