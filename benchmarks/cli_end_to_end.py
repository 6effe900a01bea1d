"""End-to-end cost of the command line, measured on this machine.

1. ``python -m compliance assess examples/mis_compliant.json`` against the bare
   import of its heavy dependencies (``python -c "import pydantic, yaml, rich,
   durable.engine"``), alternating the two so drift hits both alike; prints
   the medians and their ratio (target: at most 1.5x).
2. One ``assess`` call over 1,000 evidence files (copies of the example with
   different trust names and ODS codes, in a temporary directory); prints the
   wall time (target: at most 10 s).

Usage: ``python benchmarks/cli_end_to_end.py [--rounds 15] [--trusts 1000] [--scheme ID ...]``.
Exit status 0 when both targets are met, 1 otherwise (the figures are printed either way).
"""

from __future__ import annotations

import argparse
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
RATIO_TARGET = 1.5
MANY_TARGET_S = 10.0


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # Run the checkout's package even if another copy is installed.
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("NO_COLOR", None)
    return env


def _time(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return elapsed


def single(rounds: int, schemes: list[str]) -> float:
    env = _env()
    cli = [sys.executable, "-m", "compliance", "assess", str(EXAMPLE.relative_to(ROOT))]
    for sid in schemes:
        cli += ["--scheme", sid]
    # One warm-up of each so the first round does not pay for cold file caches alone.
    _time(BASELINE, env)
    _time(cli, env, ok=(0, 1))
    base, full = [], []
    for _ in range(rounds):
        base.append(_time(BASELINE, env))
        full.append(_time(cli, env, ok=(0, 1)))
    b, f = statistics.median(base), statistics.median(full)
    ratio = f / b
    print(f"baseline import  median {b * 1000:7.1f} ms  (min {min(base) * 1000:.1f}, max {max(base) * 1000:.1f}, {rounds} rounds)")
    print(f"compliance assess median {f * 1000:7.1f} ms  (min {min(full) * 1000:.1f}, max {max(full) * 1000:.1f}, {rounds} rounds)")
    print(f"ratio {ratio:.2f}x  (target <= {RATIO_TARGET}x)  {'OK' if ratio <= RATIO_TARGET else 'OVER'}")
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
        elapsed = _time(cmd, _env(), ok=(0, 1))
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
    ratio = single(args.rounds, args.scheme)
    elapsed = many(args.trusts, args.scheme)
    return 0 if ratio <= RATIO_TARGET and elapsed <= MANY_TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
