"""Command line: `python -m publication build [--live] [--if-changed] [dbt build args...] | publish [--live] | status`.

build    runs `dbt build` with the given arguments into the work database and publishes only if
         the build was green and complete; exits non-zero otherwise, naming what is still served.
         With --if-changed (what `make build` runs) it first compares the build's inputs with
         those of the publication served, and builds nothing when they are the same (D164).
publish  publishes the latest build of the work database (after a plain `dbt build`).
status   prints which publication the published file serves, and whether the latest build could
         be published.
--live   publish a replay (an as_of_date other than the data's) to the live path deliberately.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from publication import gate, parquet, provenance, unchanged
from publication.publish import Published, publish
from publication.settings import Settings, from_environment


def _dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.is_file() else (shutil.which("dbt") or "dbt")


def _target_path(dbt_args: list[str]) -> str | None:
    for i, arg in enumerate(dbt_args):
        if arg == "--target-path" and i + 1 < len(dbt_args):
            return dbt_args[i + 1]
        if arg.startswith("--target-path="):
            return arg.split("=", 1)[1]
    return None


def _dbt_environment(stdout_is_terminal: bool) -> dict[str, str]:
    """The child's environment: no colour codes where nobody sees colours (D162). dbt colours its
    output and its log file by default, wherever they go; here the output gets colours only when
    it is a terminal and the log file never. A DBT_USE_COLORS / DBT_USE_COLORS_FILE the user set
    wins, as does --use-colors on the command line."""
    env = dict(os.environ)
    if not stdout_is_terminal:
        env.setdefault("DBT_USE_COLORS", "false")
    env.setdefault("DBT_USE_COLORS_FILE", "false")
    return env


def _run_dbt_build(dbt_args: list[str]) -> int:
    """`dbt build <args>` in a child process, waited for whatever happens: SIGTERM is passed on to
    dbt; Ctrl-C (SIGINT) already reaches dbt from the terminal, so here it only does not kill us."""
    child = subprocess.Popen([_dbt_executable(), "build", *dbt_args],
                             env=_dbt_environment(sys.stdout.isatty()))

    def forward(signum, _frame):
        child.send_signal(signum)

    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, forward),
                signal.SIGINT: signal.signal(signal.SIGINT, lambda *_: None)}
    try:
        return child.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _nothing_published(settings: Settings, reason: str) -> int:
    print(f"\nNothing published: {reason}.", flush=True)
    print(f"Nothing published; {provenance.describe(settings.publish_path)}", flush=True)
    return 1


def _report(result: Published, seconds: float, settings: Settings) -> None:
    pub = result.publication
    print(f"\nPublished {pub.publication_id}{' (a replay)' if pub.is_replay else ''}: as of {pub.as_of_date}, "
          f"build {pub.dbt_invocation_id}, commit {pub.git_commit}")
    width = max((len(table) for table in result.row_counts), default=0)
    for table, rows in result.row_counts.items():
        print(f"  {table:<{width}} {rows:>12,} rows")
    if result.reconciliation:
        print("  raw data (raw = clean + rejected + duplicates):")
        for entity, raw, clean, rejected, duplicates, *_ in result.reconciliation:
            print(f"    {entity:<9} raw {raw:,} = clean {clean:,} + rejected {rejected:,} + duplicates {duplicates:,}")
    print(f"Published file: {result.path} (publication took {seconds:.1f} s)")
    if result.parquet_folder is not None:
        print(f"Parquet: {result.parquet_folder} (pointer {result.parquet_folder.parent / parquet.POINTER})")
    if pub.is_replay and result.path != settings.publish_path:
        print(f"This is a replay: the live publication {settings.publish_path} is untouched "
              "(to publish a replay live on purpose, add --live).")
    elif pub.is_replay:
        print("This replay was published to the live path on purpose (--live).")


def _publish_and_report(settings: Settings, live: bool, inputs: str | None = None) -> int:
    started = time.monotonic()
    try:
        result = publish(settings, Path.cwd(), live=live)
    except gate.NotGreen as reason:
        return _nothing_published(settings, str(reason))
    except (duckdb.Error, OSError) as error:
        # The new file was discarded (publish.py): the published one is as it was.
        hint = ("; a client holds the published file read-write: connect BI read-only "
                "(README \"Connecting a BI tool\")") if "lock" in str(error).lower() else ""
        return _nothing_published(settings, f"the publication step failed: {error}{hint}")
    if inputs is not None and result.path == settings.publish_path:
        unchanged.write_record(settings.publish_path, result.publication.publication_id, inputs)
    _report(result, time.monotonic() - started, settings)
    return 0


def _served_unchanged(settings: Settings, inputs: str) -> dict | None:
    """The publication served when it was built from exactly these inputs and is all there."""
    try:
        current = provenance.served(settings.publish_path)
    except duckdb.Error:
        return None
    if current is None or parquet.current(settings.parquet_root) != current["publication_id"]:
        return None
    same = unchanged.unchanged_since(settings.publish_path, current["publication_id"], inputs)
    return current if same else None


def _report_unchanged(current: dict, settings: Settings) -> None:
    print(f"Nothing to build: the project, the raw files, the arguments and the settings are those of "
          f"publication {current['publication_id']} (as of {current['as_of_date']}, built from commit "
          f"{current['git_commit']}), which is still served.")
    counts = json.loads(current["mart_row_counts"] or "{}")
    width = max((len(table) for table in counts), default=0)
    for table, rows in sorted(counts.items()):
        print(f"  {table:<{width}} {rows:>12,} rows")
    print(f"Published file: {settings.publish_path}")
    print("To build anyway, run without --if-changed (`make build FORCE=1`).")


def _status(settings: Settings) -> int:
    print(f"Published file: {provenance.describe(settings.publish_path).replace(' still serves', ' serves')}")
    pointer = parquet.current(settings.parquet_root)
    print(f"Parquet: {settings.parquet_root / pointer if pointer else 'none yet'}")
    replays = sorted(settings.replay_path("*").parent.glob(settings.replay_path("*").name))
    for replay in replays:
        print(f"Replay: {provenance.describe(replay).replace(' still serves', ' serves')}")
    try:
        green = gate.check(settings.work_db, settings.target_path)
        print(f"Work database {settings.work_db}: build {green.invocation_id} (as of {green.as_of_date}) is green"
              " and can be published")
    except gate.NotGreen as reason:
        print(f"Work database {settings.work_db}: cannot be published: {reason}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m publication", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", allow_abbrev=False, help="dbt build, then publish if green")
    build.add_argument("--live", action="store_true", help="publish a replay to the live path")
    build.add_argument("--if-changed", action="store_true",
                       help="build nothing when the inputs are those of the publication served (D164)")
    pub = commands.add_parser("publish", allow_abbrev=False, help="publish the latest green build")
    pub.add_argument("--live", action="store_true", help="publish a replay to the live path")
    pub.add_argument("--target-path", help="dbt's target path of the build (default: target)")
    status = commands.add_parser("status", allow_abbrev=False, help="which publication is served")
    status.add_argument("--target-path", help="dbt's target path of the build (default: target)")
    args, rest = parser.parse_known_args(argv)

    if args.command == "build":
        settings = from_environment(_target_path(rest))
        inputs = unchanged.fingerprint(Path.cwd(), [*rest, *(["--live"] if args.live else [])], dict(os.environ))
        if args.if_changed:
            current = _served_unchanged(settings, inputs)
            if current is not None:
                _report_unchanged(current, settings)
                return 0
        code = _run_dbt_build(rest)
        if code != 0:
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            return _nothing_published(settings, f"dbt build failed ({how})")
        return _publish_and_report(settings, args.live, inputs)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "publish":
        return _publish_and_report(from_environment(args.target_path), args.live)
    return _status(from_environment(args.target_path))
