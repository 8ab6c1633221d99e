"""The Parquet copy of a live publication, for tools that read files (DECISIONLOG D66).

Each publication writes every table of the published file to
`<publish dir>/parquet/<publication_id>/<table>.parquet`, first into a hidden folder that is
renamed when complete; then the pointer file `<publish dir>/parquet/CURRENT` (one line: the
publication id) is replaced atomically, so a reader that follows CURRENT always finds a whole
folder. The last KEEP folders stay, so a reader still on an older one is not cut off at once.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

KEEP = 3
POINTER = "CURRENT"


def write_folder(connection, root: Path, publication_id: str, tables: list[str], schema: str) -> Path:
    """Write `tables` of `schema` (through the open publication connection) to a new folder."""
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".{publication_id}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for table in tables:
        out = staging / f"{table}.parquet"
        connection.execute(f"copy {schema}.\"{table}\" to '{out}' (format parquet, compression zstd)")
    folder = root / publication_id
    os.replace(staging, folder)
    return folder


def point_to(root: Path, publication_id: str) -> None:
    """Replace CURRENT atomically, then drop all but the newest KEEP publication folders."""
    pointer_tmp = root / f".{POINTER}.tmp-{os.getpid()}"
    pointer_tmp.write_text(publication_id + "\n")
    with pointer_tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer_tmp, root / POINTER)
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in folders[:-KEEP]:
        if old.name != publication_id:
            shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".*.tmp*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def current(root: Path) -> str | None:
    pointer = root / POINTER
    return pointer.read_text().strip() if pointer.is_file() else None
