"""The green gate: may the work database be published? (DECISIONLOG D61)

Two records must agree. The work database's own table tiering_meta.build_runs (written by the
on-run-start / on-run-end hooks, macros/publication/record_build_run.sql) says which dbt run
touched the database last and whether it finished without a failure, error or skipped node; a
killed run has a `started` row and no `finished` row. dbt's target/run_results.json and
manifest.json of that same invocation say that it was a `dbt build` and that it ran every
enabled model, seed and data test of the project, so a `--select` build, which is green but
leaves the other marts from an older run, is never published.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import duckdb

BUILD_RUNS = "tiering_meta.build_runs"
OK_STATUSES = {"success", "pass", "warn"}
REQUIRED_TYPES = {"model", "seed", "test"}     # unit tests check SQL, not data (DECISIONLOG D57)
AS_OF_MODEL = "int_as_of_date"


class NotGreen(Exception):
    """The latest build may not be published; the message says why."""


@dataclasses.dataclass(frozen=True)
class GreenBuild:
    invocation_id: str
    finished_at: object
    raw_path: str | None       # TIERING_RAW_PATH of the build; None = the demo seeds
    raw_format: str
    as_of_date: str
    latest_purchase_date: str
    manifest: dict

    @property
    def is_replay(self) -> bool:
        """A given as_of_date other than the one the data would give (DECISIONLOG D64)."""
        return self.as_of_date != self.latest_purchase_date


def _read_json(path: Path, what: str) -> dict:
    if not path.is_file():
        raise NotGreen(f"{path} is missing: no {what} of a dbt build in this target path")
    return json.loads(path.read_text())


def _latest_run(connection) -> tuple:
    try:
        started = connection.execute(
            f"select invocation_id, command, raw_path, raw_format, recorded_at from {BUILD_RUNS} "
            "where event = 'started' order by recorded_at desc limit 1").fetchone()
    except duckdb.CatalogException:
        started = None
    if started is None:
        raise NotGreen(f"no dbt run is recorded in the work database ({BUILD_RUNS} is empty or missing)")
    finished = connection.execute(
        f"select failed_nodes, errored_nodes, skipped_nodes, recorded_at from {BUILD_RUNS} "
        "where event = 'finished' and invocation_id = ?", [started[0]]).fetchone()
    return started, finished


def _as_of(connection, manifest: dict) -> tuple[str, str]:
    node = next((n for n in manifest["nodes"].values()
                 if n["resource_type"] == "model" and n["name"] == AS_OF_MODEL), None)
    if node is None:
        raise NotGreen(f"the manifest has no model {AS_OF_MODEL}")
    row = connection.execute(
        f'select as_of_date, latest_purchase_date from "{node["schema"]}"."{node["alias"]}"').fetchone()
    if row is None or row[0] is None:
        raise NotGreen("the build has no as-of date (no completed order in the data?)")
    return str(row[0]), str(row[1])


def _missing_nodes(manifest: dict, results: dict) -> list[str]:
    ran = {r["unique_id"] for r in results["results"] if r["status"] in OK_STATUSES}
    required = [uid for uid, node in manifest["nodes"].items()
                if node["resource_type"] in REQUIRED_TYPES
                and node["config"].get("enabled", True)
                and node["config"].get("materialized") != "ephemeral"]
    return sorted(uid for uid in required if uid not in ran)


def check(work_db: Path, target_path: Path) -> GreenBuild:
    """The latest build of `work_db`, when it may be published; NotGreen (with the reason) if not."""
    if not work_db.is_file():
        raise NotGreen(f"there is no work database at {work_db}: run a build first")
    try:
        connection = duckdb.connect(str(work_db), read_only=True)
    except duckdb.IOException as error:
        raise NotGreen(f"the work database {work_db} cannot be read (is a dbt run still going?): {error}")
    try:
        started, finished = _latest_run(connection)
        invocation_id, command, raw_path, raw_format, started_at = started
        if finished is None:
            raise NotGreen(f"the latest dbt run ({command}, invocation {invocation_id}, started "
                           f"{started_at:%Y-%m-%d %H:%M:%S} UTC) never finished: it was killed, or is still running")
        if command != "build":
            raise NotGreen(f"the latest dbt run was `dbt {command}` (invocation {invocation_id}), not `dbt build`")
        failed, errored, skipped, finished_at = finished
        if failed or errored or skipped:
            raise NotGreen(f"the latest build (invocation {invocation_id}) was not green: {failed} failed "
                           f"test(s), {errored} error(s), {skipped} skipped node(s)")
        results = _read_json(target_path / "run_results.json", "run results")
        manifest = _read_json(target_path / "manifest.json", "manifest")
        for name, artefact in (("run_results.json", results), ("manifest.json", manifest)):
            if artefact["metadata"].get("invocation_id") != invocation_id:
                raise NotGreen(f"{target_path / name} belongs to dbt invocation "
                               f"{artefact['metadata'].get('invocation_id')}, but the work database's latest "
                               f"build is {invocation_id} (another --target-path, or another work database?)")
        bad = [f"{r['unique_id']} ({r['status']})" for r in results["results"]
               if r["status"] not in OK_STATUSES | {"no-op"}]
        if bad:
            raise NotGreen(f"the latest build has nodes that did not pass: {', '.join(bad[:5])}")
        missing = _missing_nodes(manifest, results)
        if missing:
            raise NotGreen(f"the latest build ran only part of the project: {len(missing)} model(s), seed(s) "
                           f"or data test(s) did not run (e.g. {', '.join(missing[:3])}); a build with "
                           "--select or --exclude is never published")
        as_of_date, latest_purchase = _as_of(connection, manifest)
    finally:
        connection.close()
    return GreenBuild(invocation_id=invocation_id, finished_at=finished_at, raw_path=raw_path,
                      raw_format=raw_format or "csv", as_of_date=as_of_date,
                      latest_purchase_date=latest_purchase, manifest=manifest)
