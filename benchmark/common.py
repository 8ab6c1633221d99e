"""Shared by the harness and the floors: the DuckDB settings of the dbt profile, node order, size labels."""
from __future__ import annotations

import ast
import os
from pathlib import Path

import jinja2
import yaml

PROJECT = Path(__file__).resolve().parents[1]
GIB = 1024 ** 3
MIB = 1024 ** 2
# The measured variants that are a dbt build, and its arguments (benchmark/README.md "Variants").
DBT_VARIANTS = {
    "dbt_models": ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"],
    "dbt_models_tests": ["build", "--exclude-resource-type", "unit_test"],
    "dbt_models_tests_published": ["build", "--exclude-resource-type", "unit_test"],
    # the same build of the current marts only: no history periods (DECISIONLOG D116, D120)
    "dbt_models_tests_no_history": ["build", "--exclude-resource-type", "unit_test",
                                    "--vars", "{history_periods: 0}"],
    # the same build on the raw data as load batches (docs/incremental-loads.md): from scratch,
    # and the nightly run over a warehouse that has built every batch but the newest 1 % (D147)
    "dbt_models_tests_batches": ["build", "--exclude-resource-type", "unit_test"],
    "nightly": ["build", "--exclude-resource-type", "unit_test"],
    # the same two without the history: at 10^8 orders a warehouse with 24 periods of history and
    # its spill do not fit this machine's disk (benchmark/README.md, "Daily runs")
    "dbt_models_tests_batches_no_history": ["build", "--exclude-resource-type", "unit_test",
                                            "--vars", "{history_periods: 0}"],
    "nightly_no_history": ["build", "--exclude-resource-type", "unit_test", "--vars", "{history_periods: 0}"],
}
# each nightly variant and the from-scratch build of the same batches it is compared with
NIGHTLY_REFERENCE = {"nightly": "dbt_models_tests_batches",
                     "nightly_no_history": "dbt_models_tests_batches_no_history"}


def profile_output(env: dict[str, str] | None = None, project: Path = PROJECT) -> dict:
    """The active output of profiles.yml, rendered with the given environment.

    The profile reads everything from environment variables (`env_var('X', default)`), so
    rendering it here with the very environment handed to dbt gives the settings dbt uses.
    """
    env = dict(os.environ if env is None else env)

    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise KeyError(f"profiles.yml needs env var {name}")
        return default

    def render(value):
        if isinstance(value, str) and "{{" in value:
            text = jinja2.Template(value).render(env_var=env_var)
            # dbt reads a rendered mapping or list (`settings: >- {{ dict(...) }}`) as that value
            return ast.literal_eval(text) if text.strip()[:1] in ("{", "[") else text
        if isinstance(value, dict):
            return {k: render(v) for k, v in value.items()}
        if isinstance(value, list):
            return [render(v) for v in value]
        return value

    profiles = yaml.safe_load((project / "profiles.yml").read_text())
    profile_name = yaml.safe_load((project / "dbt_project.yml").read_text())["profile"]
    profile = profiles[profile_name]
    target = render(profile["target"])
    output = render(profile["outputs"][target])
    output["_target"] = target
    return output


def duckdb_config(output: dict) -> dict[str, str]:
    """The connect-time DuckDB settings of this output: its `config_options`.

    dbt-duckdb passes `config_options` to `duckdb.connect`; `settings` are SET statements run
    on every cursor once the file is open (some, such as TimeZone, are accepted only after an
    extension has loaded), so they are not part of the connect-time config: `duckdb_settings`.
    The profile's `threads` is dbt's node concurrency, not a DuckDB setting.
    """
    return {str(k): str(v) for k, v in (output.get("config_options") or {}).items()}


def duckdb_settings(output: dict) -> dict[str, str]:
    """The per-cursor settings of this output (`settings`), in the order dbt-duckdb SETs them."""
    return {str(k): str(v) for k, v in (output.get("settings") or {}).items()}


def connect(database: str | Path, output: dict):
    """Open a DuckDB file as dbt-duckdb does for this output: config at connect, then each SET."""
    import duckdb

    con = duckdb.connect(str(database), config=duckdb_config(output))
    for key, value in duckdb_settings(output).items():
        con.execute(f"set {key} = '{value.replace(chr(39), chr(39) * 2)}'")
    return con


def topological_order(nodes: dict[str, dict]) -> list[str]:
    """Node ids ordered so that every node comes after the nodes it depends on (Kahn's algorithm).

    Dependencies on ids outside `nodes` (sources, macros, disabled nodes) are ignored; ties are
    broken by id so the order is deterministic.
    """
    deps = {uid: sorted({d for d in node.get("depends_on", {}).get("nodes", []) if d in nodes and d != uid})
            for uid, node in nodes.items()}
    children: dict[str, list[str]] = {uid: [] for uid in nodes}
    for uid, parents in deps.items():
        for parent in parents:
            children[parent].append(uid)
    waiting = {uid: len(parents) for uid, parents in deps.items()}
    ready = sorted(uid for uid, n in waiting.items() if n == 0)
    order: list[str] = []
    while ready:
        uid = ready.pop(0)
        order.append(uid)
        for child in children[uid]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
        ready.sort()
    if len(order) != len(nodes):
        cycle = sorted(uid for uid, n in waiting.items() if n > 0)
        raise ValueError(f"dependency cycle among {cycle[:5]}")
    return order


def size_label(n: int) -> str:
    exponent = len(str(n)) - 1
    return f"10^{exponent}" if n == 10 ** exponent else f"{n:,}"
