"""What a publication says about itself: the row of marts.publications (DECISIONLOG D65).

One row per publication, the history carried over from the file it replaces: its id, when it was
published (UTC), the as-of date, the git commit of the project, a fingerprint of the raw input
files, the row count of every table it publishes, whether it is a replay, and the dbt invocation
that built it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path

import duckdb

PUBLICATIONS = "marts.publications"
PUBLICATIONS_COLUMNS = {
    "publication_id": ("varchar not null", "Id of the publication: its UTC time and the start of the dbt invocation id."),
    "published_at": ("timestamp not null", "When the publication replaced the previous one (UTC)."),
    "as_of_date": ("date not null", "The as-of date every mart of this publication is computed for."),
    "is_replay": ("boolean not null", "True when as_of_date was given and differs from the latest purchase date of the data."),
    "git_commit": ("varchar not null", "Git commit of the project that built it ('-dirty' when files differed from it; 'unknown' outside git)."),
    "raw_fingerprint": ("varchar not null", "SHA-256 over the names, sizes and contents of the raw input files (or of the demo seeds)."),
    "raw_source": ("varchar not null", "The raw input: TIERING_RAW_PATH and format, or 'demo seeds'."),
    "mart_row_counts": ("varchar not null", "JSON object: rows of every table of this publication, by table name."),
    "dbt_invocation_id": ("varchar not null", "The dbt build (invocation id in target/run_results.json and tiering_meta.build_runs)."),
}
TABLE_COMMENT = ("One row per publication of this file, newest last: which build, which as-of date and "
                 "which raw data the marts beside it come from. The latest row describes the marts.")


@dataclasses.dataclass(frozen=True)
class Publication:
    publication_id: str
    published_at: dt.datetime
    as_of_date: str
    is_replay: bool
    git_commit: str
    raw_fingerprint: str
    raw_source: str
    mart_row_counts: str
    dbt_invocation_id: str

    def row(self) -> list:
        return [getattr(self, name) for name in PUBLICATIONS_COLUMNS]


def publication_id(published_at: dt.datetime, invocation_id: str) -> str:
    """Sorts by time: Parquet folders and history rows are ordered by it."""
    return f"{published_at:%Y%m%dT%H%M%S}{published_at.microsecond // 1000:03d}Z-{invocation_id[:8]}"


def git_commit(project_dir: Path) -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project_dir, capture_output=True,
                              text=True, timeout=30)
        if head.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=project_dir,
                               capture_output=True, text=True, timeout=30)
        return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def raw_files(raw_path: str | None, raw_format: str, manifest: dict, project_dir: Path) -> list[Path]:
    """The files the build read: the `raw` source's files (or batch folders) under raw_path, else the demo seeds
    (`raw_<entity>`, as macros/staging/raw_relation.sql chooses)."""
    if raw_path:
        names = sorted(s["name"] for s in manifest["sources"].values() if s["source_name"] == "raw")
        files = []
        for name in names:
            single = Path(raw_path) / f"{name}.{raw_format}"
            # an entity is one file or a folder of load batches (docs/incremental-loads.md)
            files += [single] if single.is_file() else sorted((Path(raw_path) / name).glob(f"*.{raw_format}"))
        return files
    seeds = [n for n in manifest["nodes"].values() if n["resource_type"] == "seed" and n["name"].startswith("raw_")]
    return sorted(project_dir / n["original_file_path"] for n in seeds)


def raw_fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return "sha256:" + digest.hexdigest()


def read_history(published: Path) -> list[tuple]:
    """The publications rows of an existing published file (opened read-only), oldest first."""
    if not published.is_file():
        return []
    try:
        with duckdb.connect(str(published), read_only=True) as connection:
            return connection.execute(
                f"select {', '.join(PUBLICATIONS_COLUMNS)} from {PUBLICATIONS} order by published_at").fetchall()
    except duckdb.CatalogException:
        return []


def served(published: Path) -> dict | None:
    """The publication a file serves (its latest row), or None when there is none yet."""
    rows = read_history(published)
    return dict(zip(PUBLICATIONS_COLUMNS, rows[-1])) if rows else None


def describe(published: Path) -> str:
    """`<path> still serves publication <id> (as of <date>, published <time>)`, or `no publication yet`."""
    try:
        current = served(published)
    except duckdb.Error as error:
        return f"{published} is there but could not be read ({error})"
    if current is None:
        return f"{published} has no publication yet"
    return (f"{published} still serves publication {current['publication_id']} (as of {current['as_of_date']}, "
            f"published {current['published_at']:%Y-%m-%d %H:%M:%S} UTC)")


def new_publication(published_at: dt.datetime, as_of_date: str, is_replay: bool, invocation_id: str,
                    project_dir: Path, files: list[Path], raw_source: str, row_counts: dict) -> Publication:
    return Publication(
        publication_id=publication_id(published_at, invocation_id),
        published_at=published_at,
        as_of_date=as_of_date,
        is_replay=is_replay,
        git_commit=git_commit(project_dir),
        raw_fingerprint=raw_fingerprint(files),
        raw_source=raw_source,
        mart_row_counts=json.dumps(row_counts, sort_keys=True),
        dbt_invocation_id=invocation_id,
    )
