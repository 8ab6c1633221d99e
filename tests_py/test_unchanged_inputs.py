"""The inputs fingerprint behind `python -m publication build --if-changed` (DECISIONLOG D164):
every input a build reads changes it, nothing else does, and a record counts only for the
publication it names. The whole path (a build, then the same build skipped) is in
test_publication.py."""
from __future__ import annotations

import os
import sys

import pytest

from dbt_project_runner import PROJECT

sys.path.insert(0, str(PROJECT))
from publication import unchanged  # noqa: E402


@pytest.fixture()
def project(tmp_path):
    root = tmp_path / "project"
    for name, text in {"dbt_project.yml": "name: p\n", "profiles.yml": "p: {}\n",
                       "models/marts/a.sql": "select 1 as a\n", "macros/m.sql": "{% macro m() %}1{% endmacro %}\n",
                       "seeds/s.csv": "a\n1\n", "publication/x.py": "X = 1\n",
                       "target/manifest.json": "{}\n", "README.md": "words\n"}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    raw = tmp_path / "raw"
    (raw / "orders").mkdir(parents=True)
    (raw / "customers.csv").write_text("customer_id\nc1\n")
    (raw / "orders" / "2025-01.csv").write_text("order_id\no1\n")
    env = {"TIERING_RAW_PATH": str(raw), "TIERING_DUCKDB_PATH": "w.duckdb", "HOME": "/home/x"}
    return root, raw, env


def _fp(root, env, args=("--exclude-resource-type", "unit_test")):
    return unchanged.fingerprint(root, list(args), env)


def test_the_same_inputs_give_the_same_fingerprint(project):
    root, _, env = project
    assert _fp(root, env) == _fp(root, dict(env))


@pytest.mark.parametrize("change", ["model", "macro", "seed", "profile", "publication code", "new model"])
def test_every_project_input_changes_it(project, change):
    root, _, env = project
    before = _fp(root, env)
    path = {"model": "models/marts/a.sql", "macro": "macros/m.sql", "seed": "seeds/s.csv",
            "profile": "profiles.yml", "publication code": "publication/x.py",
            "new model": "models/marts/b.sql"}[change]
    (root / path).write_text((root / path).read_text() + " " if (root / path).exists() else "select 2\n")
    assert _fp(root, env) != before


def test_files_that_do_not_feed_the_build_do_not_change_it(project):
    root, _, env = project
    before = _fp(root, env)
    (root / "README.md").write_text("other words\n")
    (root / "target" / "manifest.json").write_text('{"x": 1}\n')
    assert _fp(root, {**env, "HOME": "/home/y", "PATH": "/bin"}) == before


def test_a_raw_batch_added_changed_or_touched_changes_it(project):
    root, raw, env = project
    before = _fp(root, env)
    batch = raw / "orders" / "2025-02.csv"
    batch.write_text("order_id\no2\n")
    added = _fp(root, env)
    assert added != before
    batch.write_text("order_id\no3\n")                        # same size, new modification time
    stat = batch.stat()
    os.utime(batch, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert _fp(root, env) != added
    batch.unlink()
    assert _fp(root, env) == before


def test_arguments_and_settings_change_it(project):
    root, _, env = project
    before = _fp(root, env)
    assert _fp(root, env, ("--exclude-resource-type", "unit_test", "--vars", "{history_periods: 0}")) != before
    assert _fp(root, env, ("--full-refresh",)) != before
    assert _fp(root, {**env, "TIERING_DUCKDB_MEMORY_LIMIT": "1GB"}) != before
    assert _fp(root, {**env, "DBT_TARGET_PATH": "elsewhere"}) != before
    assert _fp(root, {**env, "TZ": "Asia/Shanghai"}) != before


def test_a_record_counts_only_for_the_publication_it_names(tmp_path):
    published = tmp_path / "published" / "tiering.duckdb"
    published.parent.mkdir()
    assert unchanged.unchanged_since(published, "p1", "sha256:a") is None          # no record yet
    unchanged.write_record(published, "p1", "sha256:a")
    assert unchanged.unchanged_since(published, "p1", "sha256:a") == "p1"
    assert unchanged.unchanged_since(published, "p1", "sha256:b") is None          # other inputs
    assert unchanged.unchanged_since(published, "p2", "sha256:a") is None          # served by other means
    assert unchanged.unchanged_since(published, None, "sha256:a") is None          # nothing served
    unchanged.record_path(published).write_text("{not json")
    assert unchanged.unchanged_since(published, "p1", "sha256:a") is None          # unreadable: build
