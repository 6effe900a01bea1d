"""The boundary that sends facts to durable-rules refuses what the engine must never see.

Every input is refused long before (tests/test_hostile_inputs.py); this is the
last line: a non-finite or out-of-range number reaching :meth:`Runner.fire`
is a bug, stopped as an EngineError before the C extension (where NaN aborted
the whole process with SIGABRT).  Each check runs in a child process, so an
abort fails the test instead of killing the test run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
from compliance import load_scheme
from compliance.errors import EngineError
from compliance.rules.runner import runner
from compliance.rules.runtime import Session

run = runner(load_scheme("mis-y3"))
key = sorted(run.compiled.ruleset_of)[0]
try:
    with Session() as session:
        run.fire(session, [{"key": key, "value": VALUE, "threshold": 95.0}])
except EngineError as err:
    print("refused:", err)
    sys.exit(0)
print("sent to the engine")
sys.exit(1)
"""


@pytest.mark.parametrize("value", ["float('nan')", "float('inf')", "-float('inf')", "1e300", "10**400", "2**53"])
def test_the_runner_never_sends_a_number_out_of_range(value: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("VALUE", value)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr[-2000:])
    assert "refused:" in done.stdout and "never sent to durable-rules" in done.stdout
