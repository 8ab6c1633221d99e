"""A BI user reads each mart column's meaning in the database itself: persist_docs writes every
model and column description into the DuckDB catalog as comments."""
from __future__ import annotations

import duckdb
import pytest

MARTS = ["customer_segments", "lifecycle_stage", "churn_cohort", "subscription_cohort", "segment_summary",
         "renewal_reminders"]

pytestmark = pytest.mark.docs


@pytest.fixture(scope="module")
def catalog(docs_warehouse):
    con = duckdb.connect(str(docs_warehouse.warehouse), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("mart", MARTS)
def test_mart_and_every_column_carry_their_description(catalog, mart):
    table_comment = catalog.execute(
        "select comment from duckdb_tables() where schema_name = 'marts' and table_name = ?", [mart]).fetchone()
    assert table_comment and table_comment[0] and "one row per" in table_comment[0].lower()
    columns = catalog.execute(
        "select column_name, comment from duckdb_columns() where schema_name = 'marts' and table_name = ?",
        [mart]).fetchall()
    assert columns
    undocumented = [name for name, comment in columns if not (comment or "").strip()]
    assert undocumented == []
