"""Batch benchmark: wall time and peak memory of the whole process tree for one ``assess`` over N trusts.

    python benchmarks/batch_scale.py [--trusts 5000] [--mode json] [--mode jsonl] [--mode dir]
                                     [--workers 2] [--rounds 1] [--against CHECKOUT] [--json]

Builds N evidence files in a temporary directory (copies of
``examples/mis_compliant.json``, each with its own trust name and ODS code),
warms the scheme cache with one single-file run, then runs as a child process

* ``json``:  ``python -m compliance assess DIR --format json -o OUT``
* ``jsonl``: ``python -m compliance assess DIR --format jsonl -o OUT``
* ``dir``:   ``python -m compliance assess DIR --format json --output-dir OUTDIR``

with ``COMPLIANCE_WORKERS`` set to ``--workers`` (default 2).  While it runs,
the child and all its descendants are sampled from ``/proc`` every ~20 ms: the
sum of their resident set sizes (RSS, what ``ps`` shows; pages that forked
workers share with the parent are counted in each) and of their proportional
set sizes (PSS, shared pages split between the processes that share them: the
memory the tree really takes).  The peak of each is reported, with the wall
time.  Targets (issue 15): at most 20 s wall on 2 cores and 250 MB tree RSS
for 5,000 trusts.

``--against CHECKOUT`` runs the same commands with another checkout's package
first on the path (e.g. ``git archive main | tar -x -C /tmp/main``), the two
sides interleaved round by round so that drift in the machine's load hits both
alike; a mode the other checkout lacks (``jsonl``, ``dir`` before streaming)
is run on this side only.  ``--json`` prints one JSON object instead (key
``runs``: one object per side, mode and round, with ``wall_s``,
``peak_rss_mb``, ``peak_pss_mb``).  Exit status 0 when every run of this
checkout meets both targets, 1 otherwise.

Linux only (it reads ``/proc``).  The machine is often shared: compare sides of
one run, not runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mis_compliant.json"
TARGET_WALL_S = 20.0
TARGET_RSS_MB = 250.0
SAMPLE_S = 0.02
#: How often the tree's membership is read again (a scan of all of /proc); its members' memory is read every sample.
MEMBERS_S = 0.1
PAGE = os.sysconf("SC_PAGE_SIZE")
TODAY = "2021-12-01"


def _ods(i: int) -> str:
    """A distinct ODS-shaped code per trust (3-5 capitals and digits): B and ``i`` in base 36."""
    digits = ""
    while True:
        i, d = divmod(i, 36)
        digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[d] + digits
        if not i:
            return "B" + digits.rjust(3, "0")


def build(where: Path, trusts: int) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    where.mkdir(parents=True)
    for i in range(trusts):
        d = dict(data)
        d["trust"] = {"name": f"Benchmark Trust {i:05d} NHS Foundation Trust", "ods_code": _ods(i)}
        (where / f"trust_{i:05d}.json").write_text(json.dumps(d), encoding="utf-8")


# ------------------------------------------------------------------ sampling the process tree


def _parents() -> dict[int, int]:
    """pid -> parent pid, of every process (this kernel has no /proc/PID/task/TID/children)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        found[int(entry.name)] = int(fields[1])
    return found


def _tree(root: int) -> list[int]:
    parents = _parents()
    members, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        members.extend(frontier)
    return members


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm", "rb") as f:
        return int(f.read().split()[1]) * PAGE


def _pss(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
        for line in f:
            if line.startswith(b"Pss:"):
                return int(line.split()[1]) * 1024
    return 0


class Sampler(threading.Thread):
    """Peak summed RSS and PSS of ``pid`` and its descendants, sampled until it exits."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_procs = 0
        self.samples = 0
        self.stop = threading.Event()

    def run(self) -> None:
        members: list[int] = [self.pid]
        listed = 0.0
        while not self.stop.is_set():
            now = time.monotonic()
            if now - listed >= MEMBERS_S:
                members, listed = _tree(self.pid), now
            rss = pss = alive = 0
            for pid in members:
                try:
                    rss += _rss(pid)
                    pss += _pss(pid)
                    alive += 1
                except (OSError, ValueError):
                    pass  # gone between the listing and the reading
            if alive:
                self.samples += 1
                self.peak_rss = max(self.peak_rss, rss)
                self.peak_pss = max(self.peak_pss, pss)
                self.peak_procs = max(self.peak_procs, alive)
            self.stop.wait(SAMPLE_S)


# ------------------------------------------------------------------ one run


def _env(checkout: Path, cache: Path, workers: int) -> dict[str, str]:
    env = dict(os.environ)
    # The checkout's package first on the path, whichever copy is installed.
    env["PYTHONPATH"] = str(checkout) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["COMPLIANCE_CACHE_DIR"] = str(cache)
    env["COMPLIANCE_WORKERS"] = str(workers)
    env.pop("COMPLIANCE_NO_CACHE", None)
    return env


def _command(mode: str, inputs: Path, out: Path) -> list[str]:
    cmd = [sys.executable, "-m", "compliance", "assess", str(inputs), "--today", TODAY]
    if mode == "json":
        return [*cmd, "--format", "json", "-o", str(out / "report.json")]
    if mode == "jsonl":
        return [*cmd, "--format", "jsonl", "-o", str(out / "report.jsonl")]
    return [*cmd, "--format", "json", "--output-dir", str(out / "reports")]


def _count(mode: str, out: Path) -> int:
    """How many trusts the output holds, read line by line (a 5,000-trust array is over a gigabyte)."""
    if mode == "dir":
        return sum(1 for _ in (out / "reports").iterdir())
    n = 0
    with open(out / ("report.json" if mode == "json" else "report.jsonl"), "rb") as f:
        for line in f:
            n += line == b"  {\n" if mode == "json" else line.startswith(b"{")
    return n


def run(checkout: Path, mode: str, inputs: Path, scratch: Path, trusts: int, workers: int) -> dict[str, Any]:
    out = scratch / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    env = _env(checkout, scratch / f"cache-{abs(hash(str(checkout)))}", workers)
    start = time.perf_counter()
    # From the checkout itself: `python -m` puts the working directory first on the path.
    proc = subprocess.Popen(_command(mode, inputs, out), cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
        _, err = proc.communicate()
    finally:
        wall = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
        if proc.poll() is None:  # interrupted: the command stops its own workers on SIGTERM
            proc.terminate()
            proc.wait()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{checkout} {mode}: exit {proc.returncode}\n{err.decode(errors='replace')[-2000:]}")
    written = _count(mode, out)
    if written != trusts:
        raise SystemExit(f"{checkout} {mode}: {written} trusts in the output, not {trusts}")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    shutil.rmtree(out, ignore_errors=True)
    return {
        "mode": mode,
        "trusts": trusts,
        "workers": workers,
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(sampler.peak_rss / 1e6, 1),
        "peak_pss_mb": round(sampler.peak_pss / 1e6, 1),
        "processes": sampler.peak_procs,
        "samples": sampler.samples,
        "output_mb": round(size / 1e6, 1),
    }


def warm(checkout: Path, scratch: Path, workers: int) -> None:
    """One single-file run fills the checkout's scheme cache, as any earlier use of the installed tool would."""
    env = _env(checkout, scratch / f"cache-{abs(hash(str(checkout)))}", workers)
    found = subprocess.run([sys.executable, "-c", "import compliance; print(compliance.__file__)"], cwd=checkout, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    if not Path(found).resolve().is_relative_to(checkout):
        raise SystemExit(f"{checkout}: the command would run {found}, not this checkout's package")
    subprocess.run([sys.executable, "-m", "compliance", "assess", str(EXAMPLE), "--today", TODAY, "--format", "json"],
                   cwd=checkout, env=env, stdout=subprocess.DEVNULL, check=False)


def _supports(checkout: Path, mode: str) -> bool:
    if mode == "json":
        return True
    cli = (checkout / "compliance" / "cli.py").read_text(encoding="utf-8")
    return ("--output-dir" in cli) if mode == "dir" else ('"jsonl"' in (checkout / "compliance" / "report" / "formats.py").read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trusts", type=int, action="append", help="trusts in the batch (repeatable: 1000 and 5000 show whether memory is flat; default 5000)")
    parser.add_argument("--mode", action="append", choices=("json", "jsonl", "dir"), help="what to write (repeatable; default json)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--against", type=Path, help="another checkout (its package directory inside), run interleaved with this one")
    parser.add_argument("--json", action="store_true", help="print one JSON object of the figures")
    args = parser.parse_args()
    if not Path("/proc/self/statm").exists():
        raise SystemExit("this benchmark reads /proc (Linux)")
    sides = [("this", ROOT)] + ([("against", args.against.resolve())] if args.against else [])
    modes = args.mode or ["json"]
    counts = args.trusts or [5000]
    scratch = Path(tempfile.mkdtemp(prefix="compliance-batch-scale-"))
    runs: list[dict[str, Any]] = []
    try:
        for _, checkout in sides:
            warm(checkout, scratch, args.workers)
        for trusts in counts:
            inputs = scratch / f"in-{trusts}"
            build(inputs, trusts)
            for rnd in range(args.rounds):
                for mode in modes:
                    for side, checkout in sides:
                        if not _supports(checkout, mode):
                            continue
                        figures = {"side": side, "checkout": str(checkout), "round": rnd, **run(checkout, mode, inputs, scratch, trusts, args.workers)}
                        runs.append(figures)
                        if not args.json:
                            print(f"{side:<8} {mode:<6} {trusts:>6} trusts  {figures['wall_s']:6.2f} s  "
                                  f"peak tree RSS {figures['peak_rss_mb']:7.1f} MB  PSS {figures['peak_pss_mb']:7.1f} MB  "
                                  f"({figures['processes']} processes, output {figures['output_mb']} MB)", flush=True)
            shutil.rmtree(inputs, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    mine = [r for r in runs if r["side"] == "this"]
    ok = all(r["wall_s"] <= TARGET_WALL_S and r["peak_rss_mb"] <= TARGET_RSS_MB for r in mine if r["trusts"] >= 5000)
    if args.json:
        print(json.dumps({"python": sys.version.split()[0], "cores": os.cpu_count(), "target_wall_s": TARGET_WALL_S,
                          "target_rss_mb": TARGET_RSS_MB, "runs": runs}, indent=2))
    else:
        print(f"targets for 5,000 trusts: <= {TARGET_WALL_S:.0f} s wall, <= {TARGET_RSS_MB:.0f} MB tree RSS  {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
