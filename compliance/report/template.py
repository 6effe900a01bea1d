"""A blank evidence file (YAML) for one or more schemes, with a comment on every field they need.

The comments are the pydantic field descriptions of the evidence catalogue
(``compliance/evidence/catalogue.py``) and records, so the template and the
validator never disagree.  A key left with no value is ``null``: "not
submitted", which the assessment reports as insufficient evidence.  Lists and
per-group figures are shown as a commented example item to copy.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import typing
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..evidence.model import Evidence
from ..evidence.types import describe_type, unwrap
from ..schemes.model import Scheme
from .schemes import evidence_paths

__all__ = ["render", "needed_paths"]

#: Always in the template: who, when and for which period.
HEADER_FIELDS = ("schema_version", "trust", "period", "assessment_date", "submitted_by", "submitted_on")

WIDTH = 88


def needed_paths(schemes: Sequence[Scheme]) -> dict[str, list[str]]:
    """Evidence path -> the requirement ids that need it, over all the schemes (scheme order)."""
    out: dict[str, list[str]] = {}
    for scheme in schemes:
        for _, req in scheme.requirements():
            for path in evidence_paths(req):
                if path.startswith("scheme:"):
                    continue
                out.setdefault(path, [])
                if req.id not in out[path]:
                    out[path].append(req.id)
    return out


def _comment(text: str, indent: str, prefix: str = "# ") -> list[str]:
    return [f"{indent}{prefix}{line}" for line in textwrap.wrap(text, WIDTH - len(indent) - len(prefix)) or [""]]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _optional(field: FieldInfo) -> bool:
    return not field.is_required()


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
    return describe_type(tp)


def _scalar_default(field: FieldInfo) -> str:
    if field.is_required() or field.default is None:
        return ""
    value = field.default
    if isinstance(value, bool):
        return " true" if value else " false"
    if isinstance(value, str):
        return f' "{value}"'
    if isinstance(value, tuple) and not value:
        return " []"
    return f" {value}"


def _commented(lines: list[str], indent: str) -> list[str]:
    """Comment a block out at ``indent``, so deleting each '# ' after it restores valid YAML."""
    return [f"{indent}# {line[len(indent):]}" if line.startswith(indent) else f"{indent}# {line.lstrip()}" for line in lines]


def _field(name: str, tp: Any, field: FieldInfo | None, indent: str) -> list[str]:
    """Lines for one key: its description as a comment, then the key with a blank value or its children."""
    tp = unwrap(tp)
    desc = ((field.description if field else None) or "").strip()
    if not desc and _is_model(tp) and tp.__doc__:
        desc = tp.__doc__.strip().splitlines()[0]
    if not desc and _is_model(tp):
        desc = name.replace("_", " ").capitalize() + ": " + ", ".join(tp.model_fields) + "."
    opt = field is not None and _optional(field)
    if _is_model(tp):
        note = desc + (" (optional)" if opt else "")
    else:
        note = (f"{desc} " if desc else "") + f"({_kind(tp)}{'; optional' if opt else ''})"
    lines = _comment(note.strip(), indent) if note.strip() else []
    origin = typing.get_origin(tp)
    child = indent + "  "
    if _is_model(tp):
        lines.append(f"{indent}{name}:")
        lines += _model_body(tp, child)
        return lines
    if origin is list:
        inner = unwrap(typing.get_args(tp)[0])
        lines.append(f"{indent}{name}:")
        lines += _comment("One item per record; copy this example and remove one '# ' from each line:", child)
        if _is_model(inner):
            item = _model_body(inner, child + "  ")
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
            entry += _model_body(inner, child + "  ")
        lines += _commented(entry, child)
        return lines
    value = _scalar_default(field) if field is not None else ""
    lines.append(f"{indent}{name}:{value}")
    return lines


def _model_body(model: type[BaseModel], indent: str) -> list[str]:
    """Every field of a record; an optional record inside it is offered commented out."""
    lines: list[str] = []
    for sub, sub_field in model.model_fields.items():
        block = _field(sub, sub_field.annotation, sub_field, indent)
        if _is_model(unwrap(sub_field.annotation)) and _optional(sub_field):
            block = _commented(block, indent)
        lines += block
    return lines


def render(schemes: Sequence[Scheme]) -> str:
    """The template for ``schemes`` (ids in the header, fields in catalogue order)."""
    needed = needed_paths(schemes)
    names = ", ".join(f"{s.title} ({s.id}, {s.version})" for s in schemes)
    out: list[str] = []
    out += _comment(f"Evidence for: {names}.", "")
    out += _comment(
        "Made by 'compliance template " + " ".join(s.id for s in schemes) + "'. Fill in each value; dates are "
        "YYYY-MM-DD. Delete (or leave empty) any item you cannot evidence: an item not submitted is judged "
        "'insufficient evidence', never guessed. An empty list ([]) means 'submitted: there were none'. "
        "Check the file with 'compliance validate FILE'.",
        "",
    )
    out.append("")
    fields = Evidence.model_fields
    for name in HEADER_FIELDS:
        out += _field(name, fields[name].annotation, fields[name], "")
        out.append("")
    if "board_sign_off" in needed:
        f = fields["board_sign_off"]
        out += _comment("Needed by: " + ", ".join(needed["board_sign_off"]), "")
        out += _field("board_sign_off", f.annotation, f, "")
        out.append("")
    for group, gfield in fields.items():
        if group in HEADER_FIELDS or group == "board_sign_off":
            continue
        model = unwrap(gfield.annotation)
        if not _is_model(model):
            continue
        wanted = [sub for sub in model.model_fields if f"{group}.{sub}" in needed]
        if not wanted:
            continue
        doc = (model.__doc__ or "").strip().splitlines()
        out += _comment(doc[0] if doc else f"Evidence: {group}.", "")
        out.append(f"{group}:")
        for sub in wanted:
            sf = model.model_fields[sub]
            out += _comment("Needed by: " + ", ".join(needed[f"{group}.{sub}"]), "  ")
            out += _field(sub, sf.annotation, sf, "  ")
        out.append("")
    unknown = sorted(p for p in needed if p != "board_sign_off" and p.split(".")[0] not in fields)
    if unknown:
        out += _comment("Paths the scheme names that the evidence format does not know: " + ", ".join(unknown), "")
    return "\n".join(out).rstrip("\n") + "\n"
