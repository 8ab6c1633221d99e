"""Where publication reads and writes: every path from the environment dbt itself reads.

Relative paths are relative to the working directory, as they are for dbt (run both from the
project root).
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

DEFAULT_WORK_DB = "target/tiering.duckdb"
DEFAULT_PUBLISH_PATH = "target/published/tiering.duckdb"


@dataclasses.dataclass(frozen=True)
class Settings:
    work_db: Path          # what dbt builds into (the profile's TIERING_DUCKDB_PATH)
    publish_path: Path     # the live published file BI opens (TIERING_PUBLISH_PATH)
    target_path: Path      # dbt's target folder: manifest.json and run_results.json
    memory_limit: str      # DuckDB settings of the copy, the profile's
    temp_directory: str

    @property
    def parquet_root(self) -> Path:
        """One folder per publication plus the pointer file CURRENT (live publications only)."""
        return self.publish_path.parent / "parquet"

    def replay_path(self, as_of_date: str) -> Path:
        """Where a replay publishes unless --live: a file named after its as-of date."""
        return self.publish_path.parent / "replays" / f"{self.publish_path.stem}_as_of_{as_of_date}.duckdb"


def from_environment(target_path: str | None = None) -> Settings:
    return Settings(
        work_db=Path(os.environ.get("TIERING_DUCKDB_PATH") or DEFAULT_WORK_DB),
        publish_path=Path(os.environ.get("TIERING_PUBLISH_PATH") or DEFAULT_PUBLISH_PATH),
        target_path=Path(target_path or os.environ.get("DBT_TARGET_PATH") or "target"),
        memory_limit=os.environ.get("TIERING_DUCKDB_MEMORY_LIMIT") or "1536MB",
        temp_directory=os.environ.get("TIERING_DUCKDB_TEMP_DIR") or "target/duckdb_spill",
    )
