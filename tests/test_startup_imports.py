"""What a one-file ``compliance assess`` imports: only what the chosen output format needs.

Structural, not timed: each run is a fresh interpreter (``python -c``) that calls
``main()`` and then lists which of the heavy modules are loaded.  A module here is
heavy because it is large to import (WeasyPrint, openpyxl, the workbook reader, rich)
or because it pulls such a module in (the HTML, PDF and workbook renderers).  The
speed itself is measured in ``benchmarks/cli_end_to_end.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/mis_compliant.json"

#: Never loaded by a run on a JSON evidence file, whatever text format it prints.
HEAVY = (
    "weasyprint",
    "openpyxl",
    "python_calamine",
    "compliance.report.pdf",
    "compliance.report.tracker_xlsx",
    "compliance.report.template_xlsx",
    "compliance.report.diff",
    "compliance.report.scheme_compare",
    "compliance.evidence.workbook",
    "compliance.evidence.sheets",
    "compliance.evidence.csv_records",
    "compliance.evidence.export",
)
#: Loaded only by the format that renders with them.
RENDERERS = ("compliance.report.charts", "compliance.report.html", "compliance.report.markdown", "compliance.report.terminal", "compliance.report.json")

_PROBE = """
import contextlib, io, json, sys
from compliance.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
watched = json.loads(os.environ["WATCHED"])
print(json.dumps({"code": code, "loaded": sorted(m for m in watched if m in sys.modules),
                  "rich": any(m == "rich" or m.startswith("rich.") for m in sys.modules),
                  "schemes": sorted(__import__("compliance.schemes.loader", fromlist=["_"])._BUILTIN_CACHE)}))
"""


def _loaded(*args: str) -> dict[str, object]:
    env = dict(os.environ)
    env["WATCHED"] = json.dumps([*HEAVY, *RENDERERS])
    env["COMPLIANCE_NO_CACHE"] = "1"  # the same modules load either way; no cache left behind
    done = subprocess.run(
        [sys.executable, "-c", "import os\n" + _PROBE, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize(("fmt", "renderers"), [
    ("json", ["compliance.report.json"]),
    ("terminal", ["compliance.report.terminal"]),
    ("markdown", ["compliance.report.markdown"]),
    ("html", ["compliance.report.charts", "compliance.report.html"]),  # the HTML report draws its run charts
])
def test_a_one_file_run_imports_only_its_formats_renderer(fmt: str, renderers: list[str]):
    found = _loaded("assess", EXAMPLE, "--format", fmt)
    assert found["code"] == 0
    assert found["loaded"] == renderers


def test_json_output_does_not_import_rich():
    found = _loaded("assess", EXAMPLE, "--format", "json")
    assert found["rich"] is False


def test_a_file_naming_its_scheme_loads_that_scheme_and_what_it_rests_on():
    found = _loaded("assess", EXAMPLE, "--format", "json")
    assert found["schemes"] == ["mis-y3", "sblcbv2"]
