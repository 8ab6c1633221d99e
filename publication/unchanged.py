"""Is there anything to build? The inputs of a build, fingerprinted, against those of the
publication already served (DECISIONLOG D164).

Every definition is a function of the project's files, the raw files, the vars and the
settings, never of the wall clock (D1), so a build whose inputs equal those of the publication
served would publish the same tables again. `python -m publication build --if-changed` (what
`make build` runs) then stops in about a second and says so; any difference, or any doubt, builds.

The inputs are:
- every file of the project that dbt or the publication reads (models, macros, seeds, tests,
  analyses, snapshots, the project, profile and package files, the publication package itself),
  by content;
- the raw files under TIERING_RAW_PATH by name, size and modification time (the quick check the
  incremental staging trusts too, D142);
- the dbt arguments of the build (selection, `--vars`, `--full-refresh`, `--live`);
- the environment variables dbt and the profile read (TIERING_*, DBT_*, TZ);
- the versions of dbt-core, dbt-duckdb and duckdb.

The record is a JSON file beside the published file (`<published>.inputs.json`), written after
each live publication of `build`; it counts only while the publication it names is the one the
published file serves, so a publication by other means (`publish`, a replay with --live, a
restored file) always leads to a build.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

SCHEME = 1
PROJECT_FOLDERS = ("models", "macros", "seeds", "tests", "analyses", "snapshots", "publication")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml", "selectors.yml")
ENVIRONMENT_PREFIXES = ("TIERING_", "DBT_")
ENVIRONMENT_NAMES = ("TZ",)
PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")


def record_path(published: Path) -> Path:
    return published.with_name(published.name + ".inputs.json")


def _project_files(project_dir: Path) -> list[Path]:
    files = [project_dir / name for name in PROJECT_FILES if (project_dir / name).is_file()]
    for folder in PROJECT_FOLDERS:
        root = project_dir / folder
        if root.is_dir():
            files += [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(files)


def _raw_files(raw_path: str) -> list[Path]:
    root = Path(raw_path)
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def fingerprint(project_dir: Path, dbt_args: list[str], environment: dict[str, str]) -> str:
    """SHA-256 over every input of a build run in `project_dir` with these arguments and environment."""
    digest = hashlib.sha256(f"scheme {SCHEME}\0".encode())

    def add(*parts: object) -> None:
        digest.update("\0".join(str(p) for p in parts).encode() + b"\n")

    for path in _project_files(project_dir):
        add("project", path.relative_to(project_dir).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest())
    raw_path = environment.get("TIERING_RAW_PATH", "")
    for path in _raw_files(raw_path) if raw_path else []:
        stat = path.stat()
        add("raw", path.relative_to(raw_path).as_posix() if path != Path(raw_path) else path.name,
            stat.st_size, stat.st_mtime_ns)
    add("args", json.dumps(list(dbt_args)))
    for name in sorted(environment):
        if name.startswith(ENVIRONMENT_PREFIXES) or name in ENVIRONMENT_NAMES:
            add("env", name, environment[name])
    for package in PACKAGES:
        add("package", package, _version(package))
    return "sha256:" + digest.hexdigest()


def recorded(published: Path) -> dict | None:
    """The record beside the published file, or None when there is none or it cannot be read."""
    try:
        data = json.loads(record_path(published).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and {"publication_id", "inputs"} <= set(data) else None


def write_record(published: Path, publication_id: str, inputs: str) -> None:
    """Record which inputs the publication now served was built from (temp file, then rename)."""
    path = record_path(published)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"publication_id": publication_id, "inputs": inputs}, indent=1) + "\n")
    os.replace(temporary, path)


def unchanged_since(published: Path, served_publication_id: str | None, inputs: str) -> str | None:
    """The id of the served publication when it was built from exactly these inputs, else None."""
    record = recorded(published)
    if record is None or served_publication_id is None:
        return None
    if record["publication_id"] != served_publication_id or record["inputs"] != inputs:
        return None
    return served_publication_id
