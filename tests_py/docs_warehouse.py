"""A published warehouse with its docs site and semantic manifest, built once for the docs and
semantic tests.

MetricFlow's `mf` reads `target/semantic_manifest.json` under the directory it runs in and
ignores --target-path, so the build happens in a project of its own: a temporary folder whose
dbt_project.yml, models, macros, seeds, tests and analyses are symlinks to this checkout. Its
target/ and logs/ are its own, and so is the DuckDB file, so nothing here touches the
developer's target/ or another test's warehouse.

The build is `python -m publication build` (seeds, models and data tests; the unit tests run in
`make dbt-test`), and the docs site and `mf` then run on the `published` target, read-only on the
published file, as README "Publication" tells users to: so they are tested where BI reads.
"""
from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

from dbt_project_runner import generate_raw, run_dbt

PROJECT = Path(__file__).resolve().parents[1]
BIN = PROJECT / ".venv" / "bin"
LINKED = ["dbt_project.yml", "models", "macros", "seeds", "tests", "analyses", "publication"]
DEMO_SEEDS = PROJECT / "seeds" / "demo"


@dataclasses.dataclass(frozen=True)
class DocsWarehouse:
    project_dir: Path     # the linked project; `mf` runs here
    warehouse: Path       # the published DuckDB file (read-only for everyone)
    work_database: Path   # the work DuckDB file dbt built (staging, intermediate, marts)
    env: dict             # environment for dbt and mf in project_dir: the `published` target

    @property
    def target(self) -> Path:
        return self.project_dir / "target"

    @property
    def static_site(self) -> Path:
        return self.target / "static_index.html"

    def run(self, args: list[str], timeout: int = 900) -> subprocess.CompletedProcess:
        """Run a tool of the project's venv (`dbt ...`, `mf ...`) in the linked project."""
        proc = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=self.project_dir, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        return proc


def _check(proc: subprocess.CompletedProcess, what: str) -> None:
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-40:])
        raise AssertionError(f"{what} failed ({proc.returncode}):\n{tail}\n{proc.stderr[-2000:]}")


def build(work: Path) -> DocsWarehouse:
    """Build and publish the demo warehouse, then `dbt docs generate --static` and the semantic
    manifest on the published copy, in `work`."""
    project_dir = work / "project"
    project_dir.mkdir(parents=True)
    for name in LINKED:
        if (PROJECT / name).exists():
            (project_dir / name).symlink_to(PROJECT / name)
    env = dict(os.environ)
    env.update({
        "DBT_PROFILES_DIR": str(PROJECT),
        "TIERING_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "TIERING_DUCKDB_TEMP_DIR": str(work / "spill"),
        "TIERING_PUBLISH_PATH": str(work / "published" / "tiering.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MF_DISABLE_UPDATE_CHECK": "1",
    })
    env.pop("TIERING_RAW_PATH", None)
    env.pop("TIERING_RAW_FORMAT", None)
    env.pop("TIERING_TARGET", None)
    if not any(DEMO_SEEDS.glob("raw_*.csv")):
        # A checkout without the demo seeds: the same demo data, written by the generator.
        env["TIERING_RAW_PATH"] = str(generate_raw(work / "raw", customers=2000, seed=42))
    builder = DocsWarehouse(project_dir=project_dir, warehouse=work / "warehouse.duckdb",
                            work_database=work / "warehouse.duckdb", env=env)
    _check(builder.run(["python", "-m", "publication", "build", "--exclude-resource-type", "unit_test"]),
           "publication build (seeds, models and data tests)")
    site = DocsWarehouse(project_dir=project_dir, warehouse=Path(env["TIERING_PUBLISH_PATH"]),
                         work_database=work / "warehouse.duckdb", env={**env, "TIERING_TARGET": "published"})
    # In the linked project, so that its target/ holds the artifacts `mf` reads.
    run_dbt(["docs", "generate", "--static"], project_dir, project=project_dir, extra_env=site.env)
    for artifact in ("manifest.json", "catalog.json", "static_index.html", "semantic_manifest.json"):
        assert (site.target / artifact).is_file(), f"dbt did not write target/{artifact}"
    return site
