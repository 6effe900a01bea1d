"""durable-rules' extension on every supported Python, 3.13 included (native/pyeval_shim.c).

On 3.13 the engine's calls to ``PyEval_CallObject`` go to compliance's shim.
The engine was compiled without a prototype for it, so it keeps only the low
32 bits of the result: these tests run the one path that uses the result
(the idle-state callback, called by ``start_action``) and check every kind of
result comes back as the engine's own code.  Each runs in a child process, so
a corrupted pointer is a failed test, not a crashed test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CALLBACK_PROBE = textwrap.dedent(
    """
    import json
    from compliance.rules.durable_import import dre

    handle = dre.create_ruleset("probe", json.dumps({"r": {"all": [{"m": {"x": 1}}]}}))
    calls = []

    def ok(name):
        calls.append(name)
        return 0

    dre.set_get_idle_state_callback(handle, ok)
    assert dre.start_action(handle) is None
    assert calls == ["probe"], calls

    def boom(name):
        raise ValueError("boom")

    # 102 is the engine's "unexpected type": what it makes of a raised error or a non-int.
    for returned, code in [(7, 7), (123456, 123456), (2**31 - 1, 2**31 - 1), (True, 1), ("x", 102), (None, 102), (boom, 102)]:
        dre.set_get_idle_state_callback(handle, returned if callable(returned) else (lambda name, r=returned: r))
        try:
            dre.start_action(handle)
        except Exception as exc:
            assert str(exc) == f"Could not start action, error code: {code}", (returned, exc)
        else:
            raise AssertionError(f"no error for {returned!r}")
    # The same int many times over: one copy is kept, not one per call.
    dre.set_get_idle_state_callback(handle, lambda name: 99999)
    for _ in range(10000):
        try:
            dre.start_action(handle)
        except Exception as exc:
            assert str(exc).endswith(": 99999"), exc
    dre.delete_ruleset(handle)
    print("callbacks ok")
    """
)


def test_the_engine_imports_and_its_callback_results_arrive_whole() -> None:
    done = subprocess.run([sys.executable, "-c", CALLBACK_PROBE], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "callbacks ok"


def test_an_assessment_runs_on_this_python() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "compliance", "assess", "examples/mis_compliant.json", "--format", "json", "--today", "2021-12-01"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "met"


@pytest.mark.skipif(sys.version_info < (3, 13), reason="PyEval_CallObject exists below Python 3.13")
def test_on_313_the_engine_needs_the_shim() -> None:
    """Without the shim loaded first the engine cannot be imported: the shim is what makes it work."""
    done = subprocess.run([sys.executable, "-c", "import durable_rules_engine"], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "PyEval_CallObject" in done.stderr


def test_requires_python_names_the_versions_ci_runs() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["requires-python"] == ">=3.11,<3.14"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "find_python 3.11" in ci and "find_python 3.12" in ci and "find_python 3.13" in ci
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.11, 3.12 or 3.13" in readme
