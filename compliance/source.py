"""Reading YAML and JSON documents while remembering where every value came from.

Both loaders return a :class:`Document`: the plain data plus a map from each
key path to its 1-based line and column, so any later stage (pydantic
validation, scheme checks, evidence checks) can point at the exact spot.

YAML is read with the *safe* composer only (no tags that build objects) and
duplicate keys are an error rather than silently last-one-wins.

Limits: nesting deeper than :data:`MAX_DEPTH` levels of mappings and lists is
refused (the parsers, the validators and the position index all recurse, and
Python's stack is finite), and YAML aliases may not expand a document beyond
:func:`_yaml_budget` values (a "billion laughs" file is a few hundred bytes).
Either is a located problem (exit 2), never a crash.

Before any parsing, a file must be a regular file (a FIFO would block for ever,
``/dev/zero`` never ends) no larger than :func:`max_bytes` (100 MB unless
``COMPLIANCE_MAX_BYTES`` says otherwise: the CLI's ``--max-bytes``).  While
parsing, a number no measure can hold -- a whole number beyond
:data:`MAX_NUMBER`, NaN or an infinity, a float past the same size -- is a
located problem at its path.  Line numbers count ``\n`` only, as editors and
the JSON parser do (YAML's own marks also break lines at U+2028 and NEL).
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import MAX_PROBLEMS, ComplianceError, Location, Problem, ProblemCollector

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "Document",
    "load_document",
    "read_input",
    "max_bytes",
    "parse_yaml",
    "parse_json",
    "validate_document",
    "MAX_DEPTH",
    "MAX_NUMBER",
    "DEFAULT_MAX_BYTES",
    "MAX_BYTES_ENV",
    "too_deep",
    "EARLIEST_DATE",
    "LATEST_DATE",
    "DATE_RANGE",
    "date_in_range",
    "number_problem",
    "number_problems",
]

Path_ = tuple[str | int, ...]

#: The deepest nesting of mappings and lists a scheme or evidence file may have.  Evidence
#: is under 10 levels deep and the bundled schemes under 20: 64 is generous, and far from
#: the depth at which recursive code would exhaust Python's stack.
MAX_DEPTH = 64


#: The largest number (in size) a scheme or evidence file may hold: 2**53 - 1, the largest
#: whole number a double (what durable-rules compares) holds exactly.  No count, figure or
#: threshold comes near it; a 400-digit "count" is a slip or an attack, never a measure.
MAX_NUMBER = 2**53 - 1

#: The largest input file read unless told otherwise (the largest real evidence is a few MB).
DEFAULT_MAX_BYTES = 100_000_000
#: The environment variable that changes it (the CLI's ``--max-bytes`` sets it, so worker
#: processes, forked or spawned, read the same limit).
MAX_BYTES_ENV = "COMPLIANCE_MAX_BYTES"


def max_bytes() -> int:
    """The size limit for one input file, in bytes."""
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_BYTES


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_input(path: str | Path, *, error: type[ComplianceError]) -> bytes:
    """The bytes of an input file, checked before reading: a regular file, at most :func:`max_bytes`.

    A FIFO, a device or a directory is a usage error (opening a FIFO blocks until
    someone writes to it; ``/dev/zero`` has no end); a larger file is refused
    from its size, before it is read.
    """
    from .errors import UsageError

    p = Path(path)
    where = Location(str(p))
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise error([Problem("E010", f"no such file: {p}", where)]) from None
    except OSError as exc:
        raise error([Problem("E013", f"cannot read {p}: {exc.strerror}", where)]) from None
    if stat.S_ISDIR(st.st_mode):
        raise UsageError([Problem("E011", f"is a directory, not a file: {p}", where, "a regular file")])
    if not stat.S_ISREG(st.st_mode):
        raise UsageError([Problem("E015", f"is {_kind_of(st.st_mode)}, not a regular file: {p}", where, "a regular file")])
    limit = max_bytes()
    if st.st_size > limit:
        raise error([_too_big(p, st.st_size, limit)])
    try:
        # O_NONBLOCK: had the file been swapped for a FIFO since the check, opening it must not wait.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise UsageError([Problem("E015", f"is not a regular file: {p}", where, "a regular file")])
            data = f.read(limit + 1)  # one byte more than allowed tells a file that grew
    except IsADirectoryError:
        raise UsageError([Problem("E011", f"is a directory, not a file: {p}", where, "a regular file")]) from None
    except OSError as exc:
        raise error([Problem("E013", f"cannot read {p}: {exc.strerror}", where)]) from None
    if len(data) > limit:
        raise error([_too_big(p, len(data), limit)])
    return data


def _too_big(p: Path, size: int, limit: int) -> Problem:
    return Problem(
        "E016",
        f"is too large to read ({size:,} bytes; the limit is {limit:,})",
        Location(str(p)),
        f"a file of at most {limit:,} bytes, or a higher limit with --max-bytes",
    )


def number_problem(value: Any, location: Location) -> Problem | None:
    """The problem with a number no measure can hold (non-finite, or beyond :data:`MAX_NUMBER`); None if it is fine."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return Problem("E018", f"{_float_words(value)} is not a finite number: no measure can hold it", location, "a finite number")
    if abs(value) > MAX_NUMBER:
        return Problem("E017", f"{_number_words(value)} is too large for a measure", location, f"a number no larger than {MAX_NUMBER:,} in size")
    return None


def _float_words(value: float) -> str:
    return "NaN (not a number)" if math.isnan(value) else ("infinity" if value > 0 else "minus infinity")


def _number_words(value: float | str) -> str:
    """A large number as words short enough for a message: 'a 400-digit number', '1e+300'."""
    if isinstance(value, float):
        return repr(value)
    digits = str(value).lstrip("+-") if isinstance(value, str) else None
    if digits is None:
        try:
            digits = str(abs(value))
        except ValueError:  # past Python's int-to-text limit
            return "a number of thousands of digits"
    return f"a {len(digits):,}-digit number" if len(digits) > 20 else digits


#: The dates an input may hold.  Windows are reckoned from them (months, working days, bank
#: holidays), and that arithmetic must stay inside Python's calendar (years 1 to 9999):
#: centuries of room either side, and no real maternity record falls outside it.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)
DATE_RANGE = f"a date from {EARLIEST_DATE} to {LATEST_DATE}"


def date_in_range(value: dt.date) -> bool:
    """Whether ``value`` lies within :data:`EARLIEST_DATE` to :data:`LATEST_DATE`."""
    return EARLIEST_DATE <= (value.date() if isinstance(value, dt.datetime) else value) <= LATEST_DATE


def too_deep(location: Location) -> Problem:
    """The problem for a document nested more than :data:`MAX_DEPTH` levels deep."""
    return Problem("E007", f"nested too deeply (more than {MAX_DEPTH} levels)", location, f"at most {MAX_DEPTH} levels of mappings and lists")


@dataclass(slots=True)
class Document:
    """Parsed data, its source text, and where each key path sits in that text."""

    data: Any
    file: str | None
    text: str | None
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: For JSON, positions are indexed only when a problem needs one: valid files skip the scan.
    index_later: Callable[[Document], None] | None = None
    #: What a reader noticed and did not refuse (a workbook's extra columns, ignored): ``validate`` lists them.
    notes: list[str] = field(default_factory=list)
    #: Whether every number was checked as it was parsed (JSON and YAML text); a workbook, a CSV
    #: record list or data given in code is checked by :func:`number_problems` instead.
    numbers_checked: bool = field(default=False, kw_only=True)

    def locate(self, path: Path_ | list[str | int]) -> Location:
        """The location of ``path``, or of its nearest ancestor that has one."""
        if self.index_later is not None:
            index, self.index_later = self.index_later, None
            index(self)
        p = tuple(path)
        while True:
            if p in self.positions:
                line, col = self.positions[p]
                return Location(self.file, line, col, tuple(path))
            if not p:
                return Location(self.file, None, None, tuple(path))
            p = p[:-1]


def _problem(error: type[ComplianceError], code: str, message: str, loc: Location, expected: str | None = None) -> ComplianceError:
    return error([Problem(code, message, loc, expected)])


# --------------------------------------------------------------------- YAML

#: libyaml's composer when PyYAML was built with it (about 14x faster), else the pure-Python one.
#: Both are the *safe* loaders and give the same nodes and marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, *, file: str | None, error: type[ComplianceError]) -> Document:
    """Parse YAML text safely; duplicate keys and syntax errors raise ``error`` with positions."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(file, mark.line + 1 if mark else None, mark.column + 1 if mark else None)
        if "nesting depth" in str(exc.problem):  # libyaml's own limit (1000 levels)
            raise error([too_deep(loc)], source=text) from None
        raise error([Problem("E001", f"not valid YAML: {exc.problem or exc}", loc, "a YAML mapping")], source=text) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML always marks its errors
        raise error([Problem("E001", f"not valid YAML: {exc}", Location(file))], source=text) from None
    except RecursionError:
        # The pure-Python composer (PyYAML built without libyaml) recurses per level.
        raise error([too_deep(Location(file))], source=text) from None
    doc = Document(data=None, file=file, text=text, numbers_checked=True)
    problems: list[Problem] = []
    if node is None:
        doc.data = None
        return doc
    walk = _YamlWalk(doc, yaml.constructor.SafeConstructor(), problems, _yaml_budget(text))
    if any(ch in text for ch in _YAML_ONLY_BREAKS):
        walk.lines = _line_starts(text)
    try:
        doc.data = walk.value(node, ())
    except _TooLarge as big:
        raise error([big.problem], source=text) from None
    if problems:
        raise error(problems, source=text)
    return doc


def _yaml_budget(text: str) -> int:
    """The most values a YAML text's aliases may add once expanded (the values written out are not counted).

    Written out, a document holds fewer values than it has characters: a few
    aliases reused a few times add a small part of that again.  A "billion laughs"
    of a few hundred bytes is refused after some ten thousand values, in
    milliseconds, before any memory is at stake.
    """
    return len(text) // 4 + 10_000


class _TooLarge(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t for t in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "binary", "set", "omap", "pairs")
}


#: Characters YAML ends a line at but editors (and JSON) do not: lone CR, NEL, U+2028, U+2029.
_YAML_ONLY_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


class _YamlWalk:
    """Turn composed YAML nodes into plain data, recording the position of every key."""

    def __init__(self, doc: Document, ctor: yaml.constructor.SafeConstructor, problems: list[Problem], budget: int):
        self.doc = doc
        self.ctor = ctor
        self.problems = problems
        #: Values still allowed: an alias walks its anchor's nodes again, each one counted.
        self.budget = budget
        #: Line starts (``\n`` only) when the text has breaks YAML's marks count and editors do not.
        self.lines: list[int] | None = None
        #: Collections already walked once: meeting one again is an alias being expanded.
        self.walked: set[int] = set()
        #: The anchored node whose alias is being expanded (the outermost) and the alias's path, for the message.
        self.expanding: tuple[yaml.Node, Path_] | None = None

    def pos(self, mark: Any) -> tuple[int, int]:
        """A mark as 1-based (line, column), lines ending at ``\n`` only."""
        if self.lines is None:
            return mark.line + 1, mark.column + 1
        line = bisect.bisect_right(self.lines, mark.index)
        return line, mark.index - self.lines[line - 1] + 1

    def loc(self, node: yaml.Node, path: Path_) -> Location:
        return Location(self.doc.file, *self.pos(node.start_mark), path)

    def value(self, node: yaml.Node, path: Path_) -> Any:
        if self.expanding is None:
            if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
                return self.value_of(node, path)
            if id(node) not in self.walked:
                self.walked.add(id(node))
                return self.value_of(node, path)
            # Met before: an alias.  Its values count against the budget while it is expanded.
            self.expanding = (node, path)
            try:
                return self.value(node, path)
            finally:
                self.expanding = None
        self.budget -= 1
        if self.budget < 0:
            anchor, used_at = self.expanding
            line = self.pos(anchor.start_mark)[0]
            raise _TooLarge(
                Problem(
                    "E008",
                    f"too large once its YAML aliases are expanded: the anchor on line {line} is repeated by aliases (inside aliases?) too often",
                    self.loc(anchor, used_at),
                    "plain data; write repeated parts out, or use fewer aliases",
                )
            )
        return self.value_of(node, path)

    def value_of(self, node: yaml.Node, path: Path_) -> Any:
        doc, problems = self.doc, self.problems
        doc.positions[path] = self.pos(node.start_mark)
        if node.tag not in _PLAIN_TAGS:
            problems.append(Problem("E005", f"YAML tag '{node.tag}' is not allowed: schemes and evidence are plain data", self.loc(node, path)))
            return None
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and len(path) >= MAX_DEPTH:
            problems.append(too_deep(self.loc(node, path)))
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    problems.append(Problem("E002", "YAML merge keys ('<<') are not supported", self.loc(key_node, path)))
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    # Never construct a mapping or list used as a key: it may be nested without limit.
                    problems.append(Problem("E003", f"keys must be text, not {'dict' if isinstance(key_node, yaml.MappingNode) else 'list'}", self.loc(key_node, path)))
                    continue
                try:
                    key = self.ctor.construct_object(key_node, deep=True)
                except (ValueError, OverflowError, yaml.YAMLError):
                    key = key_node.value
                if not isinstance(key, (str, int)):
                    problems.append(Problem("E003", f"keys must be text, not {type(key).__name__}", self.loc(key_node, path)))
                    continue
                key = str(key)
                if key in out:
                    first = doc.positions.get((*path, key), (None, None))
                    problems.append(
                        Problem(
                            "E004",
                            f"duplicate key '{key}' (first defined on line {first[0]})",
                            self.loc(key_node, (*path, key)),
                            "each key once per mapping",
                        )
                    )
                    continue
                # Record the key's own position: messages about a key point at the key.
                doc.positions[(*path, key)] = self.pos(key_node.start_mark)
                out[key] = self.value(value_node, (*path, key))
                doc.positions[(*path, key)] = self.pos(key_node.start_mark)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.value(child, (*path, i)) for i, child in enumerate(node.value)]
        if node.tag == _INT_TAG and len(node.value) > 24:
            # Never turned into an int: past 4,300 digits Python refuses, and no measure holds it anyway.
            digits = sum(ch.isdigit() for ch in node.value)
            problems.append(Problem("E017", f"a {digits:,}-digit number is too large for a measure", self.loc(node, path), f"a number no larger than {MAX_NUMBER:,} in size"))
            return None
        try:
            value = self.ctor.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            # An impossible date such as 2021-13-01 reaches us as a plain ValueError.
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            problems.append(Problem("E006", f"'{shown}' is not a valid {node.tag.rsplit(':', 1)[-1]}: {exc}", self.loc(node, path)))
            return None
        if isinstance(value, (int, float)) and not -MAX_NUMBER <= value <= MAX_NUMBER:  # NaN compares false too
            refused = number_problem(value, self.loc(node, path))
            if refused is not None:
                problems.append(refused)
                return None
        return value


_INT_TAG = "tag:yaml.org,2002:int"


# --------------------------------------------------------------------- JSON


def parse_json(text: str, *, file: str | None, error: type[ComplianceError]) -> Document:
    """Parse JSON with the standard library (exact semantics), then index positions."""
    deep_at = _too_deep_at(text)
    if deep_at is not None:
        line, col = _line_col(text, deep_at)
        raise error([too_deep(Location(file, line, col))], source=text)
    numbers = _JsonNumbers()
    try:
        # The hooks cost next to nothing beside the duplicate-key hook (benchmarks/parse_limits.py).
        data = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_int=numbers.whole, parse_float=numbers.real, parse_constant=numbers.constant
        )
    except RecursionError:
        # Only a text crafted to pass the quick depth test gets here.
        offset = _deep_offset(text)
        where = Location(file, *_line_col(text, offset)) if offset is not None else Location(file)
        raise error([too_deep(where)], source=text) from None
    except _DuplicateKey as dup:
        doc = Document(None, file, text)
        indexer = _JsonIndexer(text, doc)
        indexer.run()
        # The indexer meets the duplicate where it is (the key's name may be used in other objects first).
        found = indexer.duplicates[0] if indexer.duplicates else None
        if found is not None:
            path, (line, col), first_line = found
            where = Location(file, line, col, path)
            message = f"duplicate key '{dup.key}' (first defined on line {first_line})"
        else:  # pragma: no cover - the indexer sees every object json.loads saw
            where = Location(file, *_line_col(text, dup.offset(text)))
            message = f"duplicate key '{dup.key}'"
        raise error([Problem("E004", message, where, "each key once per object")], source=text) from None
    except json.JSONDecodeError as exc:
        raise error([Problem("E001", f"not valid JSON: {exc.msg}", Location(file, exc.lineno, exc.colno), "a JSON object")], source=text) from None
    doc = Document(data, file, text, index_later=lambda d: _JsonIndexer(text, d).run(), numbers_checked=True)
    if numbers.refused:
        problems = [number_problem_at(doc, path, value) for path, value in _refused_numbers(data)]
        raise error(problems[:MAX_PROBLEMS], source=text, omitted=max(0, len(problems) - MAX_PROBLEMS))
    return doc


class _Refused:
    """A number from JSON text that no measure can hold, kept in its place until its path is known."""

    __slots__ = ("value",)

    def __init__(self, value: float | str):
        self.value = value


class _JsonNumbers:
    """``json.loads``'s number hooks: big and non-finite numbers become :class:`_Refused` placeholders.

    A 5,000-digit integer would otherwise raise a plain ValueError inside
    ``json.loads`` (Python's int-to-text limit), ``1e400`` would be read as
    infinity, and ``NaN`` is accepted by the standard parser as a number.
    """

    __slots__ = ("refused",)

    def __init__(self) -> None:
        self.refused = False

    def whole(self, text: str) -> int | _Refused:
        if len(text) <= 15:  # at most 15 digits: always within MAX_NUMBER
            return int(text)
        if len(text.lstrip("-")) <= 16 and abs(value := int(text)) <= MAX_NUMBER:
            return value
        self.refused = True
        return _Refused(text)

    def real(self, text: str) -> float | _Refused:
        value = float(text)
        if -MAX_NUMBER <= value <= MAX_NUMBER:
            return value
        self.refused = True
        return _Refused(text)  # as written: 1e400 is "too large", not "infinity"

    def constant(self, text: str) -> _Refused:
        self.refused = True
        return _Refused(float(text))  # NaN, Infinity, -Infinity


def _refused_numbers(data: Any) -> list[tuple[Path_, float | str]]:
    """Every refused number's path, in document order (an explicit stack: no recursion)."""
    found: list[tuple[Path_, float | str]] = []
    stack: list[tuple[Path_, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Refused):
            found.append((path, value.value))
        elif isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))
    return found


def number_problems(doc: Document, limit: int = MAX_PROBLEMS) -> list[Problem]:
    """Every number in ``doc.data`` no measure can hold (non-finite, beyond :data:`MAX_NUMBER`), located.

    For documents whose numbers were not checked as they were parsed: a workbook
    cell can hold 1e300, a CSV field 400 digits, data given in code NaN.
    """
    found: list[Problem] = []
    stack: list[tuple[Path_, Any]] = [((), doc.data)]
    while stack and len(found) < limit:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in reversed(list(value.items())))
        elif isinstance(value, (list, tuple)):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and not -MAX_NUMBER <= value <= MAX_NUMBER:
            problem = number_problem(value, doc.locate(path))
            if problem is not None:
                found.append(problem)
    return found


def number_problem_at(doc: Document, path: Path_, value: float | str) -> Problem:
    """The problem for a refused number (as read: a float, or an integer's digits) at ``path``."""
    where = doc.locate(path)
    if isinstance(value, str):
        shown = _number_words(value) if value.lstrip("+-").isdigit() else (value if len(value) <= 24 else value[:21] + "...")
        return Problem("E017", f"{shown} is too large for a measure", where, f"a number no larger than {MAX_NUMBER:,} in size")
    problem = number_problem(value, where)
    assert problem is not None
    return problem


#: A JSON string (skipped whole: brackets inside it do not count) or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[][{}]')
#: Every byte but the four brackets (UTF-8 never uses ASCII bytes inside a longer character).
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_AS_PARENS = bytes.maketrans(b"[{]}", b"(())")


def _too_deep_at(text: str) -> int | None:
    """The offset of the first bracket that opens a level beyond :data:`MAX_DEPTH`, if any.

    Checked before ``json.loads``: the standard parser (and the position index
    after it) recurse once per level.  The quick test, all in C, keeps only the
    brackets and strips innermost pairs, one level per pass: a text that empties
    within :data:`MAX_DEPTH` passes is shallow enough.  Brackets inside strings
    are counted too, so only a text that fails it (deep, or with an unpaired
    bracket in a string) is scanned token by token.  A crafted string could
    fool the quick test; ``json.loads`` then meets the depth as a RecursionError,
    which :func:`parse_json` reports in the same words.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    brackets = text.encode("utf-8", "surrogatepass").translate(_AS_PARENS, _NOT_BRACKET)
    for _ in range(MAX_DEPTH):
        if not brackets:
            return None
        fewer = brackets.replace(b"()", b"")
        if fewer == brackets:
            break  # an unpaired bracket: in a string, or not valid JSON (json.loads says where)
        brackets = fewer
    if not brackets:
        return None
    return _deep_offset(text)


def _deep_offset(text: str) -> int | None:
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        ch = text[m.start()]
        if ch == "[" or ch == "{":
            depth += 1
            if depth > MAX_DEPTH:
                return m.start()
        elif ch == "]" or ch == "}":
            depth -= 1
    return None


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key

    def offset(self, text: str) -> int:
        first = text.find(json.dumps(self.key))
        second = text.find(json.dumps(self.key), first + 1)
        return second if second >= 0 else max(first, 0)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _line_starts(text: str) -> list[int]:
    """The offset at which each line starts (lines end at ``\n`` only)."""
    return [0, *(m.end() for m in re.finditer("\n", text))]


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


class _JsonIndexer:
    """A small scanner over already-valid JSON that records where each path starts."""

    _WS = " \t\r\n"

    def __init__(self, text: str, doc: Document):
        self.text = text
        self.doc = doc
        self.i = 0
        # Offsets are turned into line/column lazily from a table of line starts.
        self.line_starts = _line_starts(text)
        #: Each duplicate key met: its path, its (line, column) and the line of its first use.
        self.duplicates: list[tuple[Path_, tuple[int, int], int]] = []

    def run(self) -> None:
        try:
            self._ws()
            self._value(())
        except (IndexError, ValueError):  # pragma: no cover - json.loads accepted it already
            pass

    def _pos(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def _ws(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in self._WS:
            self.i += 1

    def _value(self, path: Path_) -> None:
        self.doc.positions.setdefault(path, self._pos(self.i))
        ch = self.text[self.i]
        if ch == "{":
            self.i += 1
            self._ws()
            if self.text[self.i] == "}":
                self.i += 1
                return
            seen: dict[str, int] = {}
            while True:
                self._ws()
                key_at = self.i
                key = self._string()
                if key in seen:
                    self.duplicates.append(((*path, key), self._pos(key_at), seen[key]))
                else:
                    seen[key] = self._pos(key_at)[0]
                self.doc.positions[(*path, key)] = self._pos(key_at)
                self._ws()
                self.i += 1  # ':'
                self._ws()
                self._value((*path, key))
                self.doc.positions[(*path, key)] = self._pos(key_at)
                self._ws()
                if self.text[self.i] == ",":
                    self.i += 1
                    continue
                self.i += 1  # '}'
                return
        if ch == "[":
            self.i += 1
            self._ws()
            if self.text[self.i] == "]":
                self.i += 1
                return
            n = 0
            while True:
                self._ws()
                self._value((*path, n))
                n += 1
                self._ws()
                if self.text[self.i] == ",":
                    self.i += 1
                    continue
                self.i += 1  # ']'
                return
        if ch == '"':
            self._string()
            return
        while self.i < len(self.text) and self.text[self.i] not in ",}] \t\r\n":
            self.i += 1

    def _string(self) -> str:
        # One regular-expression match (in C), not a loop per character: a string may be megabytes long.
        m = _JSON_STRING.match(self.text, self.i)
        if m is None:  # pragma: no cover - json.loads accepted it already
            raise ValueError(self.i)
        self.i = m.end()
        key: str = json.loads(m.group())
        return key


# --------------------------------------------------------------------- validation


def validate_document(
    doc: Document,
    model: type[M],
    error: type[ComplianceError],
    shape_problem: Callable[[Mapping[str, Any], Document], Problem],
    not_a_mapping: tuple[str, str, str],
) -> tuple[M, ProblemCollector]:
    """Validate ``doc`` against ``model``; every pydantic error becomes a located problem.

    ``not_a_mapping`` is (code, message, expected) for a document that is not
    a mapping at all.  Returns the instance and the collector, so the caller's
    later stages can add their own problems to the same report.  Nothing here
    asks for a position unless there is a problem: for JSON that would index
    the whole file.
    """
    problems = ProblemCollector(error, file=doc.file, source=doc.text)
    if not isinstance(doc.data, Mapping):
        code, message, expected = not_a_mapping
        problems.add(Problem(code, message, doc.locate(()), expected))
        problems.raise_if_any()
    try:
        return model.model_validate(doc.data), problems
    except RecursionError:  # pragma: no cover - the parsers refuse deep nesting first
        problems.add(too_deep(doc.locate(())))
        problems.raise_if_any()
        raise
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            problems.add(shape_problem(err, doc))
        problems.raise_if_any()
        raise  # pragma: no cover - raise_if_any always raises here


# --------------------------------------------------------------------- files


def load_document(
    path: str | Path, *, error: type[ComplianceError], readers: Mapping[str, Callable[[Path], Document]] | None = None
) -> Document:
    """Read a ``.json``, ``.yaml`` or ``.yml`` file into a :class:`Document`.

    ``readers`` adds file types that are not YAML or JSON text (an evidence
    workbook): suffix -> the function that reads such a file, consulted first.
    """
    p = Path(path)
    reader = (readers or {}).get(p.suffix.lower())
    if reader is not None:
        return reader(p)
    raw = read_input(p, error=error)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error([Problem("E012", f"not UTF-8 text ({exc.reason} at byte {exc.start})", Location(str(p)))]) from None
    # As read_text did: universal newlines (a CRLF file's lines end at \n; a lone CR is a line end too).
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    suffix = p.suffix.lower()
    if suffix == ".json":
        return parse_json(text, file=str(p), error=error)
    if suffix in (".yaml", ".yml"):
        return parse_yaml(text, file=str(p), error=error)
    known = [".json", ".yaml", ".yml", *sorted(readers or ())]
    raise error(
        [Problem("E014", f"unknown file type '{suffix or '(none)'}' for {p.name}", Location(str(p)), f"{', '.join(known[:-1])} or {known[-1]}")]
    )
