"""A BI user reads each mart column's meaning in the database itself: persist_docs writes every
model and column description into the DuckDB catalog as comments, each a short plain-text
summary (macros/docs/persisted_comments.sql); the docs site keeps the full descriptions."""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml

MARTS = ["customer_segments", "lifecycle_stage", "churn_cohort", "subscription_cohort", "segment_summary",
         "renewal_reminders"]

PROJECT = Path(__file__).resolve().parents[1]

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


def _comment_limit() -> int:
    project = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())
    return int(project["vars"]["persisted_comment_max_chars"])


def _plain(description: str) -> str:
    """The description without markdown's marks and line breaks, to compare a comment with."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", description)
    return re.sub(r"\s+", " ", text.replace("*", "").replace("`", "")).strip()


@pytest.mark.parametrize("mart", MARTS)
def test_persisted_comments_are_a_short_plain_summary_of_the_full_description(docs_warehouse, catalog, mart):
    """BI tools show comments raw: each is the description's opening in plain text, within var
    persisted_comment_max_chars; the docs site (manifest) keeps the whole description (D128)."""
    limit = _comment_limit()
    manifest = json.loads((docs_warehouse.target / "manifest.json").read_text())
    node = next(n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] == mart)
    comments = dict(catalog.execute(
        "select column_name, comment from duckdb_columns() where schema_name = 'marts' and table_name = ?",
        [mart]).fetchall())
    (table_comment,) = catalog.execute(
        "select comment from duckdb_tables() where schema_name = 'marts' and table_name = ?", [mart]).fetchone()
    comments[""] = table_comment
    descriptions = {name: column["description"] for name, column in node["columns"].items()}
    descriptions[""] = node["description"]
    for name, comment in comments.items():
        where = f"{mart}.{name or '(table)'}"
        assert 0 < len(comment) <= limit, f"{where}: {len(comment)} characters"
        assert not re.search(r"\*\*|`|\n|\]\(|^\s*[#|]", comment), f"{where} carries markdown: {comment!r}"
        assert _plain(descriptions[name]).startswith(comment.removesuffix("…").removesuffix(".")), \
            f"{where}: {comment!r} is not the opening of its description"


def test_the_docs_site_keeps_the_full_descriptions(docs_warehouse):
    """The summaries are for the database only: the docs site's manifest has every description whole."""
    manifest = json.loads((docs_warehouse.target / "manifest.json").read_text())
    node = next(n for n in manifest["nodes"].values()
                if n["resource_type"] == "model" and n["name"] == "customer_segments")
    longest = max((column["description"] for column in node["columns"].values()), key=len)
    assert len(longest) > _comment_limit() and "\n" in longest
