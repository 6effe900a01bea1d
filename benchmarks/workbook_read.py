"""Workbook benchmark: read and assess a workbook of 10,000 perinatal deaths, against the same evidence as JSON.

    python benchmarks/workbook_read.py [--deaths 10000] [--repeat 3]

Builds the MIS Year 3 example with ``--deaths`` perinatal-death records,
writes it as JSON and as a workbook (``compliance convert``'s writer), then
prints, each the best of ``--repeat`` runs in this process:

* load (read, validate, check) the JSON, and assess it;
* load the workbook, and assess it; the ratio to JSON (target: within 3x);
* how the workbook's cells were read (python-calamine), against reading the
  same Deaths sheet with openpyxl's read-only mode, the alternative.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import compliance  # noqa: E402
from compliance.evidence.export import load_as_given  # noqa: E402
from compliance.report import template_xlsx  # noqa: E402

TODAY = dt.date(2021, 8, 1)
#: The example's submission date: no record may be dated later.
SUBMITTED = dt.date(2021, 7, 14)
CATEGORIES = ("late_fetal_loss", "stillbirth", "neonatal_death", "post_neonatal_death")


def evidence(deaths: int) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(json.loads((ROOT / "examples" / "mis_compliant.json").read_text(encoding="utf-8")))
    start = dt.date(2020, 10, 1)
    records = []
    for i in range(deaths):
        died = start + dt.timedelta(days=i % 200)
        day = lambda n: min(died + dt.timedelta(days=n), SUBMITTED).isoformat()  # noqa: E731
        records.append({
            "id": f"PD-{i:05d}", "died_on": died.isoformat(), "category": CATEGORIES[i % 4], "notified_on": day(2),
            "surveillance_completed_on": day(20), "review_started_on": day(30 + i % 40), "draft_report_on": day(90),
            "final_report_on": day(150) if i % 3 else None, "parents_informed": i % 7 != 0,
        })
    data["cases"]["perinatal_deaths"] = [{k: v for k, v in r.items() if v is not None} for r in records]
    return data


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deaths", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    mis = compliance.load_scheme("mis-y3")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "trust.json"
        src.write_text(json.dumps(evidence(args.deaths), indent=2), encoding="utf-8")
        _, data = load_as_given(src, today=TODAY)
        book = Path(tmp) / "trust.xlsx"
        t = time.perf_counter()
        book.write_bytes(template_xlsx.render([mis], data))
        wrote = time.perf_counter() - t
        compliance.assess(src, today=TODAY)  # warm: schemes loaded and compiled once, as in any run
        same = compliance.assess(src, today=TODAY).model_copy(update={"source": None}) == compliance.assess(book, today=TODAY).model_copy(update={"source": None})
        load_json = best(lambda: compliance.load_evidence(src, today=TODAY), args.repeat)
        load_book = best(lambda: compliance.load_evidence(book, today=TODAY), args.repeat)
        assess_json = best(lambda: compliance.assess(src, today=TODAY), args.repeat)
        assess_book = best(lambda: compliance.assess(book, today=TODAY), args.repeat)

        from python_calamine import CalamineWorkbook

        calamine = best(lambda: CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Deaths").to_python(), args.repeat)
        try:
            import openpyxl

            def with_openpyxl() -> None:
                wb = openpyxl.load_workbook(book, read_only=True, data_only=True)
                for _ in wb["Deaths"].iter_rows(values_only=True):
                    pass
                wb.close()

            openpyxl_s: float | None = best(with_openpyxl, 1)
        except ImportError:  # pragma: no cover
            openpyxl_s = None
        print(f"{args.deaths:,} perinatal deaths; JSON {src.stat().st_size / 1e6:.1f} MB, workbook {book.stat().st_size / 1e6:.1f} MB (written in {wrote:.2f} s)")
        print(f"same assessment from both: {same}")
        print(f"load     JSON {load_json:6.3f} s   workbook {load_book:6.3f} s   ratio {load_book / load_json:4.2f}x")
        print(f"assess   JSON {assess_json:6.3f} s   workbook {assess_book:6.3f} s   ratio {assess_book / assess_json:4.2f}x (target: within 3x)")
        print(f"Deaths sheet's cells: python-calamine {calamine:.3f} s" + (f", openpyxl read-only {openpyxl_s:.3f} s ({openpyxl_s / calamine:.0f}x slower)" if openpyxl_s else ""))


if __name__ == "__main__":
    main()
