"""constraints.txt pins what was tested (scripts/lock_environment.py, `make lock`): every package a
requirements file names is in it at a version that file allows, and every pip install of the
Makefile and of scripts/setup_spark.sh uses it."""
from __future__ import annotations

import re
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "scripts"))

import lock_environment as lock  # noqa: E402


def _locked() -> dict[str, str]:
    pins = {}
    for line in (PROJECT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name] = version
    return pins


def test_constraints_pin_every_requirement_at_an_allowed_version():
    pins = _locked()
    assert pins, "constraints.txt is empty"
    assert lock.problems(pins) == []
    assert all(re.fullmatch(r"[a-z0-9-]+", name) for name in pins), "names are not canonical"


def test_a_missing_or_disallowed_package_is_found(tmp_path):
    (tmp_path / "requirements.txt").write_text("# build\nduckdb==2.0.0\ndbt-core~=1.11.0\n")
    (tmp_path / "requirements-report.txt").write_text("-r requirements.txt\nplotly==7.1.0  # charts\n")
    (tmp_path / "requirements-test.txt").write_text("-r requirements-report.txt\n")
    (tmp_path / "requirements-spark.txt").write_text("-r requirements.txt\n")
    found = lock.problems({"duckdb": "2.0.0", "dbt-core": "1.12.0"}, project=tmp_path)
    assert any("dbt-core~=1.11.0 but 1.12.0" in p for p in found)
    assert any("plotly==7.1.0 is not installed" in p for p in found)
    assert not any("duckdb" in p for p in found)


def test_every_pip_install_uses_the_constraints():
    installs = [line for path in ("Makefile", "scripts/setup_spark.sh")
                for line in (PROJECT / path).read_text().splitlines()
                if re.search(r"pip\"? install ", line) and not line.lstrip().startswith("#")]
    assert len(installs) >= 4
    assert all("-c constraints.txt" in line for line in installs), installs


def test_the_lock_renders_sorted_pins():
    text = lock.render({"b-pkg": "1.0", "a-pkg": "2.0"})
    assert text.startswith("#")
    assert [line for line in text.splitlines() if not line.startswith("#")] == ["a-pkg==2.0", "b-pkg==1.0"]
