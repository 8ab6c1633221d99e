"""Publication (README "Publication", DECISIONLOG D60-D69): what BI reads changes only when a whole
build is green, atomically, and a BI client is never blocked nor blocks a build.

The BI client is the stack Superset uses: SQLAlchemy with duckdb-engine, on a read-only URI. One
story, in one work folder, so that builds are shared between the assertions:

1. a green build on the demo seeds publishes the first publication;
2. a BI session opens the published file (one connection, one open transaction) and keeps it
   open to the end; a second green build on other data (generated files) publishes while it is
   connected; the session still sees the first publication, whole; a new connection sees the new;
3. a build whose dbt is killed with SIGKILL while a mart is being built, and a build that fails on
   bad input (a raw orders file whose rows are all rejected), exit non-zero, say which
   publication is still served, and leave the published file byte-identical; `publish` then
   refuses and says why;
4. a replay (an explicit as_of_date) publishes beside the live file, which stays byte-identical;
   `publish --live` then publishes it to the live path on purpose;
5. a third green build (demo seeds again) publishes while the same session is still open: three
   publications under one reader, and the history carries all four;
plus: a green build of part of the project (--select) is never published, and every published
table says which as-of date and which build it comes from.
"""
from __future__ import annotations

import csv
import glob
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from dbt_project_runner import PROJECT, dbt_env, generate_raw, publication_command

sys.path.insert(0, str(PROJECT))   # the publication package, for the gate tests below

pytestmark = pytest.mark.publication

MARTS = sorted(Path(p).stem for p in glob.glob(str(PROJECT / "models" / "marts" / "*.sql")))
REPLAY_DATE = "2025-06-30"
GENERATED_END_DATE = "2025-09-30"   # the generated data set ends here: another as-of date than the demo's
BUILD_TIMEOUT = 900


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(command: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT)


def _build(work: Path, raw: Path | None = None, dbt_vars: dict | None = None, extra: list[str] | None = None):
    return _run(publication_command("build", work, ["--exclude-resource-type", "unit_test", *(extra or [])],
                                    dbt_vars), dbt_env(work, raw))


def _ok(proc: subprocess.CompletedProcess, what: str) -> None:
    assert proc.returncode == 0, f"{what} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}"


def _read(path: Path, query: str) -> list[tuple]:
    """A new connection, as a BI tool opening the file afresh, in a process of its own (DuckDB
    shares one database per path inside a process while any connection to it is open)."""
    code = ("import duckdb, json, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print(json.dumps([list(r) for r in c.execute(sys.argv[2]).fetchall()], default=str))")
    proc = subprocess.run([sys.executable, "-c", code, str(path), query], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [tuple(row) for row in json.loads(proc.stdout)]


def _snapshot(connection) -> dict:
    """What a dashboard shows: the served publication, its as-of date in every mart, row counts."""
    latest = connection.execute(sa.text(
        "select publication_id, as_of_date, mart_row_counts from marts.publications "
        "order by published_at desc limit 1")).one()
    return {
        "publication_id": latest[0],
        "as_of_date": str(latest[1]),
        "claimed_counts": json.loads(latest[2]),
        "counts": {m: connection.execute(sa.text(f"select count(*) from marts.{m}")).scalar_one() for m in MARTS},
        "mart_as_of_dates": {m: [str(r[0]) for r in connection.execute(
            sa.text(f"select distinct as_of_date from marts.{m} order by 1"))] for m in MARTS},
        "revenue": str(connection.execute(sa.text("select sum(revenue) from marts.segment_summary")).scalar_one()),
    }


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    work = tmp_path_factory.mktemp("publication")
    published = work / "published" / "tiering.duckdb"
    generated = work / "raw_generated"
    generate_raw(generated, customers=600, seed=7, end_date=GENERATED_END_DATE)
    facts: dict = {"work": work, "published": published, "generated": generated}

    first = _build(work)
    _ok(first, "the first build (demo seeds)")
    facts["first_output"] = first.stdout
    facts["first"] = _read(published, "select publication_id, as_of_date, raw_fingerprint from marts.publications")

    engine = sa.create_engine(f"duckdb:///{published}?access_mode=read_only")
    bi = engine.connect()
    bi.begin()                                       # one session, one open transaction, to the end
    facts["bi_before"] = _snapshot(bi)

    second = _build(work, raw=generated)
    _ok(second, "the second build (generated data) while a BI session is connected")
    facts["second_output"] = second.stdout
    facts["bi_after_second"] = _snapshot(bi)
    facts["after_second"] = _read(published, "select publication_id, as_of_date, raw_fingerprint "
                                             "from marts.publications order by published_at")
    facts["hash_after_second"] = _sha256(published)

    facts["killed"] = _killed_build(work)
    facts["hash_after_killed"] = _sha256(published)
    facts["publish_after_killed"] = _run(publication_command("publish", work), dbt_env(work))

    bad = _bad_input(generated, work / "raw_bad")
    facts["failed"] = _build(work, raw=bad)
    facts["hash_after_failed"] = _sha256(published)
    facts["publish_after_failed"] = _run(publication_command("publish", work), dbt_env(work))

    facts["replay"] = _build(work, dbt_vars={"as_of_date": REPLAY_DATE})
    facts["hash_after_replay"] = _sha256(published)
    facts["replay_file"] = published.parent / "replays" / f"tiering_as_of_{REPLAY_DATE}.duckdb"
    facts["live_replay"] = _run(publication_command("publish", work, live=True), dbt_env(work))
    facts["after_live_replay"] = _read(published, "select as_of_date, is_replay from marts.publications "
                                                  "order by published_at desc limit 1")

    # --if-changed (what `make build` runs, D164): the inputs differ from those recorded for the
    # served publication, so this builds
    third = _build(work, extra=["--if-changed"])
    _ok(third, "the third build (demo seeds) while the same BI session is connected")
    facts["third_output"] = third.stdout
    facts["bi_after_third"] = _snapshot(bi)
    facts["after_third"] = _read(published, "select publication_id, as_of_date, raw_fingerprint, is_replay "
                                            "from marts.publications order by published_at")
    facts["hash_after_third"] = _sha256(published)
    run_results = work / "target" / "run_results.json"
    facts["run_results_after_third"] = run_results.stat().st_mtime_ns
    # the same inputs again: nothing is built and nothing is published
    facts["unchanged"] = _build(work, extra=["--if-changed"])
    facts["hash_after_unchanged"] = _sha256(published)
    facts["run_results_after_unchanged"] = run_results.stat().st_mtime_ns
    bi.commit()
    bi.close()
    engine.dispose()
    # The same client, reconnecting: now it sees the newest publication.
    with sa.create_engine(f"duckdb:///{published}?access_mode=read_only").connect() as fresh:
        facts["bi_reconnected"] = _snapshot(fresh)
    facts["status"] = _run(publication_command("status", work), dbt_env(work))
    yield facts


def _killed_build(work: Path) -> dict:
    """`publication build` on the demo seeds; its dbt is SIGKILLed once a mart has started."""
    proc = subprocess.Popen(publication_command("build", work, ["--exclude-resource-type", "unit_test"]),
                            cwd=PROJECT, env={**dbt_env(work), "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines, killed_at = [], None
    deadline = time.monotonic() + BUILD_TIMEOUT
    for line in proc.stdout:
        lines.append(line)
        if killed_at is None and " START " in line and " model marts." in line:
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            assert children, "the dbt child process of `publication build` was not found"
            for child in children:
                os.kill(int(child), signal.SIGKILL)
            killed_at = line.strip()
        if time.monotonic() > deadline:
            proc.kill()
            break
    return {"returncode": proc.wait(timeout=60), "output": "".join(lines), "killed_at": killed_at}


def _bad_input(source: Path, out: Path) -> Path:
    """The generated files, with an orders file whose every status is unknown: all rejected."""
    out.mkdir()
    for path in source.glob("*.csv"):
        if path.name != "orders.csv":
            (out / path.name).write_bytes(path.read_bytes())
    with (source / "orders.csv").open(newline="") as src, (out / "orders.csv").open("w", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            writer.writerow({**row, "status": "lost_in_transit"})
    return out


def test_first_build_publishes_and_says_where(story):
    assert len(story["first"]) == 1
    assert f"Published file: {story['published']} (publication took" in story["first_output"]
    for mart in MARTS:
        assert f"  {mart} " in story["first_output"], f"the end-of-build summary lacks {mart}"


def test_the_build_output_has_no_colour_codes_and_ends_with_the_summary(story):
    """Captured (not a terminal): plain text, ending with as-of date, rows per mart, the
    reconciliation and where the file is (README "Publication")."""
    output = story["first_output"]
    assert "\x1b[" not in output, "colour codes in a build's output that is not a terminal"
    summary = output[output.index("\nPublished "):]
    assert re.search(r"^Published \S+: as of \d{4}-\d{2}-\d{2}, build ", summary.lstrip("\n"))
    for mart in MARTS:
        assert re.search(rf"^  {mart} +[\d,]+ rows$", summary, re.M), f"no row count for {mart}"
    assert "raw data (raw = clean + rejected + duplicates):" in summary
    for entity in ("customers", "orders", "renewals", "feedback"):
        assert re.search(rf"^    {entity} +raw [\d,]+ = clean [\d,]+ \+ rejected [\d,]+ \+ duplicates [\d,]+$",
                         summary, re.M), f"no reconciliation line for {entity}"
    assert f"Published file: {story['published']} (" in summary


@pytest.mark.parametrize("terminal, preset, expected", [
    (False, {}, {"DBT_USE_COLORS": "false", "DBT_USE_COLORS_FILE": "false"}),
    (True, {}, {"DBT_USE_COLORS": None, "DBT_USE_COLORS_FILE": "false"}),
    (False, {"DBT_USE_COLORS": "true", "DBT_USE_COLORS_FILE": "true"},
     {"DBT_USE_COLORS": "true", "DBT_USE_COLORS_FILE": "true"}),
])
def test_dbt_gets_colours_only_on_a_terminal_unless_told(monkeypatch, terminal, preset, expected):
    from publication import cli  # noqa: PLC0415

    for name in ("DBT_USE_COLORS", "DBT_USE_COLORS_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in preset.items():
        monkeypatch.setenv(name, value)
    env = cli._dbt_environment(terminal)
    assert {name: env.get(name) for name in expected} == expected


def test_a_connected_bi_session_is_never_interrupted_and_sees_one_publication(story):
    before, after_second, after_third = story["bi_before"], story["bi_after_second"], story["bi_after_third"]
    assert before["publication_id"] == story["first"][0][0]
    # Three publications later, the open session still reads the first one, whole and unchanged.
    assert after_second == before
    assert after_third == before
    assert before["counts"] == {m: before["claimed_counts"][m] for m in MARTS}


def test_a_new_connection_sees_the_new_publication(story):
    after_second, after_third = story["after_second"], story["after_third"]
    assert [row[0] for row in after_second][0] == story["first"][0][0]
    second_id, second_as_of, second_fingerprint = after_second[-1]
    assert second_id != story["first"][0][0]
    assert second_as_of <= GENERATED_END_DATE < story["first"][0][1]
    assert second_fingerprint != story["first"][0][2], "other raw files must give another fingerprint"
    reconnected = story["bi_reconnected"]
    assert reconnected["publication_id"] == after_third[-1][0] != story["bi_before"]["publication_id"]
    assert reconnected["counts"] == {m: reconnected["claimed_counts"][m] for m in MARTS}


def test_a_killed_build_publishes_nothing(story):
    killed = story["killed"]
    assert killed["killed_at"], f"no mart started before the build ended:\n{killed['output'][-3000:]}"
    assert killed["returncode"] != 0
    assert story["hash_after_killed"] == story["hash_after_second"]
    served = story["after_second"][-1]
    assert (f"Nothing published; {story['published']} still serves publication {served[0]} (as of {served[1]}"
            in killed["output"]), killed["output"][-2000:]
    refused = story["publish_after_killed"]
    assert refused.returncode != 0 and "never finished" in refused.stdout, refused.stdout[-2000:]


def test_a_build_failing_on_bad_input_publishes_nothing(story):
    failed = story["failed"]
    assert failed.returncode != 0
    assert story["hash_after_failed"] == story["hash_after_second"]
    assert f"still serves publication {story['after_second'][-1][0]}" in failed.stdout, failed.stdout[-2000:]
    refused = story["publish_after_failed"]
    assert refused.returncode != 0 and "was not green" in refused.stdout, refused.stdout[-2000:]


def test_a_replay_does_not_touch_the_live_publication(story):
    _ok(story["replay"], "the replay build")
    assert story["hash_after_replay"] == story["hash_after_second"]
    replay = story["replay_file"]
    assert f"Published file: {replay} (" in story["replay"].stdout
    rows = _read(replay, "select as_of_date, is_replay from marts.publications")
    assert rows == [(REPLAY_DATE, True)]
    assert _read(replay, "select distinct as_of_date from marts.customer_segments") == [(REPLAY_DATE,)]
    # Published live on purpose: then, and only then, the live file serves the replay.
    _ok(story["live_replay"], "publish --live")
    assert story["after_live_replay"] == [(REPLAY_DATE, True)]
    assert [row[3] for row in story["after_third"]] == [False, False, True, False]


def test_the_history_carries_every_live_publication(story):
    ids = [row[0] for row in story["after_third"]]
    assert ids[:2] == [row[0] for row in story["after_second"]]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert story["hash_after_third"] != story["hash_after_second"]
    assert "serves publication " + ids[-1] in story["status"].stdout


def test_every_published_table_says_its_as_of_date_and_build(story):
    published = story["published"]
    latest = _read(published, "select publication_id, as_of_date, git_commit, raw_fingerprint, dbt_invocation_id, "
                              "mart_row_counts from marts.publications order by published_at desc limit 1")[0]
    publication_id, as_of_date, git_commit, fingerprint, invocation_id, counts = latest
    run_results = json.loads((story["work"] / "target" / "run_results.json").read_text())
    assert invocation_id == run_results["metadata"]["invocation_id"]
    assert git_commit and fingerprint.startswith("sha256:") and len(fingerprint) == len("sha256:") + 64
    assert set(json.loads(counts)) >= set(MARTS) | {"load_reconciliation"}
    for mart in MARTS:
        # customer_segment_history carries a row per as-of date of its history (DECISIONLOG D115);
        # its current rows are the publication's.
        current = " where is_current" if mart == "customer_segment_history" else ""
        assert _read(published, f"select distinct as_of_date from marts.{mart}{current}") == [(as_of_date,)], mart


def test_the_published_file_holds_the_marts_and_no_staging(story):
    published = story["published"]
    schemas = {row[0] for row in _read(published, "select distinct schema_name from duckdb_tables()")}
    assert schemas == {"marts"}
    tables = {row[0] for row in _read(published, "select table_name from duckdb_tables()")}
    assert tables == set(MARTS) | {"time_spine_daily", "load_reconciliation", "publications"}
    # No e-mail (hashed or not) and none of the quarantine's raw text columns (raw_<column>).
    assert not _read(published, "select table_name, column_name from duckdb_columns() where column_name like '%email%' "
                                "or (column_name like 'raw\\_%' escape '\\' "
                                "and column_name not in ('raw_rows', 'raw_fingerprint', 'raw_source'))")
    # The contracts' constraints and the persisted descriptions come along.
    assert _read(published, "select comment is not null from duckdb_tables() "
                            "where table_name = 'customer_segments'") == [(True,)]


def test_parquet_copy_follows_the_pointer(story):
    root = story["published"].parent / "parquet"
    current = (root / "CURRENT").read_text().strip()
    assert current == story["after_third"][-1][0]
    folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    assert folders == sorted(row[0] for row in story["after_third"])[-3:]     # the newest three kept
    with duckdb.connect() as connection:
        for mart in MARTS:
            rows = connection.execute(f"select count(*) from read_parquet('{root / current / mart}.parquet')").fetchone()[0]
            assert rows == story["bi_reconnected"]["counts"][mart], mart


def test_a_build_with_nothing_changed_builds_and_publishes_nothing(story):
    """D164: `--if-changed` with the inputs of the publication served stops before dbt."""
    assert "Nothing to build" not in story["third_output"]
    unchanged = story["unchanged"]
    _ok(unchanged, "the build with nothing changed")
    served = story["after_third"][-1][0]
    assert f"Nothing to build: the project, the raw files, the arguments and the settings are those of " \
           f"publication {served}" in unchanged.stdout
    assert " START " not in unchanged.stdout                # dbt never ran
    assert story["run_results_after_unchanged"] == story["run_results_after_third"]
    assert story["hash_after_unchanged"] == story["hash_after_third"]


def test_a_partial_build_is_never_published(story):
    work = story["work"]
    before = _sha256(story["published"])
    proc = _build(work, extra=["--select", "int_as_of_date"])
    assert proc.returncode != 0
    assert "ran only part of the project" in proc.stdout, proc.stdout[-2000:]
    assert _sha256(story["published"]) == before


# --------------------------------------------------------------------------- the gate's rules, one by one
# On a hand-made work database and dbt artefacts (no dbt run): each rule refuses on its own.

def _fake_build(folder: Path, events: list[tuple], results: dict[str, str], invocation: str = "inv-2",
                artefacts_invocation: str | None = None) -> tuple[Path, Path]:
    from publication import gate

    work_db, target = folder / "work.duckdb", folder / "target"
    target.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(work_db)) as connection:
        connection.execute("create schema tiering_meta; create schema intermediate")
        connection.execute(f"create table {gate.BUILD_RUNS} (invocation_id varchar, event varchar, recorded_at timestamp, "
                           "command varchar, raw_path varchar, raw_format varchar, executed_nodes integer, "
                           "failed_nodes integer, errored_nodes integer, skipped_nodes integer)")
        for minute, (invocation_id, event, command, failed) in enumerate(events):
            connection.execute(f"insert into {gate.BUILD_RUNS} values (?, ?, timestamp '2026-01-01 00:00:00' + "
                               f"interval {minute} minute, ?, null, 'csv', 3, ?, 0, 0)",
                               [invocation_id, event, command, failed])
        connection.execute("create table intermediate.int_as_of_date as select date '2025-12-31' as as_of_date, "
                           "date '2025-12-31' as latest_purchase_date")
    nodes = {uid: {"resource_type": uid.split(".")[0], "name": uid.split(".")[-1], "schema": "intermediate",
                   "alias": uid.split(".")[-1], "config": {"enabled": True, "materialized": "table"}}
             for uid in ["model.p.int_as_of_date", "seed.p.raw_orders", "test.p.not_null_x"]}
    meta = {"invocation_id": artefacts_invocation or invocation}
    (target / "manifest.json").write_text(json.dumps({"metadata": meta, "nodes": nodes, "sources": {}}))
    (target / "run_results.json").write_text(json.dumps(
        {"metadata": meta, "results": [{"unique_id": uid, "status": status} for uid, status in results.items()]}))
    return work_db, target


ALL_PASS = {"model.p.int_as_of_date": "success", "seed.p.raw_orders": "success", "test.p.not_null_x": "pass"}
GREEN = [("inv-1", "started", "build", None), ("inv-1", "finished", "build", 0),
         ("inv-2", "started", "build", None), ("inv-2", "finished", "build", 0)]


@pytest.mark.parametrize("events, results, artefacts, reason", [
    (GREEN[:3], ALL_PASS, None, "never finished"),
    (GREEN[:2] + [("inv-2", "started", "run", None), ("inv-2", "finished", "run", 0)], ALL_PASS, None,
     "not `dbt build`"),
    (GREEN[:3] + [("inv-2", "finished", "build", 1)], ALL_PASS, None, "was not green"),
    (GREEN, ALL_PASS, "inv-1", "belongs to dbt invocation inv-1"),
    (GREEN, {**ALL_PASS, "test.p.not_null_x": "fail"}, None, "did not pass"),
    (GREEN, {k: v for k, v in ALL_PASS.items() if k != "test.p.not_null_x"}, None, "ran only part of the project"),
], ids=["killed", "not_a_build", "failed_test", "other_invocation", "failed_in_run_results", "partial"])
def test_the_gate_refuses_and_says_why(tmp_path, events, results, artefacts, reason):
    from publication import gate

    work_db, target = _fake_build(tmp_path, events, results, artefacts_invocation=artefacts)
    with pytest.raises(gate.NotGreen, match=reason.replace("`", ".")):
        gate.check(work_db, target)


def test_the_gate_passes_a_whole_green_build(tmp_path):
    from publication import gate

    green = gate.check(*_fake_build(tmp_path, GREEN, ALL_PASS))
    assert green.invocation_id == "inv-2" and green.as_of_date == "2025-12-31" and not green.is_replay
