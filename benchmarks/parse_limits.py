"""What the input limits cost: parsing a large evidence file with and without the number checks.

    python benchmarks/parse_limits.py [--deaths 20000] [--repeat 5]

Builds the MIS Year 3 example with ``--deaths`` perinatal-death records and a
count of ``--deaths`` numbers in a figures list, then times, interleaved and
best of ``--repeat``:

* ``json.loads`` with only a duplicate-key hook (the heart of what the parser did before;
  parse_json's quick depth check, unchanged, is counted on its side only);
* :func:`compliance.source.parse_json` (also refuses numbers no measure holds
  and non-finite numbers, through ``json.loads``'s number hooks);
* the same for YAML: :func:`compliance.source.parse_yaml`, whose walk checks
  every number and counts alias expansion.

Prints milliseconds per parse and the ratio.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compliance.errors import EvidenceError  # noqa: E402
from compliance.source import parse_json, parse_yaml  # noqa: E402


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The duplicate-key hook parse_json gives json.loads (its own is private)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(key)
        out[key] = value
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deaths", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--yaml", action="store_true", help="time parse_yaml too (slow: libyaml's composer dominates)")
    args = ap.parse_args()
    good = json.loads((ROOT / "examples" / "mis_compliant.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(good)
    first = good["cases"]["perinatal_deaths"][0]
    data["cases"]["perinatal_deaths"] = [dict(first, id=f"PD-{i}") for i in range(args.deaths)]
    data["numbers"] = [{"n": i, "x": i * 0.5} for i in range(args.deaths)]
    text = json.dumps(data, indent=2)
    import yaml

    ytext = yaml.safe_dump(data, sort_keys=False) if args.yaml else ""
    sides = {
        "json.loads (before)": lambda: json.loads(text, object_pairs_hook=_no_duplicates),
        "parse_json (limits)": lambda: parse_json(text, file=None, error=EvidenceError),
    }
    if args.yaml:
        sides["parse_yaml (limits)"] = lambda: parse_yaml(ytext, file=None, error=EvidenceError)
    best = dict.fromkeys(sides, float("inf"))
    for _ in range(args.repeat):  # interleaved: a noisy machine slows every side alike
        for name, run in sides.items():
            t = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - t)
    print(f"JSON {len(text) / 1e6:.1f} MB, YAML {len(ytext) / 1e6:.1f} MB; best of {args.repeat}, interleaved")
    for name, seconds in best.items():
        print(f"  {name:22} {seconds * 1000:8.1f} ms")
    print(f"  parse_json / before: {best['parse_json (limits)'] / best['json.loads (before)']:.2f}x")


if __name__ == "__main__":
    main()
