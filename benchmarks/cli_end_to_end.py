"""End-to-end cost of the command line, measured on this machine.

1. ``python -m compliance assess examples/mis_compliant.json`` against the bare
   import of its heavy dependencies (``python -c "import pydantic, yaml, rich,
   durable.engine"``), alternating the two so drift hits both alike; prints
   the medians and their ratio (target: at most 1.5x).

   Two more figures put that ratio in context:

   * the *stack floor*: the smallest program that uses the stack the way any
     command built on it must (validate one pydantic model with a constraint,
     print one rich table, parse arguments).  ``import pydantic`` and
     ``import rich`` are lazy packages, so the baseline above leaves out most of
     pydantic's model machinery and rich's console, which the stack floor pays;
   * a *cold* run, with an empty scheme cache (the first run after installing or
     after editing a scheme); the other runs find the checked schemes in the cache.

   The package is byte-compiled first, as ``pip install`` does: with
   PYTHONDONTWRITEBYTECODE set (as on some CI machines) a checkout would
   otherwise recompile every module on every run, which no installed copy does.
2. One ``assess`` call over 1,000 evidence files (copies of the example with
   different trust names and ODS codes, in a temporary directory); prints the
   wall time (target: at most 10 s).

Usage: ``python benchmarks/cli_end_to_end.py [--rounds 15] [--trusts 1000] [--scheme ID ...]``.
Exit status 0 when both targets are met, 1 otherwise (the figures are printed either way).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mis_compliant.json"
BASELINE = [sys.executable, "-c", "import pydantic, yaml, rich, durable.engine"]
STACK_FLOOR = [
    sys.executable,
    "-c",
    "import argparse, io, yaml, durable.engine\n"
    "from pydantic import BaseModel, Field\n"
    "class M(BaseModel):\n    x: int = Field(ge=0)\n"
    "M(x=1)\n"
    "from rich.console import Console\nfrom rich.table import Table\n"
    "t = Table('a')\nt.add_row('1')\nConsole(file=io.StringIO(), width=80).print(t)\n",
]
RATIO_TARGET = 1.5
MANY_TARGET_S = 10.0


def _env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Run the checkout's package even if another copy is installed.
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("NO_COLOR", None)
    env.pop("COMPLIANCE_NO_CACHE", None)
    env["COMPLIANCE_CACHE_DIR"] = str(cache)
    # The command turns pydantic's plugin scan off for itself; the stack floor gets the same.
    env["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    return env


def _time(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return elapsed


def _line(label: str, times: list[float]) -> float:
    m = statistics.median(times)
    print(f"{label:<26} median {m * 1000:7.1f} ms  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, {len(times)} runs)")
    return m


def single(rounds: int, schemes: list[str], scratch: Path) -> float:
    compileall.compile_dir(str(ROOT / "compliance"), quiet=1)
    env = _env(scratch / "cache")
    cli = [sys.executable, "-m", "compliance", "assess", str(EXAMPLE.relative_to(ROOT))]
    for sid in schemes:
        cli += ["--scheme", sid]
    base, stack, warm, cold = [], [], [], []
    for i in range(rounds + 1):
        cold_env = _env(scratch / f"cold-{i}")
        times = (_time(BASELINE, env), _time(STACK_FLOOR, env), _time(cli, env, ok=(0, 1)), _time(cli, cold_env, ok=(0, 1)))
        if i:  # the first round only warms the file caches
            for into, t in zip((base, stack, warm, cold), times):
                into.append(t)
    b = _line("baseline import", base)
    s = _line("stack floor", stack)
    w = _line("compliance assess", warm)
    c = _line("  with an empty cache", cold)
    ratio = w / b
    print(f"ratio {ratio:.2f}x  (target <= {RATIO_TARGET}x)  {'OK' if ratio <= RATIO_TARGET else 'OVER'}")
    print(f"  the stack floor alone is {s / b:.2f}x the baseline; assess is {w / s:.2f}x the stack floor, "
          f"{(w - s) * 1000:.0f} ms above it; an empty cache adds {(c - w) * 1000:.0f} ms")
    return ratio


def many(trusts: int, schemes: list[str]) -> float:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    tmp = Path(tempfile.mkdtemp(prefix="compliance-bench-"))
    try:
        for i in range(trusts):
            d = dict(data)
            d["trust"] = {"name": f"Benchmark Trust {i:04d} NHS Foundation Trust", "ods_code": f"B{i:04d}"}
            (tmp / f"trust_{i:04d}.json").write_text(json.dumps(d), encoding="utf-8")
        cmd = [sys.executable, "-m", "compliance", "assess", str(tmp), "--format", "json", "--output", str(tmp / "out.json.txt")]
        for sid in schemes:
            cmd += ["--scheme", sid]
        elapsed = _time(cmd, _env(tmp / "cache"), ok=(0, 1))
        results = json.loads((tmp / "out.json.txt").read_text(encoding="utf-8"))
        assert len(results) == trusts, len(results)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{trusts} evidence files in one assess call: {elapsed:.2f} s  ({elapsed / trusts * 1000:.1f} ms per trust; "
          f"target <= {MANY_TARGET_S:.0f} s)  {'OK' if elapsed <= MANY_TARGET_S else 'OVER'}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--trusts", type=int, default=1000)
    parser.add_argument("--scheme", action="append", default=[], help="restrict to these schemes (default: all the evidence covers)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; example {EXAMPLE.relative_to(ROOT)}")
    scratch = Path(tempfile.mkdtemp(prefix="compliance-bench-cache-"))
    try:
        ratio = single(args.rounds, args.scheme, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    elapsed = many(args.trusts, args.scheme)
    return 0 if ratio <= RATIO_TARGET and elapsed <= MANY_TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
