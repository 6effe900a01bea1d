"""``compliance explain`` says only what the compiled rule checks.

For every requirement of every bundled scheme, the explanation may name an evidence
path or a parameter only if the requirement's compiled rule reads it (directly, or
through the scheme it rests on): prose that promises a check the engine never makes
(the SA1.e "stub quarter still needs a report" note) cannot come back unnoticed.
Every path the requirement declares under ``evidence:`` must be read by its rule too.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

import compliance
from compliance.report import schemes as schemes_report
from compliance.rules.runner import compiled
from compliance.schemes.loader import checked
from compliance.schemes.selection import dependencies_first

SCHEMES = [compliance.load_scheme(i) for i in compliance.builtin_schemes()]
BY_ID = {s.id: s for s in SCHEMES}
ALL_PARAMETERS = {p for s in SCHEMES for p in s.parameters}
GROUPS = ("counts", "figures", "groups", "events", "attestations", "rates", "teams", "cases")
PATH = re.compile(r"\b(?:(?:" + "|".join(GROUPS) + r")\.[a-z0-9_]+|board_sign_off)\b")


def _reads(scheme: compliance.Scheme, rid: str) -> tuple[set[str], set[str]]:
    """The evidence items and parameters a requirement's compiled rule reads (through schemes it rests on too)."""
    c = compiled(scheme)
    plan = next(r for r in c.requirements if r.requirement.id == rid)
    items: set[str] = set()
    params: set[str] = set()
    for lp in plan.leaves:
        spec = lp.spec
        for read in spec.evaluator.reads(spec.params):
            head = read.path.split("[]")[0].split(".")
            items.add(".".join(head[:2]) if head[0] in GROUPS else head[0])
        if isinstance(spec.leaf.threshold, str):
            params.add(spec.leaf.threshold)
        params |= set(spec.leaf.counted_with)
        params |= {p for p in schemes_report.param_ids(scheme, plan.requirement)}
        ref = getattr(spec.params, "scheme", None) if spec.evaluator.kind == "scheme_outcome" else None
        if isinstance(ref, str):
            for dep in dependencies_first([BY_ID[ref]]):
                for other in checked(dep).leaves:
                    params |= {other.leaf.threshold} if isinstance(other.leaf.threshold, str) else set()
                    params |= set(other.leaf.counted_with)
                for _, r in dep.requirements():
                    params |= set(schemes_report.param_ids(dep, r))
    return items, params


def _explain(scheme: compliance.Scheme, rid: str) -> str:
    found = scheme.find(rid)
    assert found is not None
    console = Console(file=io.StringIO(), width=400, color_system=None, force_terminal=False)
    schemes_report.render_explain(scheme, found[0], found[1], console)
    out: str = console.file.getvalue()  # type: ignore[attr-defined]
    return out


CASES = [(s.id, r.id) for s in SCHEMES for _, r in s.requirements()]


@pytest.mark.parametrize(("scheme_id", "rid"), CASES, ids=[rid for _, rid in CASES])
def test_explain_names_only_what_the_rule_reads(scheme_id: str, rid: str) -> None:
    scheme = BY_ID[scheme_id]
    items, params = _reads(scheme, rid)
    text = _explain(scheme, rid)
    named_paths = set(PATH.findall(text))
    assert named_paths <= items, f"{rid}: explain names {sorted(named_paths - items)}, which its rule does not read"
    named_params = {p for p in ALL_PARAMETERS if re.search(r"(?<![\w.])" + re.escape(p) + r"(?![\w])", text)}
    assert named_params <= params, f"{rid}: explain names {sorted(named_params - params)}, which its rule does not use"


@pytest.mark.parametrize(("scheme_id", "rid"), CASES, ids=[rid for _, rid in CASES])
def test_declared_evidence_is_read_by_the_rule(scheme_id: str, rid: str) -> None:
    scheme = BY_ID[scheme_id]
    found = scheme.find(rid)
    assert found is not None
    items, _ = _reads(scheme, rid)
    assert set(found[1].evidence) <= items, f"{rid} declares evidence its rule never reads: {sorted(set(found[1].evidence) - items)}"
