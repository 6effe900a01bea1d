"""A blank evidence file (YAML) for one or more schemes, ordered by safety action, saying what every field is for.

Generated from the schemes and the evidence model, never drawn by hand:

* the evidence is laid out section by section (safety action, element), each
  item under the first section that uses it, written as a top-level dotted key
  (``attestations.tc_pathway:``), which the evidence loader reads as
  ``attestations: {tc_pathway: ...}``; a scheme that rests on another (MIS
  safety action 6 on SBLCBv2) is followed by that scheme's sections;
* every field's comment is its description from the evidence catalogue, then
  what leaving it out does, derived from the rules
  (:func:`compliance.schemes.needs.needs`): "needed for MIS-Y3-SA3.c to be met
  (without it: insufficient evidence)", an alternative route, a record field
  that counts against the measure when empty, or "optional: changes no verdict";
* the reporting period and the schemes are filled in from the scheme; every
  other value is blank.  A blank field is "not yet filled": the item it belongs
  to counts as not submitted, so the blank template assesses to insufficient
  evidence everywhere, each requirement naming what is missing.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..evidence.catalogue import SECTIONS
from ..evidence.model import Evidence
from ..evidence.types import describe_type, unwrap
from ..schemes.loader import builtin_schemes, checked
from ..schemes.model import Scheme, Section
from ..schemes.needs import Need, needs
from ..schemes.selection import dependencies_first

__all__ = ["render", "needed_paths", "field_labels", "field_effect", "item_of", "item_field", "ordered_sections", "section_items", "HEADER_FIELDS", "HEADER_LABELS"]

#: Always in the template: which schemes, who, when and for which period.
HEADER_FIELDS = ("schema_version", "schemes", "trust", "period", "assessment_date", "submitted_by", "submitted_on")

WIDTH = 88
_LIST = "[]"


# ------------------------------------------------------------------ what each field is for


def needed_paths(schemes: Sequence[Scheme]) -> dict[str, list[str]]:
    """Evidence item (``counts.x``, ``board_sign_off``) -> the requirement ids that read it, in scheme order."""
    out: dict[str, list[str]] = {}
    for path, uses in needs(dependencies_first(schemes)).items():
        item = item_of(path)
        for n in uses:
            found = out.setdefault(item, [])
            if n.requirement not in found:
                found.append(n.requirement)
    return out


def item_of(path: str) -> str:
    """The catalogue item a read path belongs to: ``cases.perinatal_deaths[].died_on`` -> ``cases.perinatal_deaths``."""
    head = path.split("[]", 1)[0]
    parts = head.split(".")
    return parts[0] if parts[0] not in SECTIONS else ".".join(parts[:2])


def _ids(uses: Sequence[Need]) -> str:
    return ", ".join(n.requirement + (" (informative)" if n.informative else "") for n in uses)


def _when(uses: Sequence[Need]) -> str:
    dated = [n for n in uses if n.effective_from or n.effective_until]
    if not dated:
        return ""
    spans = sorted({(n.effective_from, n.effective_until) for n in dated}, key=lambda s: (str(s[0]), str(s[1])))
    return "; in force " + ", ".join(f"{lo or '...'} to {hi or '...'}" for lo, hi in spans)


def _label(uses: Sequence[Need]) -> str:
    """What leaving a piece out does, from the needs of every requirement that reads it."""
    by: dict[str | None, list[Need]] = {}
    for n in uses:
        by.setdefault(n.effect, []).append(n)
    parts = []
    if "insufficient_evidence" in by:
        ns = by["insufficient_evidence"]
        parts.append(f"needed for {_ids(ns)} to be met (without it: insufficient evidence{_when(ns)})")
    if "not_met" in by:
        ns = by["not_met"]
        parts.append(f"needed for {_ids(ns)} to be met (without it: not met{_when(ns)})")
    if "not_applicable" in by:
        ns = by["not_applicable"]
        parts.append(f"needed for {_ids(ns)} to be judged (without it: not applicable{_when(ns)})")
    if None in by and not parts:
        parts.append(f"optional: an alternative route to {_ids(by[None])}; leave it out unless it applies")
    elif None in by:
        parts.append(f"an alternative route to {_ids(by[None])}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def field_labels(schemes: Sequence[Scheme]) -> dict[str, str]:
    """Read path -> what leaving it out does, for every piece of evidence the schemes read."""
    return {path: _label(uses) for path, uses in needs(dependencies_first(schemes)).items()}


# ------------------------------------------------------------------ layout


def _comment(text: str, indent: str, prefix: str = "# ") -> list[str]:
    return [f"{indent}{prefix}{line}" for line in textwrap.wrap(text, WIDTH - len(indent) - len(prefix)) or [""]]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _kind(tp: Any) -> str:
    """A short reminder of what to write."""
    tp = unwrap(tp)
    origin = typing.get_origin(tp)
    if tp is bool:
        return "true or false"
    if tp is dt.date:
        return "YYYY-MM-DD"
    if origin is Literal:
        return "one of: " + ", ".join(str(a) for a in typing.get_args(tp))
    if origin is tuple:
        inner = unwrap(typing.get_args(tp)[0])
        if typing.get_origin(inner) is Literal:
            return "a list of: " + ", ".join(str(a) for a in typing.get_args(inner))
        return "a list of " + describe_type(inner)
    return describe_type(tp)


def _default(field: FieldInfo) -> str | None:
    """The value a field takes when left out, in YAML, if it has one worth saying."""
    if field.is_required() or field.default is None:
        return None
    value = field.default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple) and not value:
        return "[]"
    return str(value)


def _commented(lines: list[str], indent: str) -> list[str]:
    """Comment a block out at ``indent``, so deleting each '# ' after it restores valid YAML."""
    return [f"{indent}# {line[len(indent):]}" if line.startswith(indent) else f"{indent}# {line.lstrip()}" for line in lines]


#: What the header fields are for (they belong to no requirement).
HEADER_LABELS = {
    "schema_version": "Leave as it is.",
    "trust": "Shown on every report.",
    "trust.name": "Required; reports say 'not yet filled' while it is blank.",
    "trust.ods_code": "Required; reports say 'not yet filled' while it is blank.",
    "period": "Required: every assessment needs the reporting period.",
    "period.start": "Required.",
    "period.end": "Required.",
    "assessment_date": "Optional.",
    "submitted_by": "Who signs off the evidence for the trust.",
    "submitted_by.name": "Required; reports say 'not yet filled' while it is blank.",
    "submitted_by.role": "Required; reports say 'not yet filled' while it is blank.",
    "submitted_on": "Required; while it is blank, no date in the evidence may be later than today.",
}


def field_effect(path: str, field: FieldInfo | None, labels: Mapping[str, str]) -> str:
    """What a field is: required in its record, what its absence does (from ``labels``, :func:`field_labels`), or optional."""
    if path in HEADER_LABELS:
        return HEADER_LABELS[path]
    if field is not None and field.is_required() and "." in path:
        # A record cannot leave it out: blank, the item it belongs to is not yet filled.
        item = item_of(path)
        whole = f"the whole list {item}" if "[]" in path else item
        return f"Required: left blank, {whole} counts as not yet filled."
    extra = field.json_schema_extra if field is not None else None
    if isinstance(extra, dict) and extra.get("required_unless") == "suppressed":
        item = item_of(path)
        return f"Required unless suppressed is true: left blank, {item} counts as not yet filled."
    if path in labels:
        return labels[path]
    default = _default(field) if field is not None else None
    if default is not None:
        return f"Optional: {default} when left out."
    return "Optional: changes no verdict."


class _Writer:
    def __init__(self, labels: dict[str, str]):
        self.labels = labels

    def effect(self, path: str, field: FieldInfo | None) -> str:
        """What a field is: required in its record, what its absence does, or optional."""
        return field_effect(path, field, self.labels)

    def field(self, name: str, tp: Any, field: FieldInfo | None, indent: str, path: str, value: str = "") -> list[str]:
        """Lines for one key: description, what it is for and what to write, then the key."""
        tp = unwrap(tp)
        desc = ((field.description if field else None) or "").strip()
        if not desc and _is_model(tp) and tp.__doc__:
            desc = tp.__doc__.strip().splitlines()[0]
        note = f"{desc} " if desc else ""
        note += self.effect(path, field)
        if not _is_model(tp) and typing.get_origin(tp) not in (list, dict):
            note += f" ({_kind(tp)})"
        lines = _comment(note.strip(), indent)
        origin = typing.get_origin(tp)
        child = indent + "  "
        if _is_model(tp):
            lines.append(f"{indent}{name}:")
            lines += self.model_body(tp, child, path)
            return lines
        if origin is list:
            inner = unwrap(typing.get_args(tp)[0])
            lines.append(f"{indent}{name}:")
            lines += _comment("One item per record; copy this example and remove one '# ' from each line:", child)
            if _is_model(inner):
                item = self.model_body(inner, child + "  ", path + _LIST)
                # The first key of the item carries the list dash.
                for i, line in enumerate(item):
                    if not line.lstrip().startswith("#"):
                        item[i] = child + "- " + line[len(child) + 2 :]
                        break
                lines += _commented(item, child)
            else:
                lines.append(f"{child}# - ")
            return lines
        if origin is dict:
            inner = unwrap(typing.get_args(tp)[1])
            lines.append(f"{indent}{name}:")
            lines += _comment("One entry per staff group; copy this example and remove one '# ' from each line:", child)
            entry = [f"{child}midwives:"]
            if _is_model(inner):
                entry += self.model_body(inner, child + "  ", path + _LIST)
            lines += _commented(entry, child)
            return lines
        if not value and field is not None:
            # A field with a default is written with it, so the blank template leaves nothing blank it need not.
            value = _default(field) or ""
        lines.append(f"{indent}{name}:{' ' + value if value else ''}")
        return lines

    def model_body(self, model: type[BaseModel], indent: str, path: str) -> list[str]:
        """Every field of a record; an optional record inside it is offered commented out."""
        lines: list[str] = []
        for sub, sub_field in model.model_fields.items():
            sub_path = f"{path}.{sub}"
            block = self.field(sub, sub_field.annotation, sub_field, indent, sub_path)
            if _is_model(unwrap(sub_field.annotation)) and not sub_field.is_required() and sub_path not in self.labels:
                block = _commented(block, indent)
            lines += block
        return lines


def item_field(item: str) -> tuple[Any, FieldInfo]:
    head, _, sub = item.partition(".")
    f = Evidence.model_fields[head]
    if not sub:
        return f.annotation, f
    model = unwrap(f.annotation)
    sf = model.model_fields[sub]
    return sf.annotation, sf


def _rests_on_by_requirement(scheme: Scheme) -> dict[str, list[str]]:
    """Requirement id -> the schemes whose outcome its rule reads."""
    out: dict[str, list[str]] = {}
    for spec in checked(scheme).leaves:
        ref = getattr(spec.params, "scheme", None) if spec.evaluator.kind == "scheme_outcome" else None
        if isinstance(ref, str):
            rid = scheme.sections[int(spec.path[1])].requirements[int(spec.path[3])].id
            out.setdefault(rid, []).append(ref)
    return out


def ordered_sections(schemes: Sequence[Scheme]) -> list[tuple[Scheme, Section, str | None]]:
    """Every section of the schemes, each followed by the schemes it rests on (once), with why they follow."""
    out: list[tuple[Scheme, Section, str | None]] = []
    done: set[str] = set()
    by_id = {s.id: s for s in dependencies_first(schemes)}

    def emit(scheme: Scheme, because: str | None) -> None:
        if scheme.id in done:
            return
        done.add(scheme.id)
        refs = _rests_on_by_requirement(scheme)
        for i, section in enumerate(scheme.sections):
            out.append((scheme, section, because if i == 0 else None))
            for req in section.requirements:
                for ref in refs.get(req.id, []):
                    if ref in by_id:
                        emit(by_id[ref], f"{req.id} rests on the {ref} assessment: its evidence follows")

    for s in [*schemes, *by_id.values()]:
        emit(s, None)
    return out


def render(schemes: Sequence[Scheme]) -> str:
    """The template for ``schemes``: the header, then the evidence section by section."""
    everything = dependencies_first(schemes)
    labels = field_labels(schemes)
    items = needed_paths(schemes)
    w = _Writer(labels)
    names = ", ".join(f"{s.title} ({s.id}, {s.version})" for s in schemes)
    out: list[str] = []
    out += _comment(f"Evidence for: {names}.", "")
    out += _comment(
        "Made by 'compliance template " + " ".join(s.id for s in schemes) + "'. Fill in each value; dates are "
        "YYYY-MM-DD. A field left blank is 'not yet filled': the item it belongs to counts as not submitted, and "
        "every requirement that needs it is judged 'insufficient evidence', never guessed. Each field says what "
        "leaving it out does. An empty list ([]) means 'submitted: there were none'. Check the file with "
        "'compliance validate FILE'.",
        "",
    )
    out.append("")
    fields = Evidence.model_fields
    period = next((s.period for s in everything if s.period and s.period.start and s.period.end), None)
    bundled = set(builtin_schemes())
    for name in HEADER_FIELDS:
        f = fields[name]
        if name == "schemes" and all(s.id in bundled for s in schemes):
            out += _comment((f.description or "").strip() + " Filled in from the template.", "")
            out.append(f"schemes: [{', '.join(s.id for s in schemes)}]")
        elif name == "period" and period is not None:
            out += _comment(f"{(unwrap(f.annotation).__doc__ or '').strip()} Filled in with the scheme's reporting period.", "")
            out.append("period:")
            out.append(f"  start: {period.start}")
            out.append(f"  end: {period.end}")
        elif name == "schemes":
            continue
        else:
            out += w.field(name, f.annotation, f, "", name, value='"1"' if name == "schema_version" else "")
        out.append("")
    placed: dict[str, str] = {}
    for scheme, section, because in ordered_sections(schemes):
        here = [item for item in section_items(scheme, section, items)]
        if not here:
            continue
        title = f"{section.id}: {section.title}" + ("" if section.in_outcome else " (informative)")
        out.append("# " + "=" * (WIDTH - 2))
        out += _comment(title, "")
        if because:
            out += _comment(because + ".", "")
        again = [item for item in here if item in placed]
        if again:
            out += _comment("Also uses: " + ", ".join(f"{item} (under {placed[item]})" for item in again) + ".", "")
        out.append("")
        for item in here:
            if item in placed:
                continue
            placed[item] = section.id
            tp, f = item_field(item)
            out += w.field(item, tp, f, "", item)
            out.append("")
    unknown = sorted(p for p in items if p.split(".")[0] not in fields)
    if unknown:
        out += _comment("Paths the scheme names that the evidence format does not know: " + ", ".join(unknown), "")
    return "\n".join(out).rstrip("\n") + "\n"


def section_items(scheme: Scheme, section: Section, items: dict[str, list[str]]) -> list[str]:
    """The evidence items a section's requirements read (and declare), in first-use order."""
    ids = {r.id for r in section.requirements}
    out: list[str] = []
    for req in section.requirements:
        for declared in req.evidence:
            if declared in items and declared not in out:
                out.append(declared)
    for item, users in items.items():
        if ids & set(users) and item not in out:
            out.append(item)
    return out
