"""Is the scheme cache worth keeping, and what does storing data instead of pickles cost?

Loads every bundled scheme three ways, the three interleaved round by round so
that the machine's drift hits all alike, and prints the median and best time
per scheme and for all of them together:

* ``full``:   what every command would pay with no cache -- read the YAML,
  validate it, run every checking stage (``COMPLIANCE_NO_CACHE=1``);
* ``pickle``: the old cache (until issue 14): read the entry, ``pickle.loads``;
* ``json``:   the cache now: read the entry, validate its JSON with pydantic,
  run the checking stages again without source positions (``cache.fetch``).

Then the whole command, ``python -m compliance assess examples/mis_compliant.json``,
with no cache against a warm (JSON) cache, interleaved, median of ``--rounds`` runs.

Usage: ``python benchmarks/scheme_cache.py [--rounds 15]``.  Prints figures; no target.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compliance.errors import SchemeError  # noqa: E402
from compliance.schemes import cache, loader  # noqa: E402
from compliance.source import load_document  # noqa: E402


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.1f} ms  best {min(samples) * 1000:7.1f} ms"


def in_process(rounds: int, where: Path) -> None:
    os.environ["COMPLIANCE_CACHE_DIR"] = str(where)
    known = loader.builtin_schemes()
    pickles: dict[str, Path] = {}
    sources: dict[str, bytes] = {}
    for sid in known:
        path = loader.builtin_path(sid)
        sources[sid] = path.read_bytes()
        scheme = loader.scheme_from_document(load_document(path, error=SchemeError))
        cache.store(sources[sid], known, scheme)  # the JSON entry
        pickles[sid] = where / f"{sid}.pickle"
        pickles[sid].write_bytes(pickle.dumps(scheme, protocol=pickle.HIGHEST_PROTOCOL))
        assert cache.fetch(sources[sid], known) == scheme
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for sid in known:
            path = loader.builtin_path(sid)
            ways = {
                "full": lambda: loader.scheme_from_document(load_document(path, error=SchemeError)),
                "pickle": lambda: pickle.loads(pickles[sid].read_bytes()),
                "json": lambda: cache.fetch(sources[sid], known),
            }
            for way, load in ways.items():
                started = time.perf_counter()
                load()
                times.setdefault((sid, way), []).append(time.perf_counter() - started)
    for sid in known:
        for way in ("full", "pickle", "json"):
            print(f"{sid:22} {way:7} {_ms(times[(sid, way)])}")
    for way in ("full", "pickle", "json"):
        total = [sum(times[(sid, way)][i] for sid in known) for i in range(rounds)]
        print(f"{'all ' + str(len(known)) + ' schemes':22} {way:7} {_ms(total)}")
    sizes = sorted(p.stat().st_size for p in where.glob("scheme-*.json"))
    print(f"entry sizes (json): {', '.join(f'{s // 1024} KB' for s in sizes)}; pickles: "
          f"{', '.join(f'{p.stat().st_size // 1024} KB' for p in sorted(pickles.values(), key=lambda p: p.stat().st_size))}")


def end_to_end(rounds: int, where: Path) -> None:
    argv = [sys.executable, "-m", "compliance", "assess", str(ROOT / "examples" / "mis_compliant.json"), "--today", "2021-12-01"]
    envs = {
        "no cache": {**os.environ, "COMPLIANCE_NO_CACHE": "1"},
        "warm json cache": {**os.environ, "COMPLIANCE_CACHE_DIR": str(where / "e2e")},
    }
    envs["no cache"].pop("COMPLIANCE_CACHE_DIR", None)
    subprocess.run(argv, env=envs["warm json cache"], cwd=ROOT, capture_output=True, check=False)  # warm it
    times: dict[str, list[float]] = {name: [] for name in envs}
    for _ in range(rounds):
        for name, env in envs.items():
            started = time.perf_counter()
            subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, check=False)
            times[name].append(time.perf_counter() - started)
    for name, samples in times.items():
        print(f"assess mis_compliant.json, {name:16} {_ms(samples)}")
    saved = statistics.median(times["no cache"]) - statistics.median(times["warm json cache"])
    print(f"the cache saves {saved * 1000:.0f} ms a run ({saved / statistics.median(times['no cache']) * 100:.0f}% of an uncached run)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        in_process(args.rounds, Path(tmp))
        end_to_end(args.rounds, Path(tmp))


if __name__ == "__main__":
    main()
