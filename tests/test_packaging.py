"""The built wheel carries the bundled schemes and the type marker."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_the_bundled_schemes(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("compliance-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = {f"compliance/bundled/{p.name}" for p in (ROOT / "schemes").glob("*.yaml")}
    assert len(bundled) >= 4
    assert bundled <= names
    assert "compliance/py.typed" in names
    # The PyEval_CallObject shim for durable-rules on 3.13, built for this Python (native/pyeval_shim.c).
    assert any(n.startswith("_compliance_pyeval_shim.") and n.endswith((".so", ".pyd")) for n in names), names
    assert f"-cp{sys.version_info.major}{sys.version_info.minor}-" in wheel.name
