"""Views of schemes for the CLI: the list of bundled schemes, one scheme as a tree, one requirement explained."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..schemes.checker import CheckedScheme
from ..schemes.model import (
    Leaf,
    Parameter,
    Requirement,
    RuleNode,
    Scheme,
    Section,
    children,
    combinator,
    walk,
)
from .style import Glyphs, clean, fmt_value, glyphs_for
from .wording import window_text
from .terminal import bullets

__all__ = [
    "render_list",
    "version_line",
    "render_scheme",
    "render_explain",
    "rule_lines",
    "leaves",
    "param_ids",
    "evidence_paths",
    "VERIFICATION_WORDS",
]

VERIFICATION_WORDS = {"confirmed": "confirmed", "partly_confirmed": "partly confirmed", "unconfirmed": "unconfirmed"}


def _verification(status: str, g: Glyphs) -> Text:
    word = VERIFICATION_WORDS[status]
    if status == "confirmed":
        return Text(word, style="green")
    return Text(f"{word} {g.unverified}", style="yellow")


def _rollup(rollup: Any) -> str:
    return "all" if rollup == "all" else rollup.label


# ------------------------------------------------------------------ what a requirement reads


def leaves(node: RuleNode) -> Iterator[Leaf]:
    """The leaves of a rule, in rule order."""
    return (n for _, n in walk(node) if isinstance(n, Leaf))


def param_ids(scheme: CheckedScheme, req: Requirement) -> list[str]:
    """Parameters a requirement's rule uses (measure arguments, thresholds, counted_with), in first-use order."""
    return scheme.param_ids(req)


def evidence_paths(scheme: CheckedScheme, req: Requirement) -> list[str]:
    """The evidence a requirement needs: its declared paths, then any its measures read."""
    out = list(req.evidence)
    for spec in scheme.leaves_of(req):
        for path in spec.evaluator.evidence_paths(spec.params):
            if path not in out:
                out.append(path)
    return out


def _threshold_text(scheme: Scheme, leaf: Leaf) -> str:
    t = leaf.threshold
    if t is None:
        if leaf.measure.get("kind") == "trajectory":
            return "the trajectory's value for the assessment year (linear between its points)"
        return "the measure's own target"
    if isinstance(t, str) and t in scheme.parameters:
        p = scheme.parameters[t]
        unit = f" {p.unit}" if p.unit else ""
        return f"{fmt_value(p.value)}{unit} ({t})"
    return fmt_value(t)


def _measure_text(leaf: Leaf) -> str:
    m = leaf.measure
    args = []
    for key, value in m.items():
        if key == "kind":
            continue
        if isinstance(value, dict) and set(value) == {"param"}:
            value = f"{{param: {value['param']}}}"
        elif isinstance(value, dict):
            value = "{" + ", ".join(f"{k}: {_compact(v)}" for k, v in value.items()) + "}"
        args.append(f"{key}={_compact(value)}")
    return f"{m.get('kind', '?')}(" + ", ".join(args) + ")"


def _compact(value: Any) -> str:
    if isinstance(value, dict):
        if set(value) == {"param"}:
            return f"{{param: {value['param']}}}"
        return "{" + ", ".join(f"{k}: {_compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return fmt_value(value) if not isinstance(value, str) else value


def rule_lines(scheme: Scheme, node: RuleNode, depth: int = 0, g: Glyphs | None = None) -> list[str]:
    """The rule as indented plain lines: combinators, then each comparison in words."""
    pad = "  " * depth
    if isinstance(node, Leaf):
        what = node.describe or node.measure.get("kind", "measure")
        return [f"{pad}{what} {node.compare} {_threshold_text(scheme, node)}", f"{pad}  measured by {_measure_text(node)}"]
    kind, need = combinator(node)
    out = [pad + {"all": "all of:", "any": "any of:", "at_least": f"at least {need} of:", "not": "not:"}[kind]]
    for _step, kid in children(node):
        out.extend(rule_lines(scheme, kid, depth + 1, g))
    return out


# ------------------------------------------------------------------ list


def render_list(schemes: Sequence[Scheme], console: Console) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for s in sorted(schemes, key=lambda s: s.id):
        reqs = s.requirements()
        unconfirmed = sum(1 for _, r in reqs if r.status != "confirmed")
        detail = Text(clean(s.title), style="bold")
        detail.append(f"\nversion {clean(s.version)}; {s.publisher}\n", style="")
        detail.append(f"{len(s.sections)} sections, {len(reqs)} requirements ({unconfirmed} not yet confirmed against the source)", style="")
        if s.versioning is not None:
            detail.append("\n" + version_line(s), style="")
        grid.add_row(s.id, detail)
        grid.add_row("", "")
    console.print(grid)
    console.print(
        "'compliance schemes show ID' shows one scheme; 'compliance explain REQUIREMENT_ID' one requirement.",
        markup=False,
        style="dim",
    )


def version_line(s: Scheme) -> str:
    """``MIS Year 4 (2021/22): family mis, version y4; reporting window ... succeeds mis-y3`` (and a skeleton's gap)."""
    v = s.versioning
    assert v is not None
    win = s.window
    text = f"{clean(v.label)}: family {v.family}, version {v.key}; reporting window {window_text(win.start, win.end) if win else 'none'}"
    if s.period is not None and s.period.deadline is not None:
        text += f", declaration deadline {s.period.deadline}"
    if v.succeeds:
        text += f"; succeeds {v.succeeds}"
    if v.skeleton:
        text += f". A skeleton: {clean(v.skeleton)}"
    return text


# ------------------------------------------------------------------ one scheme


def render_scheme(scheme: CheckedScheme, console: Console) -> None:
    g = glyphs_for(console.encoding)
    console.print(Text(f"{scheme.title}", style="bold"))
    console.print(f"{scheme.id} {g.dash} {scheme.version} {g.dash} {scheme.publisher}", markup=False)
    if scheme.description:
        console.print(clean(scheme.description), markup=False)
    if scheme.period:
        p = scheme.period
        line = Text(f"Period: {p.start or '…'} to {p.end or '…'} (")
        line.append_text(_verification(p.status, g))
        line.append(")")
        console.print(line)
    console.print(f"Outcome: {_rollup(scheme.outcome.rollup)} sections met {g.arrow} {clean(scheme.outcome.met)}", markup=False)
    console.print(Text("Sources:", style="bold"))
    items = []
    for src in scheme.sources:
        extra = ", ".join(x for x in (src.date, src.url) if x)
        items.append(f"{src.key}: {clean(src.title)}" + (f" ({extra})" if extra else ""))
    console.print(bullets(items, g))

    tree = Tree(Text(scheme.id, style="bold"), guide_style="dim")
    for sec in scheme.sections:
        tree.add(_section_node(scheme, sec, g))
    console.print(tree)
    if scheme.not_encoded:
        console.print(Text("Not encoded:", style="bold"))
        console.print(bullets([f"{ne.id}: {clean(ne.reason)}" for ne in scheme.not_encoded], g))
    console.print(f"{g.unverified} not yet confirmed against the source document.", markup=False, style="dim")


def _section_node(scheme: CheckedScheme, sec: Section, g: Glyphs) -> Tree:
    head = Text(f"{sec.id} {sec.title}", style="bold")
    head.append(f" (rollup: {_rollup(sec.rollup)}{'' if sec.in_outcome else '; informative'})", style="")
    node = Tree(head)
    for req in sec.requirements:
        node.add(_requirement_node(scheme, req, g))
    return node


def _requirement_node(scheme: CheckedScheme, req: Requirement, g: Glyphs) -> Group:
    head = Text(f"{req.id} {req.title} ", style="bold")
    head.append("[")
    head.append_text(_verification(req.status, g))
    head.append(f"; {req.severity}]")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for leaf in leaves(req.rule):
        grid.add_row("Judged", f"{leaf.describe or leaf.measure.get('kind')} {leaf.compare} {_threshold_text(scheme, leaf)}")
    for pid in param_ids(scheme, req):
        p = scheme.parameters.get(pid)
        if p is not None:
            grid.add_row("Parameter", _param_text(pid, p, g))
    grid.add_row("Evidence", ", ".join(evidence_paths(scheme, req)) or "none")
    grid.add_row("Source", clean(req.source))
    if req.effective:
        e = req.effective
        grid.add_row("Effective", f"{e.start or '…'} to {e.until or '…'}" + (f" ({clean(e.note)})" if e.note else ""))
    return Group(head, grid)


def _param_text(pid: str, p: Parameter, g: Glyphs) -> Text:
    unit = f" {p.unit}" if p.unit else ""
    text = Text(f"{pid} = {fmt_value(p.value)}{unit} (")
    text.append_text(_verification(p.status, g))
    text.append(f"; {p.source})")
    return text


# ------------------------------------------------------------------ explain


def render_explain(scheme: CheckedScheme, section: Section, req: Requirement, console: Console) -> None:
    g = glyphs_for(console.encoding)
    console.print(Text(f"{req.id} {req.title}", style="bold"))
    line = Text(f"{scheme.title} ({scheme.id}) {g.arrow} {section.id} {section.title}")
    console.print(line)
    status = Text("Verification: ")
    status.append_text(_verification(req.status, g))
    status.append(f"; severity {req.severity}; source {clean(req.source)}")
    console.print(status)
    if req.effective:
        e = req.effective
        console.print(f"Applies from {e.start or '…'} until {e.until or '…'}" + (f": {clean(e.note)}" if e.note else ""), markup=False)

    def heading(title: str) -> None:
        console.print()
        console.print(Text(title, style="bold underline"))

    heading("What it requires")
    console.print(clean(req.text), markup=False)

    heading("Evidence it needs")
    descriptions = _evidence_descriptions()
    paths = evidence_paths(scheme, req)
    if not paths:
        console.print("No evidence paths: it is judged from other schemes' outcomes.", markup=False)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for path in paths:
        grid.add_row(f"{g.bullet} {path}", clean(descriptions.get(path, "")))
    console.print(grid)

    heading("How it is judged")
    console.print(
        "Met when the rule holds; not met when it fails; insufficient evidence when the evidence it needs "
        "is missing; not applicable when there is nothing to measure.",
        markup=False,
    )
    for text in rule_lines(scheme, req.rule, 1, g):
        indent = len(text) - len(text.lstrip(" "))
        console.print(Padding(Text(text.lstrip(" ")), (0, 0, 0, indent)))

    pids = param_ids(scheme, req)
    if pids:
        heading("Parameters")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for pid in pids:
            p = scheme.parameters.get(pid)
            if p is None:
                continue
            grid.add_row(f"{g.bullet}", _param_text(pid, p, g))
            grid.add_row("", Text(clean(p.description), style="dim"))
            if p.note:
                grid.add_row("", Text(f"Note: {clean(p.note)}", style="dim"))
        console.print(grid)
        console.print("Override one for an assessment with --param ID=VALUE.", markup=False, style="dim")

    heading("Remediation")
    console.print(clean(req.remediation), markup=False)
    questions = [clean(q) for q in req.challenge + [q for q in section.challenge if q not in req.challenge]]
    if questions:
        heading("Challenge (questions a board champion should ask)")
        console.print(bullets(questions, g))
    if req.notes:
        heading("Notes")
        console.print(bullets([clean(n) for n in req.notes], g))
    if req.status != "confirmed":
        console.print()
        console.print(f"{g.unverified} This requirement is not yet confirmed against its source document.", markup=False, style="italic")


def _evidence_descriptions() -> dict[str, str]:
    """``counts.sbl_e1_co_at_booking`` -> its catalogue description."""
    from ..evidence.model import Evidence
    from ..evidence.types import unwrap

    out: dict[str, str] = {}
    for name, field in Evidence.model_fields.items():
        tp = unwrap(field.annotation)
        if isinstance(tp, type) and hasattr(tp, "model_fields") and name not in ("trust", "period", "submitted_by"):
            for sub, f in tp.model_fields.items():
                out[f"{name}.{sub}"] = f.description or ""
        else:
            out[name] = field.description or ""
    return out
