"""Engine benchmark: assessments/s of the four bundled schemes against the engine floor and the physical floor.

    python benchmarks/engine_throughput.py [--rounds 7] [--seconds 1] [--json] [--cli]

On one core (the process pins itself), with the sides *interleaved* round by
round so that drift in the machine's load hits all of them alike, measures:

* **bundled**: ``assess("examples/mis_compliant.json", schemes=<every bundled scheme>)``
  -- the file read, validated and assessed against every bundled scheme (six
  since MIS Year 4 and SBL v3 were added);
* **as filed**: the same against the four schemes that were bundled when the
  targets were set (MIS Year 3, SBLCBv2, the board dashboard, Continuity of
  Carer), with its own two floors, so the figures compare with the issue's;
* **durable floor**: the very batches of facts one such assessment asserts,
  replayed as the bare C calls of durable-rules (``assert_facts``, the action
  loop, ``delete_state``) with their JSON already made -- what the engine alone
  costs for the same decisions;
* **design floor** (printed, not a side of its own): the durable floor plus
  ``load_evidence`` of the file plus making the assessment's ~940 result
  objects again from values already computed -- what this design costs even
  if measuring, fact building, glue and reasons cost nothing;
* **physical floor**: reading the file, parsing its JSON and, for every rule
  leaf of the four schemes, walking the evidence that leaf reads (every
  record of a list, every value of an item) and doing one division and one
  comparison -- the least any program answering the same questions must do.

Prints each side's rate per second of CPU time (median of the rounds; wall
time on a shared machine also counts other processes' turns) and the ratios (median of the
per-round ratios; targets: >= 400/s, <= 2.5x the durable floor, <= 8x the
physical floor), then where the time goes (sampled from the bundled side, by
stage, as shares), then the compile time of a 50-requirement scheme.
``--json`` prints one JSON object instead (keys ``bundled_per_s``,
``ratio_durable_floor``, ``ratio_physical_floor``, ...).  ``--cli`` adds the
command line against its stack floor (from ``cli_end_to_end.py``);
``--batch N`` adds one ``assess DIR --format json -o FILE`` over N trusts on
two cores, its wall time and the peak resident memory of its whole process
tree (from ``batch_scale.py``; the issue's figure is N = 5000).  With both,
one run prints every figure issue 15 asks for.

The machine the figures come from is often shared: compare sides of one run,
not runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compliance.rules.durable_import import dre  # noqa: E402  (on Python 3.13, after its PyEval_CallObject shim)

import compliance  # noqa: E402
from compliance.rules import runtime  # noqa: E402
from compliance.rules.compiler import compile_scheme  # noqa: E402
from compliance.rules.runner import compiled  # noqa: E402
from compliance.schemes.loader import checked  # noqa: E402
from compliance.schemes.selection import resolve_schemes  # noqa: E402

EXAMPLE = ROOT / "examples" / "mis_compliant.json"
#: The bundled schemes when the targets were set (issue 15), before MIS Year 4 and SBL v3.
AS_FILED = ["board-dashboard", "continuity-of-carer", "mis-y3", "sblcbv2"]
TARGET_PER_S, TARGET_DURABLE, TARGET_PHYSICAL = 400.0, 2.5, 8.0


# ------------------------------------------------------------------ the sides


def bundled_side(schemes: list[str] | None = None) -> tuple[Callable[[], object], list[str]]:
    schemes = sorted(compliance.builtin_schemes()) if schemes is None else schemes
    path = str(EXAMPLE)
    return (lambda: compliance.assess(path, schemes=schemes)), schemes


def recorded_batches(schemes: list[str]) -> list[tuple[Any, str]]:
    """(engine handle, JSON payload) of every batch one bundled assessment asserts, in order."""
    batches: list[tuple[Any, str]] = []
    original = runtime.Ruleset.fire

    def spy(self: runtime.Ruleset, sid: str, facts: Any) -> list[str]:
        facts = list(facts)
        batches.append((self._handle, json.dumps([{**f, "sid": "floor"} for f in facts], ensure_ascii=False)))
        return original(self, sid, facts)

    runtime.Ruleset.fire = spy  # type: ignore[method-assign]
    try:
        compliance.assess(str(EXAMPLE), schemes=schemes)
    finally:
        runtime.Ruleset.fire = original  # type: ignore[method-assign]
    return batches


def durable_side(batches: list[tuple[Any, str]]) -> Callable[[], None]:
    def run() -> None:
        for handle, payload in batches:
            _code, state = dre.assert_facts(handle, payload)
            started = dre.start_action_for_state(handle, state)
            message = started[1] if started else None
            while message:
                message = dre.complete_and_start_action(handle, state)
            dre.delete_state(handle, "floor")

    return run


def _read_paths(params: Any) -> list[tuple[str, ...]]:
    """The evidence paths a leaf's measure reads (its string parameters that name evidence)."""
    out = []
    for value in params.model_dump().values():
        if isinstance(value, str) and "." in value or value in ("board_sign_off",):
            out.append(tuple(value.split(".")))
    return out


def physical_side(schemes: list[str]) -> Callable[[], float]:
    evidence = compliance.load_evidence(EXAMPLE)
    leaves: list[tuple[tuple[str, ...], ...]] = []
    for scheme in resolve_schemes(evidence, schemes):
        for lp in compiled(scheme).leaves:
            leaves.append(tuple(_read_paths(lp.spec.params)))
    path = EXAMPLE

    def walk(item: Any) -> tuple[float, float]:
        if isinstance(item, list):
            n = d = 0.0
            for record in item:
                for value in record.values() if isinstance(record, dict) else (record,):
                    d += 1.0
                    if value:
                        n += 1.0
            return n, d
        if isinstance(item, dict):
            return float(len(item)), float(len(item)) or 1.0
        return float(bool(item)), 1.0

    def run() -> float:
        data = json.loads(path.read_bytes())
        met = 0.0
        for paths in leaves:
            n = d = 0.0
            for p in paths:
                item: Any = data
                for step in p:
                    item = item.get(step) if isinstance(item, dict) else None
                a, b = walk(item)
                n, d = n + a, d + b
            met += 1.0 if (n / d if d else 0.0) >= 0.9 else 0.0
        return met

    return run


def objects_side(result: Any) -> Callable[[], None]:
    """Making every result object of one assessment again from values already made: the tree's own cost."""
    from pydantic import BaseModel

    from compliance.results import build

    made: list[tuple[type[Any], dict[str, Any]]] = []

    def walk(o: Any) -> None:
        if isinstance(o, BaseModel):
            made.append((type(o), o.__dict__))
            for v in o.__dict__.values():
                walk(v)
        elif isinstance(o, (list, tuple)):
            for v in o:
                walk(v)

    walk(result)

    def run() -> None:
        for cls, values in made:
            build(cls, dict(values), in_order=True)

    return run


def load_side() -> Callable[[], object]:
    path = str(EXAMPLE)
    return lambda: compliance.load_evidence(path)


# ------------------------------------------------------------------ measuring


def rate(fn: Callable[[], object], seconds: float) -> tuple[float, float]:
    """Calls per second of this process's CPU time, and of wall time, over ``seconds`` of wall time.

    CPU time is the figure compared: on a shared machine wall time counts the
    other sessions' turns on the core as well.
    """
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        n += 1
    return n / max(time.process_time() - cpu, 1e-9), n / elapsed


#: Profile stages by the file a function lives in (and, for the facts' JSON, its name).  A frame of
#: no stage (pydantic validating the evidence, the json module) counts in its caller's.
STAGES = (
    ("fact JSON", ("(encode_facts)",)),
    ("evidence load + checks", ("compliance/evidence/", "compliance/source.py", "json/decoder.py", "json/__init__.py")),
    ("evaluators", ("compliance/evaluators/",)),
    ("fact building", ("compliance/assessment/facts.py",)),
    ("durable-rules calls + glue", ("compliance/rules/",)),
    ("result tree (findings)", ("compliance/assessment/findings.py", "compliance/assessment/run_charts.py", "compliance/spc.py")),
    ("explanation text", ("compliance/report/wording.py",)),
    ("result objects", ("compliance/results.py",)),
    ("assess() itself", ("compliance/assessment/assess.py", "compliance/schemes/")),
)


def _stage_of(filename: str, name: str) -> str | None:
    where = f"{filename}({name})"
    for stage, marks in STAGES:
        if any(m in where for m in marks):
            return stage
    return None


def profile_shares(fn: Callable[[], object], seconds: float, durable_share: float) -> dict[str, float]:
    """Where the time goes, by stage, from samples of the running stack (every 0.5 ms of CPU time).

    Sampled rather than traced: cProfile's cost per call inflated the small
    functions tenfold (a comparison's reason, 0.07 ms of an assessment measured
    on its own, came out at 7%).  A sample taken while C code runs lands on the
    Python frame that called it, so durable-rules' own calls count in the
    engine's stage; ``durable_share`` (the durable floor's time over the
    bundled time) splits them out.
    """
    import signal

    counts: dict[str, int] = {}

    def on_tick(_signum: int, frame: Any) -> None:
        stage = None
        while frame is not None and stage is None:  # the innermost frame of a known stage
            stage = _stage_of(frame.f_code.co_filename, frame.f_code.co_name)
            frame = frame.f_back
        counts[stage or "other"] = counts.get(stage or "other", 0) + 1

    previous = signal.signal(signal.SIGPROF, on_tick)
    signal.setitimer(signal.ITIMER_PROF, 0.0005, 0.0005)
    try:
        end = time.process_time() + seconds
        while time.process_time() < end:
            fn()
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, previous)
    total = sum(counts.values()) or 1
    shares = {stage: counts.get(stage, 0) / total for stage, _ in (*STAGES, ("other", ()))}
    engine = shares.pop("durable-rules calls + glue")
    shares["durable-rules C calls"] = min(durable_share, engine)
    # The rest of the engine's stage: the Python around the calls, and what the calls cost in place
    # beyond the floor's warm replay of the same batches.
    shares["engine glue"] = engine - shares["durable-rules C calls"]
    return {stage: round(v, 3) for stage, v in shares.items()}


def compile_ms() -> float:
    sys.path.insert(0, str(ROOT / "tests"))
    from _big_schemes import big_scheme_data  # noqa: PLC0415 - a test helper, for a scheme of a given size

    scheme = checked(compliance.load_scheme(compliance.Scheme.model_validate(big_scheme_data(50))))
    times = []
    for _ in range(20):
        start = time.process_time()
        c = compile_scheme(scheme)
        try:  # compile_scheme checked the limits already
            rulesets = [runtime.Ruleset("compile-probe", d, checked=True) for d in c.rulesets]  # type: ignore[call-arg]
        except TypeError:  # a checkout from before the limits were checked
            rulesets = [runtime.Ruleset("compile-probe", d) for d in c.rulesets]
        times.append(time.process_time() - start)
        for r in rulesets:
            r.close()
    return statistics.median(times) * 1000


def cli_figures(rounds: int) -> dict[str, float]:
    """``compliance assess`` on the example against ``cli_end_to_end.py``'s stack floor, interleaved, in child CPU time."""
    import compileall
    import resource
    import subprocess
    import tempfile

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import cli_end_to_end  # noqa: PLC0415 - the stack floor is defined there

    compileall.compile_dir(str(ROOT / "compliance"), quiet=1)
    cli = [sys.executable, "-m", "compliance", "assess", str(EXAMPLE.relative_to(ROOT))]

    def cpu(cmd: list[str], env: dict[str, str]) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime

    with tempfile.TemporaryDirectory(prefix="compliance-bench-") as scratch:
        env = cli_end_to_end._env(Path(scratch) / "cache")
        cpu(cli, env)  # fills the scheme cache, as any run after the first finds it
        floor, run = [], []
        for _ in range(rounds):
            floor.append(cpu(cli_end_to_end.STACK_FLOOR, env))
            run.append(cpu(cli, env))
    f, c = statistics.median(floor), statistics.median(run)
    return {"cli_ms_cpu": round(c * 1000, 1), "stack_floor_ms_cpu": round(f * 1000, 1), "ratio_cli_stack_floor": round(c / f, 2)}


def batch_figures(trusts: int) -> dict[str, float]:
    """One batch of ``trusts`` evidence files on two workers: wall time and peak tree memory (``batch_scale.py``)."""
    import tempfile

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import batch_scale  # noqa: PLC0415 - the batch measurement is defined there

    pinned = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if pinned is not None:  # the batch's processes inherit this one's core: give them the machine's
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="compliance-batch-") as scratch:
        where = Path(scratch)
        inputs = where / "trusts"
        batch_scale.build(inputs, trusts)
        batch_scale.warm(ROOT, where, 2)
        got = batch_scale.run(ROOT, "json", inputs, where, trusts, 2)
    if pinned is not None:
        os.sched_setaffinity(0, pinned)
    return {"batch_trusts": trusts, "batch_wall_s": got["wall_s"], "batch_peak_rss_mb": got["peak_rss_mb"], "batch_peak_pss_mb": got["peak_pss_mb"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=1.0, help="per side per round")
    parser.add_argument("--json", action="store_true", help="print one JSON object of the figures")
    parser.add_argument("--cli", action="store_true", help="also measure the command line against its stack floor")
    parser.add_argument("--batch", type=int, metavar="N", help="also run one batch of N trusts on two cores (wall time, peak tree memory)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    bundled, schemes = bundled_side()
    filed, _ = bundled_side(AS_FILED)
    result = bundled()
    batches, filed_batches = recorded_batches(schemes), recorded_batches(AS_FILED)
    sides = {
        "bundled": bundled,
        "durable": durable_side(batches),
        "physical": physical_side(schemes),
        "filed": filed,
        "filed_durable": durable_side(filed_batches),
        "filed_physical": physical_side(AS_FILED),
        # The design's floor: what no speed-up of this design removes -- durable-rules deciding,
        # the evidence read and checked, the result objects made (with every value already computed).
        "load": load_side(),
        "objects": objects_side(result),
    }
    for fn in sides.values():  # warm every side once
        fn()

    rates: dict[str, list[float]] = {name: [] for name in sides}
    wall: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.rounds):
        for name, fn in sides.items():
            on_cpu, on_wall = rate(fn, args.seconds)
            rates[name].append(on_cpu)
            wall[name].append(on_wall)
    per_s = {k: statistics.median(v) for k, v in rates.items()}

    def ratio(floor: str, side: str) -> float:
        return statistics.median(f / b for b, f in zip(rates[side], rates[floor]))

    ratio_d, ratio_p = ratio("durable", "bundled"), ratio("physical", "bundled")
    filed_d, filed_p = ratio("filed_durable", "filed"), ratio("filed_physical", "filed")
    shares = profile_shares(bundled, 2.0, per_s["bundled"] / per_s["durable"])
    n_facts = sum(payload.count('"key"') for _, payload in batches)
    figures: dict[str, Any] = {
        "bundled_per_s": round(per_s["bundled"], 1),
        "bundled_ms": round(1000 / per_s["bundled"], 3),
        "ratio_durable_floor": round(ratio_d, 2),
        "ratio_physical_floor": round(ratio_p, 2),
        "durable_floor_ms": round(1000 / per_s["durable"], 3),
        "physical_floor_ms": round(1000 / per_s["physical"], 3),
        "rounds": args.rounds,
        "bundled_per_s_rounds": [round(r, 1) for r in rates["bundled"]],
        "bundled_per_s_wall": round(statistics.median(wall["bundled"]), 1),
        "clock": "CPU time of this process on one pinned core (wall-clock rate in bundled_per_s_wall)",
        "schemes": schemes,
        "scheme_statuses": {s.id: s.status for s in result.schemes},  # type: ignore[attr-defined]
        "engine_batches": len(batches),
        "engine_facts": n_facts,
        "profile_shares": shares,
        "compile_50_ms": round(compile_ms(), 2),
        "as_filed_schemes": AS_FILED,
        "as_filed_per_s": round(per_s["filed"], 1),
        "as_filed_ms": round(1000 / per_s["filed"], 3),
        "as_filed_ratio_durable_floor": round(filed_d, 2),
        "as_filed_ratio_physical_floor": round(filed_p, 2),
        "as_filed_durable_floor_ms": round(1000 / per_s["filed_durable"], 3),
        "as_filed_physical_floor_ms": round(1000 / per_s["filed_physical"], 3),
        "load_evidence_ms": round(1000 / per_s["load"], 3),
        "result_objects_ms": round(1000 / per_s["objects"], 3),
        "design_floor_ms": round(1000 / per_s["durable"] + 1000 / per_s["load"] + 1000 / per_s["objects"], 3),
    }
    if args.cli:
        figures.update(cli_figures(args.rounds))
    if args.batch:
        figures.update(batch_figures(args.batch))
    if args.json:
        print(json.dumps(figures, sort_keys=True))
        return
    ok = lambda good: "OK" if good else "OVER"  # noqa: E731
    print(f"one core, rates per second of CPU time (wall: {figures['bundled_per_s_wall']:.0f}/s bundled); "
          f"{args.rounds} rounds of {args.seconds:g} s per side, sides interleaved; "
          f"{len(schemes)} schemes, {n_facts} facts in {len(batches)} engine batches per assessment")
    print(f"bundled assess():   {per_s['bundled']:8.0f} /s  ({figures['bundled_ms']:.2f} ms)  target >= {TARGET_PER_S:.0f}/s  {ok(per_s['bundled'] >= TARGET_PER_S)}")
    print(f"durable floor:      {per_s['durable']:8.0f} /s  ({figures['durable_floor_ms']:.2f} ms)  bundled/floor = {ratio_d:.2f}x  target <= {TARGET_DURABLE}x  {ok(ratio_d <= TARGET_DURABLE)}")
    print(f"physical floor:     {per_s['physical']:8.0f} /s  ({figures['physical_floor_ms']:.2f} ms)  bundled/floor = {ratio_p:.2f}x  target <= {TARGET_PHYSICAL}x  {ok(ratio_p <= TARGET_PHYSICAL)}")
    print(f"as filed ({len(AS_FILED)} schemes): {per_s['filed']:6.0f} /s  ({figures['as_filed_ms']:.2f} ms)  target >= {TARGET_PER_S:.0f}/s  {ok(per_s['filed'] >= TARGET_PER_S)}; "
          f"{filed_d:.2f}x its durable floor ({figures['as_filed_durable_floor_ms']:.2f} ms), {filed_p:.2f}x its physical floor ({figures['as_filed_physical_floor_ms']:.2f} ms)")
    design = figures["design_floor_ms"]
    print(f"design floor: {design:.2f} ms = durable floor {figures['durable_floor_ms']:.2f} + evidence load {figures['load_evidence_ms']:.2f} "
          f"+ result objects {figures['result_objects_ms']:.2f} (values ready): at most {1000 / design:.0f}/s "
          f"and {design / figures['durable_floor_ms']:.2f}x / {design / figures['physical_floor_ms']:.1f}x the floors, even if all else cost nothing")
    print("  rounds (bundled /s): " + ", ".join(f"{r:.0f}" for r in rates["bundled"]))
    print("where the bundled time goes (sampled every 0.5 ms of CPU, by stage; durable-rules' C calls from its floor):")
    for name, share in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<26} {share * 100:5.1f}%")
    print(f"compile time of a 50-requirement scheme (median of 20): {figures['compile_50_ms']:.1f} ms")
    if "ratio_cli_stack_floor" in figures:
        print(f"cli assess (child CPU, median of {args.rounds}): {figures['cli_ms_cpu']:.0f} ms against the stack floor's "
              f"{figures['stack_floor_ms_cpu']:.0f} ms = {figures['ratio_cli_stack_floor']:.2f}x  (target <= 1.2x)")
    if "batch_wall_s" in figures:
        print(f"batch of {figures['batch_trusts']} trusts, 2 workers: {figures['batch_wall_s']:.1f} s wall (target <= 20 s for 5,000), "
              f"peak tree RSS {figures['batch_peak_rss_mb']:.0f} MB, PSS {figures['batch_peak_pss_mb']:.0f} MB (target <= 250 MB)")


if __name__ == "__main__":
    main()
