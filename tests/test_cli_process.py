"""The command line as a user runs it: ``python -m compliance`` in a child process.

Exit codes 0 / 1 / 2, messages on standard error without a traceback, and
plain text when standard output is not a terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ)
    full.pop("NO_COLOR", None)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "compliance", *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def test_all_met_exits_0():
    done = _run("assess", "examples/mis_compliant.json", "--scheme", "mis-y3")
    assert done.returncode == 0, done.stderr
    assert "Verdict: ✔ MET" in done.stdout and "\x1b" not in done.stdout
    assert done.stderr == ""


def test_gaps_exit_1():
    done = _run("assess", "examples/mis_late_pmrt.json", "--scheme", "mis-y3", "--format", "json")
    assert done.returncode == 1, done.stderr
    assert '"schema_version": "2"' in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("assess", "examples/does_not_exist.json"),
        ("assess", "examples/mis_compliant.json", "--scheme", "no-such-scheme"),
        ("assess",),
        ("explain", "NOPE-1"),
        ("validate", "pyproject.toml"),
    ],
)
def test_bad_input_exits_2_without_traceback(args):
    done = _run(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stderr.strip()
    assert done.stdout == ""


def test_bad_evidence_points_at_the_line(tmp_path):
    bad = tmp_path / "trust.yaml"
    bad.write_text("trust:\n  name: X\n  ods_code: RXX\nperiod:\n  start: 2021-01-01\n  end: 2021-13-01\n", encoding="utf-8")
    done = _run("validate", str(bad))
    assert done.returncode == 2, done.stderr
    assert f"{bad}:6:" in done.stderr and "^" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_yaml_shape_points_at_the_line(tmp_path):
    bad = tmp_path / "trust.yaml"
    bad.write_text("trust:\n  name: X\n  ods_code: RXX\nperiod:\n  start: 2021-01-01\n  end: [1]\n", encoding="utf-8")
    done = _run("validate", str(bad))
    assert done.returncode == 2, done.stderr
    assert f"{bad}:6:" in done.stderr and "^" in done.stderr
    assert "Traceback" not in done.stderr


def test_debug_shows_traceback():
    done = _run("--debug", "assess", "examples/does_not_exist.json")
    assert done.returncode == 2 and "Traceback" in done.stderr


def test_no_color_environment():
    done = _run("schemes", env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert done.returncode == 0 and "\x1b" not in done.stdout


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    )
    return set(done.stdout.split())


def test_importing_the_package_builds_nothing_heavy():
    loaded = _modules_after("import compliance")
    assert {"compliance", "compliance.errors"} <= loaded
    assert not loaded & {"compliance.assessment.assess", "compliance.evidence.model", "pydantic.main", "durable.engine", "rich.console"}


def test_help_does_not_load_the_engine():
    loaded = _modules_after("import sys\nfrom compliance.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert "compliance.assessment.assess" not in loaded and "pydantic.main" not in loaded


def test_the_command_does_not_scan_for_pydantic_plugins_unless_asked():
    code = (
        "import os, sys, runpy\nsys.argv = ['compliance', 'validate', 'examples/mis_compliant.json']\n"
        "try:\n    runpy.run_module('compliance', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print('PLUGINS=' + repr(os.environ.get('PYDANTIC_DISABLE_PLUGINS')), file=sys.stderr)"
    )
    for preset, expected in ((None, "__all__"), ("", ""), ("logfire", "logfire")):
        env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
        if preset is not None:
            env["PYDANTIC_DISABLE_PLUGINS"] = preset
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        assert f"PLUGINS={expected!r}" in done.stderr
