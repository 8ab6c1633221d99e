"""Publish the latest green build: gate, copy, provenance, Parquet, in that order.

Nothing reaches the published path before the whole new file is written and durable; every
failure before the rename leaves the published file as it was.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
from pathlib import Path

from publication import copy, gate, parquet, provenance
from publication.settings import Settings

# Models published besides the marts, under another name: the load reconciliation's counts (no
# raw values, no PII), which the end-of-build report and BI's data-quality view read.
EXTRA_MODELS = {"stg_raw__load_reconciliation": "load_reconciliation"}


@dataclasses.dataclass(frozen=True)
class Published:
    path: Path
    publication: provenance.Publication
    row_counts: dict
    reconciliation: list[tuple]
    parquet_folder: Path | None


def published_tables(manifest: dict) -> list[copy.SourceTable]:
    """Every model under models/marts/ (the marts and the semantic layer's time spine) and the
    EXTRA_MODELS, as the manifest says they were built."""
    tables = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or not node["config"].get("enabled", True):
            continue
        if node["original_file_path"].startswith("models/marts/"):
            tables.append(copy.SourceTable(node["schema"], node["alias"], node["alias"]))
        elif node["name"] in EXTRA_MODELS:
            tables.append(copy.SourceTable(node["schema"], node["alias"], EXTRA_MODELS[node["name"]]))
    return sorted(tables, key=lambda t: t.published_name)


@contextlib.contextmanager
def _lock(folder: Path):
    """One publisher at a time per folder (two builds finishing together)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".publish.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def destination(settings: Settings, green: gate.GreenBuild, live: bool) -> Path:
    return settings.replay_path(green.as_of_date) if green.is_replay and not live else settings.publish_path


def publish(settings: Settings, project_dir: Path, live: bool = False) -> Published:
    """Publish the work database's latest build; gate.NotGreen when it may not be published."""
    green = gate.check(settings.work_db, settings.target_path)
    target = destination(settings, green, live)
    files = provenance.raw_files(green.raw_path, green.raw_format, green.manifest, project_dir)
    raw_source = f"{green.raw_path} ({green.raw_format})" if green.raw_path else "demo seeds"
    tables = published_tables(green.manifest)
    with _lock(target.parent):
        copy.remove_stale_temporaries(target)
        history = provenance.read_history(target)
        new_file = copy.PublicationFile(target, settings.work_db, settings.memory_limit, settings.temp_directory)
        try:
            counts = {table.published_name: new_file.copy_table(table) for table in tables}
            published_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            publication = provenance.new_publication(
                published_at, green.as_of_date, green.is_replay, green.invocation_id, project_dir,
                files, raw_source, counts)
            _write_publications(new_file.connection, history, publication)
            reconciliation = new_file.connection.execute(
                "select * from marts.load_reconciliation order by 1").fetchall() \
                if "load_reconciliation" in counts else []
            folder = None
            if target == settings.publish_path:
                folder = parquet.write_folder(new_file.connection, settings.parquet_root,
                                              publication.publication_id, [*counts, "publications"], "marts")
            new_file.commit()
        except BaseException:
            new_file.discard()
            raise
        if folder is not None:
            parquet.point_to(settings.parquet_root, publication.publication_id)
    return Published(target, publication, counts, reconciliation, folder)


def _write_publications(connection, history: list[tuple], publication: provenance.Publication) -> None:
    columns = provenance.PUBLICATIONS_COLUMNS
    connection.execute(f"create table {provenance.PUBLICATIONS} ("
                       + ", ".join(f"{name} {spec[0]}" for name, spec in columns.items()) + ")")
    placeholders = ", ".join("?" for _ in columns)
    for row in [*history, tuple(publication.row())]:
        connection.execute(f"insert into {provenance.PUBLICATIONS} values ({placeholders})", list(row))
    connection.execute(f"comment on table {provenance.PUBLICATIONS} is '{provenance.TABLE_COMMENT}'")
    for name, (_, comment) in columns.items():
        connection.execute(f"comment on column {provenance.PUBLICATIONS}.{name} is '{comment.replace(chr(39), chr(39) * 2)}'")
