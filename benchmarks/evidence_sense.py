"""What the evidence loader's sense checks cost per file, against pydantic's own validation of the same file.

The sense checks (``compliance/evidence/loader.py``, stage 3: a numerator above
its denominator, dates outside the period, the same case id twice ...) run on
every evidence file a command reads.  This script parses a file once, then
times, in alternating rounds so that drift hits both alike:

* ``validate``: ``Evidence.model_validate`` of the parsed data (pydantic's own check);
* ``sense``: the sense checks of the validated evidence, as the loader runs them.

It does so for the bundled example and for a large submission made from it
(``--records`` perinatal deaths and qualifying cases, a year of monthly series),
and prints the median microseconds per file of each and their ratio.

Usage: ``python benchmarks/evidence_sense.py [--rounds 9] [--seconds 0.3] [--records 2000]``.
Run it with ``PYTHONPATH`` set to another checkout to measure that one's code on the same files.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mis_compliant.json"
TODAY = dt.date(2026, 1, 1)


def _large(data: dict[str, Any], n: int) -> dict[str, Any]:
    """The example with ``n`` perinatal deaths and ``n`` qualifying cases, every date inside the period."""
    big = copy.deepcopy(data)
    start = dt.date.fromisoformat(big["period"]["start"])
    deaths, cases = big["cases"]["perinatal_deaths"], big["cases"]["qualifying_cases"]
    d0, q0 = deaths[0], cases[0]
    big["cases"]["perinatal_deaths"] = [
        {**d0, "id": f"PD-{i:05d}", "died_on": str(start + dt.timedelta(days=i % 250))} for i in range(n)
    ]
    big["cases"]["qualifying_cases"] = [
        {**q0, "id": f"QC-{i:05d}", "born_on": str(start + dt.timedelta(days=i % 250))} for i in range(n)
    ]
    for key in ("reported_on",):
        for case in big["cases"]["qualifying_cases"]:
            if case.get(key):
                case[key] = case["born_on"]
    for d in big["cases"]["perinatal_deaths"]:
        for key in ("notified_on", "surveillance_completed_on", "review_started_on", "draft_report_on", "final_report_on"):
            if d.get(key):
                d[key] = d["died_on"]
    return big


def _rate(fn: Callable[[], object], seconds: float) -> float:
    """Seconds of CPU per call, over about ``seconds`` of calls."""
    n, start = 0, time.process_time()
    while True:
        fn()
        n += 1
        spent = time.process_time() - start
        if spent >= seconds:
            return spent / n


def measure(name: str, data: dict[str, Any], rounds: int, seconds: float) -> None:
    from compliance.evidence import loader
    from compliance.evidence.model import Evidence
    from compliance.source import Document

    doc = Document(data, None, None)
    ev = loader.validate_evidence_data(doc, today=TODAY)  # the evidence as loaded (it must be sound)
    validate = lambda: Evidence.model_validate(data)  # noqa: E731
    sense = lambda: list(loader._sense_problems(ev, doc, TODAY))  # noqa: E731
    assert sense() == [], sense()[:3]
    validate(), sense()  # warm: validators built, caches filled
    v_t, s_t = [], []
    for _ in range(rounds):
        v_t.append(_rate(validate, seconds))
        s_t.append(_rate(sense, seconds))
    v, s = statistics.median(v_t) * 1e6, statistics.median(s_t) * 1e6
    print(f"{name:<34} validate {v:9.1f} us   sense {s:9.1f} us   sense/validate {s / v:5.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=0.3, help="per side per round")
    parser.add_argument("--records", type=int, default=2000, help="records per case list in the large file")
    args = parser.parse_args()
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    print(f"python {sys.version.split()[0]}; CPU time per file, median of {args.rounds} alternating rounds")
    measure(EXAMPLE.name, data, args.rounds, args.seconds)
    measure(f"{EXAMPLE.stem} + {args.records}+{args.records} cases", _large(data, args.records), args.rounds, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
