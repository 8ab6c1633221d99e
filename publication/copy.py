"""Write a published DuckDB file atomically (DECISIONLOG D60).

The copy is written to a temporary file in the destination's folder, checkpointed, closed and
fsync'd, then renamed over the published file with os.replace. A rename is atomic on one file
system: a reader that opens the path gets the old file or the new one, never a mix, and a reader
that already has the old file open keeps reading it (its inode lives until it closes). The
published file itself is never opened for writing, so a build needs no lock on it.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import duckdb

PUBLISHED_SCHEMA = "marts"


@dataclasses.dataclass(frozen=True)
class SourceTable:
    schema: str           # in the work database
    name: str
    published_name: str   # in schema marts of the published file


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def temporary_path(destination: Path) -> Path:
    return destination.with_name(f".{destination.name}.tmp-{os.getpid()}")


def remove_stale_temporaries(destination: Path) -> None:
    """Temporary files of an earlier publish that was killed (call under the publish lock)."""
    for stale in destination.parent.glob(f".{destination.name}.tmp-*"):
        stale.unlink(missing_ok=True)


class PublicationFile:
    """A new published file being written; `commit()` puts it in place, `discard()` drops it."""

    def __init__(self, destination: Path, work_db: Path, memory_limit: str, temp_directory: str):
        self.destination = destination
        self.path = temporary_path(destination)
        self.path.unlink(missing_ok=True)
        Path(temp_directory).mkdir(parents=True, exist_ok=True)
        self.connection = duckdb.connect(str(self.path), config={
            "memory_limit": memory_limit, "temp_directory": temp_directory})
        self.connection.execute(f"attach {_literal(str(work_db))} as work (read_only)")
        # One transaction for the whole file: dozens of comment statements cost one commit, not one each.
        self.connection.execute("begin transaction")
        self.connection.execute(f"create schema {PUBLISHED_SCHEMA}")

    def copy_table(self, table: SourceTable) -> int:
        """Copy one table or view of the work database with its column types, constraints and
        comments; returns its row count."""
        con = self.connection
        source = f"work.{_quote(table.schema)}.{_quote(table.name)}"
        target = f"{PUBLISHED_SCHEMA}.{_quote(table.published_name)}"
        ddl = con.execute("select sql from duckdb_tables() where database_name = 'work' and schema_name = ? "
                          "and table_name = ?", [table.schema, table.name]).fetchone()
        prefix = f"CREATE TABLE {table.schema}.{table.name}("
        if ddl and ddl[0].startswith(prefix):
            # Same columns, NOT NULL and CHECK constraints as the contract built them.
            con.execute(f"create table {target}(" + ddl[0][len(prefix):])
            con.execute(f"insert into {target} select * from {source}")
        else:
            con.execute(f"create table {target} as select * from {source}")
        comments = con.execute(
            "select comment from duckdb_tables() where database_name = 'work' and schema_name = ? and table_name = ? "
            "union all select comment from duckdb_views() where database_name = 'work' and schema_name = ? "
            "and view_name = ?", [table.schema, table.name] * 2).fetchall()
        if comments and comments[0][0]:
            con.execute(f"comment on table {target} is {_literal(comments[0][0])}")
        for column, comment in con.execute(
                "select column_name, comment from duckdb_columns() where database_name = 'work' "
                "and schema_name = ? and table_name = ? and comment is not null", [table.schema, table.name]).fetchall():
            con.execute(f"comment on column {target}.{_quote(column)} is {_literal(comment)}")
        return con.execute(f"select count(*) from {target}").fetchone()[0]

    def commit(self) -> None:
        """Make the new file durable and put it in place of the published one, atomically."""
        self.connection.execute("commit")
        self.connection.execute("detach work")
        self.connection.execute("checkpoint")
        self.connection.close()
        _fsync(self.path)
        os.replace(self.path, self.destination)
        _fsync(self.destination.parent)

    def discard(self) -> None:
        try:
            self.connection.close()
        finally:
            self.path.unlink(missing_ok=True)
            Path(f"{self.path}.wal").unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
