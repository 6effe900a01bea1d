"""Loading a trust's evidence: parse, validate the shape, then reject impossible evidence.

Stages, in order:

1. ``parse``   -- JSON or YAML text to data, with the position of every key.
2. ``shape``   -- pydantic validation; each error is mapped to its file:line:column,
                  unknown keys get a "did you mean" from the keys allowed there.
3. ``sense``   -- evidence that cannot be true: a numerator above its denominator,
                  dates outside the period or after submission, a review before
                  the death, the same case id twice.

All problems of a stage are reported together.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..errors import EvidenceError, Problem, did_you_mean
from ..source import Document, load_document, validate_document
from .layout import nest
from .model import Evidence
from .records import Count, DatedEvent, PerinatalDeath, QualifyingCase
from .types import describe_type, model_at, type_at, unwrap

__all__ = ["load_evidence", "validate_evidence_data"]


def load_evidence(source: str | Path | Mapping[str, Any] | Evidence) -> Evidence:
    """Load evidence from a file path, a mapping, or pass an :class:`Evidence` through."""
    if isinstance(source, Evidence):
        return source
    if isinstance(source, Mapping):
        doc = Document(dict(source), None, None)
    else:
        doc = load_document(source, error=EvidenceError)
    return validate_evidence_data(doc)


def validate_evidence_data(doc: Document) -> Evidence:
    twice = nest(doc)  # the template's dotted keys (attestations.tc_pathway:) go where they belong
    if twice:
        raise EvidenceError(twice, source=doc.text)
    top = ("V001", "evidence must be a mapping (an object) at the top level", "keys such as trust, period, submitted_by")
    evidence, problems = validate_document(doc, Evidence, EvidenceError, _shape_problem, top)
    for problem in _sense_problems(evidence, doc):
        problems.add(problem)
    problems.raise_if_any()
    return evidence


def _shape_problem(err: Mapping[str, Any], doc: Document) -> Problem:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
    location = doc.locate(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = model_at(Evidence, loc[:-1])
        allowed = list(parent.model_fields) if parent else []
        key = str(loc[-1])
        return Problem(
            "V010",
            f"unknown key '{key}'",
            location,
            "one of: " + ", ".join(allowed) if allowed else None,
            did_you_mean(key, allowed),
        )
    if kind == "missing":
        expected = type_at(Evidence, loc)
        return Problem("V011", f"missing required key '{loc[-1]}'", doc.locate(loc[:-1]) if loc[:-1] else location, describe_type(expected) if expected else None)
    if kind == "literal_error":
        allowed = [a.strip("'") for a in str(err.get("ctx", {}).get("expected", "")).replace(" or ", ", ").split(", ")]
        return Problem("V012", f"{err['msg']} (got {err.get('input')!r})", location, err["msg"].removeprefix("Input should be "), did_you_mean(str(err.get("input")), allowed))
    if kind == "string_pattern_mismatch":
        pattern = str(err.get("ctx", {}).get("pattern", ""))
        given = str(err.get("input"))
        import re

        fixed = given.strip().upper()
        suggestion = fixed if re.fullmatch(pattern, fixed) else None
        return Problem("V014", f"{given!r} does not have the expected form", location, f"text matching {pattern}", suggestion)
    expected = type_at(Evidence, loc)
    return Problem("V013", f"{err['msg']} (got {_short(err.get('input'))})", location, describe_type(expected) if expected is not None else None)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------- sense checks


@functools.lru_cache(maxsize=None)
def _nested(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``cls`` that can hold models, directly or in lists and mappings.

    The walk below visits only these: most fields of a record are dates, numbers and
    text, and looking at each of them was most of the cost of checking a submission.
    """
    return tuple(name for name, f in cls.model_fields.items() if _holds_models(f.annotation))


def _holds_models(tp: Any) -> bool:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return True
    return any(_holds_models(arg) for arg in typing.get_args(tp))


@functools.lru_cache(maxsize=None)
def _date_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    return tuple(n for n, f in cls.model_fields.items() if unwrap(f.annotation) is dt.date)


def _models(root: BaseModel) -> Iterator[tuple[tuple[str | int, ...], BaseModel]]:
    """Every model in the evidence with its path, depth first (an explicit stack: evidence can be large)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), root)]
    while stack:
        path, value = stack.pop()
        children: list[tuple[str | int, Any]]
        if isinstance(value, BaseModel):
            yield path, value
            children = [(name, getattr(value, name)) for name in _nested(type(value))]
        elif isinstance(value, (list, tuple)):
            children = list(enumerate(value))
        elif isinstance(value, dict):
            children = list(value.items())
        else:
            continue
        stack.extend(((*path, key), child) for key, child in reversed(children) if isinstance(child, (BaseModel, list, tuple, dict)))


#: The date that says when a record itself happened: its other dates cannot come before it.
_PRIMARY_DATES = {PerinatalDeath: "died_on", QualifyingCase: "born_on", DatedEvent: "date"}
#: Records that must fall inside the reporting period.  Qualifying cases may not: MIS SA10
#: asks about births in earlier windows (Early Notification, 2019/20).
_IN_PERIOD = (PerinatalDeath, DatedEvent)


def _sense_problems(ev: Evidence, doc: Document) -> Iterator[Problem]:
    period = ev.period
    if period.end < period.start:
        yield Problem("V020", f"the period ends ({period.end}) before it starts ({period.start})", doc.locate(("period", "end")), "end on or after start")
    if ev.submitted_on < period.start:
        yield Problem("V021", f"submitted on {ev.submitted_on}, before the period starts ({period.start})", doc.locate(("submitted_on",)))
    seen_ids: dict[tuple[str | int, ...], dict[str, tuple[str | int, ...]]] = {}
    for path, value in _models(ev):
        if isinstance(value, Count) and value.numerator > value.denominator:
            yield Problem(
                "V030",
                f"numerator {value.numerator} is above denominator {value.denominator}",
                doc.locate((*path, "numerator")),
                "a numerator no larger than its denominator",
            )
        yield from _date_problems(value, path, ev, doc)
        if isinstance(value, (PerinatalDeath, QualifyingCase)):
            ids = seen_ids.setdefault(path[:-1], {})
            if value.id in ids:
                first = doc.locate((*ids[value.id], "id"))
                yield Problem("V040", f"case id '{value.id}' appears twice (first at line {first.line})", doc.locate((*path, "id")), "each case once")
            else:
                ids[value.id] = path


def _date_problems(record: BaseModel, path: tuple[str | int, ...], ev: Evidence, doc: Document) -> Iterator[Problem]:
    primary_name = _PRIMARY_DATES.get(type(record))
    primary: dt.date | None = getattr(record, primary_name) if primary_name else None
    if primary is not None and primary_name and isinstance(record, _IN_PERIOD) and not (ev.period.start <= primary <= ev.period.end):
        yield Problem(
            "V050",
            f"{primary_name} {primary} is outside the reporting period {ev.period.start} to {ev.period.end}",
            doc.locate((*path, primary_name)),
            "a date inside the reporting period",
        )
    if path[:1] == ("period",):
        return
    for name in _date_fields(type(record)):
        value = getattr(record, name)
        if value is None:
            continue
        if value > ev.submitted_on:
            yield Problem(
                "V051",
                f"{name} {value} is after the submission date {ev.submitted_on}",
                doc.locate((*path, name)),
                "no date later than submitted_on",
            )
        elif primary is not None and name != primary_name and value < primary:
            yield Problem(
                "V052",
                f"{name} {value} is before {primary_name} {primary}",
                doc.locate((*path, name)),
                f"a date on or after {primary_name}",
            )
