"""Loading a trust's evidence: parse, validate the shape, then reject impossible evidence.

Stages, in order:

1. ``parse``   -- JSON or YAML text to data, with the position of every key
                  (nesting deeper than :data:`~compliance.source.MAX_DEPTH` is refused).
2. ``shape``   -- pydantic validation; each error is mapped to its file:line:column,
                  unknown keys get a "did you mean" from the keys allowed there.
                  Numbers and booleans must be JSON numbers and booleans.  A blank
                  (null) where a value is needed is *not yet filled*: the catalogue
                  item holding it is set aside as not submitted (see :attr:`Evidence.blanks`).
3. ``sense``   -- evidence that cannot be true: a numerator above its denominator,
                  a subgroup above its total, a fraction where a percent belongs,
                  dates outside the period, after submission or after today, a
                  review before the death, the same case id twice.

All problems of a stage are reported together.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import typing
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import EvidenceError, Location, Problem, ProblemCollector, did_you_mean, format_path
from ..source import DATE_RANGE, EARLIEST_DATE, LATEST_DATE, Document, date_in_range, load_document, number_problems, too_deep
from .catalogue import RENAMED, SECTIONS, SUBGROUPS
from .layout import nest
from .model import Evidence, resolve
from .records import COUNT_INCOMPLETE, PERCENT, Count, DatedEvent, Period, PerinatalDeath, Person, QualifyingCase, Trust
from .types import describe_type, model_at, type_at, unwrap

__all__ = ["load_evidence", "validate_evidence_data", "EVIDENCE_READERS"]

Path_ = tuple[str | int, ...]


def _read_workbook(path: Path) -> Document:
    from .workbook import read_workbook  # only a workbook pays for the workbook reader

    return read_workbook(path)


#: Evidence files that are not JSON or YAML text: suffix -> reader (see :mod:`.workbook`).
EVIDENCE_READERS = {".xlsx": _read_workbook, ".xlsm": _read_workbook, ".xls": _read_workbook}


def load_evidence(source: str | Path | Mapping[str, Any] | Evidence, *, today: dt.date | None = None) -> Evidence:
    """Load evidence from a file path, a mapping, or pass an :class:`Evidence` through.

    ``today`` is the date no evidence may be later than (default: the real
    date); give it to make a check reproducible.
    """
    if isinstance(source, Evidence):
        return source
    try:
        if isinstance(source, Mapping):
            doc = Document(dict(source), None, None)
        else:
            doc = load_document(source, error=EvidenceError, readers=EVIDENCE_READERS)
        return validate_evidence_data(doc, today=today)
    except RecursionError:
        # The parsers refuse deep nesting first; this is the backstop for anything they miss.
        where = None if isinstance(source, Mapping) else str(source)
        raise EvidenceError([too_deep(Location(where))]) from None


def validate_evidence_data(doc: Document, *, today: dt.date | None = None) -> Evidence:
    today = today or dt.date.today()
    twice = nest(doc)  # the template's dotted keys (attestations.tc_pathway:) go where they belong
    if twice:
        raise EvidenceError(twice, source=doc.text)
    problems = ProblemCollector(EvidenceError, file=doc.file, source=doc.text)
    if not doc.numbers_checked:
        # A workbook, CSV record lists or data from code: numbers JSON and YAML refuse as they are read.
        for problem in number_problems(doc):
            problems.add(problem)
        problems.raise_if_any()
    if not isinstance(doc.data, Mapping):
        problems.add(Problem("V001", "evidence must be a mapping (an object) at the top level", doc.locate(()), "keys such as trust, period, submitted_by"))
        problems.raise_if_any()
    data: Mapping[str, Any] = doc.data
    blanks: list[Path_] = []
    try:
        evidence = Evidence.model_validate(data)
    except ValidationError as exc:
        cleaned = _set_blanks_aside(exc.errors(include_url=False), data, doc, problems, blanks)
        problems.raise_if_any()
        try:
            evidence = Evidence.model_validate(cleaned)
        except ValidationError as again:  # pragma: no cover - setting an item aside cannot make it invalid
            for err in again.errors(include_url=False):
                problems.add(_shape_problem(err, doc))
            problems.raise_if_any()
            raise
    blanks += _header_blanks(evidence, blanks) + _blank_items(data)
    # In the order of the text when there is one (the template's order, by safety action), else of the data.
    ordered = sorted(set(blanks), key=lambda p: (_line_col(doc, p), _document_order(data, p)))
    evidence._blanks = tuple(format_path(p) for p in ordered)
    evidence._today = today
    evidence._notes = tuple(doc.notes)
    evidence._file = doc.file
    for problem in _sense_problems(evidence, doc, today):
        problems.add(problem)
    problems.raise_if_any()
    return evidence


# ---------------------------------------------------------------- blanks
#
# A template is filled in over days: a blank (null) value is "not yet filled",
# not a type error.  Inside a catalogue item it makes the whole item not
# submitted (a list loses no single record: that would change a percentage);
# in the header it is allowed and listed.  Only null is blank: a value of the
# wrong type is still an error.

#: Header fields that may be blank; the assessment runs without them.
_HEADER_BLANKS: tuple[Path_, ...] = (("trust", "name"), ("trust", "ods_code"), ("submitted_by", "name"), ("submitted_by", "role"), ("submitted_on",))
#: Header records that may be blank as a whole (every field not yet filled).
_HEADER_RECORDS: dict[str, type[BaseModel]] = {"trust": Trust, "submitted_by": Person}


def _clean_loc(loc: Sequence[Any], data: Any = None) -> Path_:
    """pydantic's error location as a path in the document: without the union members and validator names it adds.

    A part that is a key of the data at that point is the document's, whatever it looks
    like: a key named ``note [draft]`` is not a union member, however much it resembles one.
    """
    out: list[str | int] = []
    cur = data
    for part in loc:
        if isinstance(cur, Mapping) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
        elif isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue  # a union member or validator: the data stays where it was
        else:
            out.append(part)  # a key the data lacks (a missing one) or holds no more of
            cur = None
    return tuple(out)


def _set_blanks_aside(
    errors: Sequence[Mapping[str, Any]], data: Mapping[str, Any], doc: Document, problems: ProblemCollector, blanks: list[Path_]
) -> dict[str, Any]:
    """Record every blank, report every other error, and return the data with blank items set aside."""
    aside: set[Path_] = set()
    for err in errors:
        loc = _clean_loc(err["loc"], data)
        if err["type"] == COUNT_INCOMPLETE:
            ctx = err.get("ctx") or {}
            for part in ctx.get("missing", ()):
                problems.add(
                    Problem("V011", f"missing required key '{part}'", doc.locate(loc), "a whole number, or suppressed: true when the source suppressed it")
                )
            paths = [(*loc, part) for part in ctx.get("blank", ())]
        elif err["type"] != "missing" and "input" in err and err["input"] is None:
            paths = [loc]
        else:
            problems.add(_shape_problem(err, doc))
            continue
        for path in paths:
            target = _blank_target(path)
            if target is None:
                problems.add(_shape_problem(err, doc))
            elif target == ("period",):
                problems.add(
                    Problem(
                        "V065",
                        f"{format_path(path)[2:]} is not filled in: the assessment needs the reporting period",
                        doc.locate(path),
                        "the period's first and last day (YYYY-MM-DD)",
                    )
                )
            else:
                blanks.append(path)
                aside.add(target)
    cleaned = dict(data)
    for target in sorted(aside, key=len):
        head = str(target[0])
        if len(target) == 1:
            if head in _HEADER_RECORDS:
                cleaned[head] = dict.fromkeys(_HEADER_RECORDS[head].model_fields)
            else:
                cleaned.pop(head, None)  # a blank section or version: as if left out
            continue
        section = cleaned.get(head)
        if isinstance(section, Mapping):
            cleaned[head] = {**section, target[1]: None}  # a copy: the caller's data is left as it was
    return cleaned


def _blank_target(path: Path_) -> Path_ | None:
    """What a blank at ``path`` sets aside: its catalogue item, a whole section or header record; None if it may not be blank."""
    head = path[0] if path else None
    if head == "period":
        return ("period",)
    if head in SECTIONS:
        return path[:2]
    if head == "board_sign_off" or (head == "schema_version" and len(path) == 1):
        return path[:1]
    if head in _HEADER_RECORDS and len(path) == 1:
        return path
    return None


def _header_blanks(ev: Evidence, already: list[Path_]) -> list[Path_]:
    whole = {p for p in already if len(p) == 1}
    return [p for p in _HEADER_BLANKS if p[:1] not in whole and resolve(ev, ".".join(map(str, p))) is None]


def _blank_items(data: Mapping[str, Any]) -> list[Path_]:
    """Catalogue items given as blank (null): not submitted, and not yet filled."""
    found: list[Path_] = [("board_sign_off",)] if "board_sign_off" in data and data["board_sign_off"] is None else []
    for section in SECTIONS:
        entries = data.get(section)
        if isinstance(entries, Mapping):
            found.extend((section, key) for key, value in entries.items() if value is None)
    return found


def _line_col(doc: Document, path: Path_) -> tuple[int, int]:
    if doc.text is None:
        return (0, 0)
    loc = doc.locate(path)
    return (loc.line or 0, loc.column or 0)


def _document_order(data: Any, path: Path_) -> tuple[int, ...]:
    # Mappings keep the order of the text (YAML and JSON alike): the key's index is its place.
    order: list[int] = []
    cur = data
    for part in path:
        if isinstance(cur, Mapping):
            keys = list(cur)
            order.append(keys.index(part) if part in cur else len(keys))
            cur = cur.get(part)
        elif isinstance(cur, list) and isinstance(part, int):
            order.append(part)
            cur = cur[part] if 0 <= part < len(cur) else None
        else:
            order.append(0)
            cur = None
    return tuple(order)


# ---------------------------------------------------------------- shape problems


def _shape_problem(err: Mapping[str, Any], doc: Document) -> Problem:
    loc = _clean_loc(err["loc"], doc.data)
    location = doc.locate(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = model_at(Evidence, loc[:-1])
        allowed = list(parent.model_fields) if parent else []
        key = str(loc[-1])
        renamed = RENAMED.get(".".join(str(part) for part in loc))
        if renamed is not None:
            new_path, why = renamed
            return Problem("V017", f"'{key}' was renamed to '{new_path.rsplit('.', 1)[-1]}': {why}", location, f"the key {new_path}", new_path.rsplit(".", 1)[-1])
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
    if kind in ("int_type", "float_type", "bool_type"):
        wrong = _wrong_type(err.get("input"), unwrap(expected))
        if wrong is not None:
            message, suggestion = wrong
            return Problem("V061", message, location, describe_type(expected), suggestion)
    return Problem("V013", f"{err['msg']} (got {_short(err.get('input'))})", location, describe_type(expected) if expected is not None else None)


_TRUE_WORDS = frozenset({"true", "yes", "y", "on", "1"})
_FALSE_WORDS = frozenset({"false", "no", "n", "off", "0"})


def _wrong_type(given: Any, want: Any) -> tuple[str, str | None] | None:
    """(message, suggestion) for a number or boolean given as the wrong JSON type; None for anything else."""
    if want is bool:
        if isinstance(given, str):
            word = given.strip().lower()
            suggestion = "true (a boolean)" if word in _TRUE_WORDS else "false (a boolean)" if word in _FALSE_WORDS else None
            return f"{given!r} is text, not true or false", suggestion
        if isinstance(given, (int, float)):
            return f"{given!r} is a number, not true or false", "true (a boolean)" if given == 1 else "false (a boolean)" if given == 0 else None
        return None
    if want not in (int, float):
        return None
    if isinstance(given, bool):
        # JSON's true is not 1: a yes/no answer in a figure's place is a mistake, not a count.
        return f"{str(given).lower()} is a boolean, not a number", None
    if isinstance(given, str):
        number = _number_in(given, whole=want is int)
        return f"{given!r} is text, not a number", f"{number} (a number)" if number is not None else None
    if isinstance(given, float) and want is int:
        return f"{given!r} is not a whole number", str(int(given)) if given.is_integer() else None
    return None


def _number_in(text: str, *, whole: bool) -> str | None:
    """The number ``text`` spells, as JSON would write it; None if it spells none (or not a whole one when one is needed)."""
    raw = text.strip()
    if len(raw) > 24:
        return None  # no number a measure holds is this long (and int() refuses 4,300 digits)
    try:
        return str(int(raw))
    except ValueError:
        pass
    try:
        value = float(raw)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if value.is_integer():
        return str(int(value))
    return None if whole else repr(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------- sense checks


#: A path built only when a problem needs it: ``(parent, key)`` links up to the root, ``None``.
_Node = tuple[Any, str | int] | None


def _path(node: _Node) -> Path_:
    """The path from the root to ``node``."""
    parts: list[str | int] = []
    while node is not None:
        node, key = node
        parts.append(key)
    return tuple(reversed(parts))


class _Plan(typing.NamedTuple):
    """What the sense checks look at in a model of one class, worked out once per class."""

    is_count: bool  # a Count: numerator against denominator
    primary: str | None  # the date that says when the record happened
    in_period: bool  # the record must fall inside the reporting period
    period: bool  # the reporting period itself
    dates: tuple[str, ...]
    percents: tuple[str, ...]
    case: bool  # a case: its id once per list
    checks: bool  # any of the above
    #: The fields that can hold models with something to check, directly or in lists and mappings.
    children: tuple[str, ...]


def _model_types(tp: Any) -> Iterator[type[BaseModel]]:
    """The model classes an annotation can hold, directly or in lists and mappings."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        yield tp
    for arg in typing.get_args(tp):
        yield from _model_types(arg)


@functools.lru_cache(maxsize=None)
def _plan(cls: type[BaseModel]) -> _Plan:
    """The plan for ``cls``.  Most fields of a record are dates, numbers and text, and whole
    records (a trust, a team, a monthly count) hold nothing to check: the walk below skips them,
    as looking at every field of every record was most of the cost of checking a submission."""

    def worth(m: type[BaseModel]) -> bool:
        plan = _plan(m)
        return plan.checks or bool(plan.children)

    children = tuple(name for name, f in cls.model_fields.items() if any(worth(m) for m in _model_types(f.annotation)))
    count, primary, case = issubclass(cls, Count), _PRIMARY_DATES.get(cls), issubclass(cls, (PerinatalDeath, QualifyingCase))
    dates, percents = _date_fields(cls), _percent_fields(cls)
    return _Plan(
        is_count=count,
        primary=primary,
        in_period=issubclass(cls, _IN_PERIOD),
        period=issubclass(cls, Period),
        dates=dates,
        percents=percents,
        case=case,
        checks=count or primary is not None or case or bool(dates or percents),
        children=children,
    )


@functools.lru_cache(maxsize=None)
def _date_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    return tuple(n for n, f in cls.model_fields.items() if unwrap(f.annotation) is dt.date)


def _records(root: BaseModel) -> list[tuple[_Node, BaseModel, _Plan]]:
    """Every model in the evidence that a sense check looks at, with its path node, depth first.

    Recursive: the depth is the models' nesting (a record in a list in a section), which
    validation has enforced whatever the size of the file.
    """
    out: list[tuple[_Node, BaseModel, _Plan]] = []
    _collect(root, None, out)
    return out


def _collect(value: BaseModel, node: _Node, out: list[tuple[_Node, BaseModel, _Plan]]) -> None:
    plan = _plan(type(value))
    if plan.checks:
        out.append((node, value, plan))
    for name in plan.children:
        child = getattr(value, name)
        if isinstance(child, BaseModel):
            _collect(child, (node, name), out)
        elif isinstance(child, (list, tuple, dict)):
            _collect_in(child, (node, name), out)


def _collect_in(value: list[Any] | tuple[Any, ...] | dict[Any, Any], node: _Node, out: list[tuple[_Node, BaseModel, _Plan]]) -> None:
    for key, child in value.items() if isinstance(value, dict) else enumerate(value):
        if isinstance(child, BaseModel):
            _collect(child, (node, key), out)
        elif isinstance(child, (list, tuple, dict)):
            _collect_in(child, (node, key), out)


@functools.lru_cache(maxsize=None)
def _percent_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """Fields marked as holding a percent (``json_schema_extra=PERCENT``)."""
    return tuple(n for n, f in cls.model_fields.items() if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("unit") == PERCENT["unit"])


#: The date that says when a record itself happened: its other dates cannot come before it.
_PRIMARY_DATES = {PerinatalDeath: "died_on", QualifyingCase: "born_on", DatedEvent: "date"}
#: Records that must fall inside the reporting period.  Qualifying cases may not: MIS SA10
#: asks about births in earlier windows (Early Notification, 2019/20).
_IN_PERIOD = (PerinatalDeath, DatedEvent)


def _sense_problems(ev: Evidence, doc: Document, today: dt.date) -> Iterator[Problem]:
    period = ev.period
    if period.end < period.start:
        yield Problem("V020", f"the period ends ({period.end}) before it starts ({period.start})", doc.locate(("period", "end")), "end on or after start")
    if ev.submitted_on is not None and ev.submitted_on < period.start:
        yield Problem("V021", f"submitted on {ev.submitted_on}, before the period starts ({period.start})", doc.locate(("submitted_on",)))
    seen_ids: dict[_Node, dict[str, _Node]] = {}
    for node, value, plan in _records(ev):
        if plan.is_count:
            numerator, denominator = value.numerator, value.denominator  # type: ignore[attr-defined]
            if numerator is not None and denominator is not None and numerator > denominator:
                yield Problem(
                    "V030",
                    f"numerator {numerator} is above denominator {denominator}",
                    doc.locate((*_path(node), "numerator")),
                    "a numerator no larger than its denominator",
                )
        if plan.dates and not _dates_fine(value, plan, period.start, period.end, ev.submitted_on, today):
            yield from _date_problems(value, plan, node, ev, doc, today)
        if plan.percents:
            yield from _percent_problems(value, plan, node, doc)
        if plan.case:
            assert node is not None  # a case is in a list, never the root
            ids = seen_ids.setdefault(node[0], {})
            case_id: str = value.id  # type: ignore[attr-defined]
            if case_id in ids:
                first = doc.locate((*_path(ids[case_id]), "id"))
                yield Problem("V040", f"case id '{case_id}' appears twice (first at line {first.line})", doc.locate((*_path(node), "id")), "each case once")
            else:
                ids[case_id] = node
    yield from _subgroup_problems(ev, doc)


def _percent_problems(record: BaseModel, plan: _Plan, node: _Node, doc: Document) -> Iterator[Problem]:
    for name in plan.percents:
        value = getattr(record, name)
        # 0 stays valid (a plan may aim for none); 0 < x <= 1 is a fraction typed for a percent.
        if value is not None and 0 < value <= 1:
            yield Problem(
                "V062",
                f"{name} {value:g} looks like a fraction, but it is a percent (0 to 100)",
                doc.locate((*_path(node), name)),
                "a percent from 0 to 100",
                f"{round(value * 100, 6):g} (percent)",
            )


def _subgroup_problems(ev: Evidence, doc: Document) -> Iterator[Problem]:
    for rel in SUBGROUPS:
        sub, total = resolve(ev, rel.sub_path), resolve(ev, rel.total_path)
        if sub is None or total is None:
            continue
        part, whole = getattr(sub, rel.sub_part), getattr(total, rel.total_part)
        if part is None or whole is None:  # suppressed in the source: nothing to compare
            continue
        if part > whole:
            yield Problem(
                "V064",
                f"{rel.sub_path}.{rel.sub_part} {part} is above {rel.total_path}.{rel.total_part} {whole}: a subgroup cannot be larger than its total",
                doc.locate((*rel.sub_path.split("."), rel.sub_part)),
                f"at most {whole} (its total, {rel.total_path}.{rel.total_part})",
            )


def _dates_fine(record: BaseModel, plan: _Plan, start: dt.date, end: dt.date, submitted: dt.date | None, today: dt.date) -> bool:
    """Whether :func:`_date_problems` would find nothing: the common case, in a few comparisons and no path.

    Anything unusual (the period itself, a date outside the calendar, a datetime) is
    left to :func:`_date_problems` to judge.
    """
    if plan.period:
        return False
    primary = getattr(record, plan.primary) if plan.primary else None
    if primary is not None:
        if type(primary) is not dt.date or not EARLIEST_DATE <= primary <= LATEST_DATE:
            return False
        if plan.in_period and primary <= today and not start <= primary <= end:
            return False
    for name in plan.dates:
        value = getattr(record, name)
        if value is None:
            continue
        if type(value) is not dt.date or not EARLIEST_DATE <= value <= LATEST_DATE or value > today:
            return False
        if (submitted is not None and value > submitted) or (primary is not None and value < primary):
            return False
    return True


def _date_problems(record: BaseModel, plan: _Plan, node: _Node, ev: Evidence, doc: Document, today: dt.date) -> Iterator[Problem]:
    primary_name = plan.primary
    primary: dt.date | None = getattr(record, primary_name) if primary_name else None
    if primary is not None and not date_in_range(primary):
        primary = None  # refused below, by name; compared with nothing
    start, end, submitted = ev.period.start, ev.period.end, ev.submitted_on
    # A date after today is reported as that alone (below), not also as outside the period.
    in_period = primary is None or primary > today or start <= primary <= end
    if primary is not None and primary_name and plan.in_period and not in_period:
        yield Problem(
            "V050",
            f"{primary_name} {primary} is outside the reporting period {start} to {end}",
            doc.locate((*_path(node), primary_name)),
            "a date inside the reporting period",
        )
    is_period = isinstance(record, Period)
    for name in plan.dates:
        value = getattr(record, name)
        if value is None:
            continue
        path = _path(node)
        if not date_in_range(value):
            # Windows are reckoned from every date: year 9999 plus a month is no date at all.
            yield Problem("V066", f"{format_path((*path, name))[2:]} {value} is outside the calendar this tool reckons in", doc.locate((*path, name)), DATE_RANGE)
            continue
        if value > today and not (is_period and name == "end"):
            # Evidence describes what has happened: a later date is a typing slip (2031 for 2021).
            # The one exception is the period's end: a mid-year check is made while it runs.
            yield Problem(
                "V063",
                f"{format_path((*path, name))[2:]} {value} is later than today ({today})",
                doc.locate((*path, name)),
                f"a date on or before today, {today}",
            )
            continue
        if is_period:
            continue  # the period is compared with the submission date above
        if submitted is not None and value > submitted:
            yield Problem(
                "V051",
                f"{name} {value} is after the submission date {submitted}",
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
