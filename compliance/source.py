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
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ComplianceError, Location, Problem, ProblemCollector

M = TypeVar("M", bound=BaseModel)

__all__ = ["Document", "load_document", "parse_yaml", "parse_json", "validate_document", "MAX_DEPTH", "too_deep"]

Path_ = tuple[str | int, ...]

#: The deepest nesting of mappings and lists a scheme or evidence file may have.  Evidence
#: is under 10 levels deep and the bundled schemes under 20: 64 is generous, and far from
#: the depth at which recursive code would exhaust Python's stack.
MAX_DEPTH = 64


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
    doc = Document(data=None, file=file, text=text)
    problems: list[Problem] = []
    if node is None:
        doc.data = None
        return doc
    walk = _YamlWalk(doc, yaml.constructor.SafeConstructor(), problems, _yaml_budget(text))
    try:
        doc.data = walk.value(node, ())
    except _TooLarge as big:
        raise error([big.problem], source=text) from None
    if problems:
        raise error(problems, source=text)
    return doc


def _yaml_budget(text: str) -> int:
    """The most values a YAML text may stand for once its aliases are expanded.

    Without aliases a document holds fewer values than it has characters; a few
    aliases reused a few times stay well inside ten times that.
    """
    return 10 * len(text) + 10_000


class _TooLarge(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t for t in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "binary", "set", "omap", "pairs")
}


class _YamlWalk:
    """Turn composed YAML nodes into plain data, recording the position of every key."""

    def __init__(self, doc: Document, ctor: yaml.constructor.SafeConstructor, problems: list[Problem], budget: int):
        self.doc = doc
        self.ctor = ctor
        self.problems = problems
        #: Values still allowed: an alias walks its anchor's nodes again, each one counted.
        self.budget = budget

    def value(self, node: yaml.Node, path: Path_) -> Any:
        doc, problems = self.doc, self.problems
        self.budget -= 1
        if self.budget < 0:
            raise _TooLarge(
                Problem(
                    "E008",
                    "too large once its YAML aliases are expanded (aliases reused inside aliases?)",
                    _loc(doc, node, path),
                    "plain data; write repeated parts out, or use fewer aliases",
                )
            )
        doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if node.tag not in _PLAIN_TAGS:
            problems.append(Problem("E005", f"YAML tag '{node.tag}' is not allowed: schemes and evidence are plain data", _loc(doc, node, path)))
            return None
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and len(path) >= MAX_DEPTH:
            problems.append(too_deep(_loc(doc, node, path)))
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    problems.append(Problem("E002", "YAML merge keys ('<<') are not supported", _loc(doc, key_node, path)))
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    # Never construct a mapping or list used as a key: it may be nested without limit.
                    problems.append(Problem("E003", f"keys must be text, not {'dict' if isinstance(key_node, yaml.MappingNode) else 'list'}", _loc(doc, key_node, path)))
                    continue
                try:
                    key = self.ctor.construct_object(key_node, deep=True)
                except (ValueError, OverflowError, yaml.YAMLError):
                    key = key_node.value
                if not isinstance(key, (str, int)):
                    problems.append(Problem("E003", f"keys must be text, not {type(key).__name__}", _loc(doc, key_node, path)))
                    continue
                key = str(key)
                if key in out:
                    first = doc.positions.get((*path, key), (None, None))
                    problems.append(
                        Problem(
                            "E004",
                            f"duplicate key '{key}' (first defined on line {first[0]})",
                            _loc(doc, key_node, (*path, key)),
                            "each key once per mapping",
                        )
                    )
                    continue
                # Record the key's own position: messages about a key point at the key.
                doc.positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = self.value(value_node, (*path, key))
                doc.positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.value(child, (*path, i)) for i, child in enumerate(node.value)]
        try:
            return self.ctor.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            # An impossible date such as 2021-13-01 reaches us as a plain ValueError.
            problems.append(Problem("E006", f"'{node.value}' is not a valid {node.tag.rsplit(':', 1)[-1]}: {exc}", _loc(doc, node, path)))
            return None


def _loc(doc: Document, node: yaml.Node, path: Path_) -> Location:
    return Location(doc.file, node.start_mark.line + 1, node.start_mark.column + 1, path)


# --------------------------------------------------------------------- JSON


def parse_json(text: str, *, file: str | None, error: type[ComplianceError]) -> Document:
    """Parse JSON with the standard library (exact semantics), then index positions."""
    deep_at = _too_deep_at(text)
    if deep_at is not None:
        line, col = _line_col(text, deep_at)
        raise error([too_deep(Location(file, line, col))], source=text)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except RecursionError:
        # Only a text crafted to pass the quick depth test gets here.
        offset = _deep_offset(text)
        where = Location(file, *_line_col(text, offset)) if offset is not None else Location(file)
        raise error([too_deep(where)], source=text) from None
    except _DuplicateKey as dup:
        doc = Document(None, file, text)
        _JsonIndexer(text, doc).run()
        line, col = _line_col(text, dup.offset(text))
        raise error([Problem("E004", f"duplicate key '{dup.key}'", Location(file, line, col), "each key once per object")], source=text) from None
    except json.JSONDecodeError as exc:
        raise error([Problem("E001", f"not valid JSON: {exc.msg}", Location(file, exc.lineno, exc.colno), "a JSON object")], source=text) from None
    return Document(data, file, text, index_later=lambda d: _JsonIndexer(text, d).run())


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


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


class _JsonIndexer:
    """A small scanner over already-valid JSON that records where each path starts."""

    _WS = " \t\r\n"

    def __init__(self, text: str, doc: Document):
        self.text = text
        self.doc = doc
        self.i = 0
        # Offsets are turned into line/column lazily from a table of line starts.
        self.line_starts = [0]
        for n, ch in enumerate(text):
            if ch == "\n":
                self.line_starts.append(n + 1)

    def run(self) -> None:
        try:
            self._ws()
            self._value(())
        except (IndexError, ValueError):  # pragma: no cover - json.loads accepted it already
            pass

    def _pos(self, offset: int) -> tuple[int, int]:
        import bisect

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
            while True:
                self._ws()
                key_at = self.i
                key = self._string()
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
        start = self.i
        self.i += 1
        while True:
            ch = self.text[self.i]
            if ch == "\\":
                self.i += 2
                continue
            self.i += 1
            if ch == '"':
                break
        key: str = json.loads(self.text[start : self.i])
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
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error([Problem("E010", f"no such file: {p}", Location(str(p)))]) from None
    except IsADirectoryError:
        raise error([Problem("E011", f"is a directory, not a file: {p}", Location(str(p)))]) from None
    except UnicodeDecodeError as exc:
        raise error([Problem("E012", f"not UTF-8 text ({exc.reason} at byte {exc.start})", Location(str(p)))]) from None
    except OSError as exc:
        raise error([Problem("E013", f"cannot read {p}: {exc.strerror}", Location(str(p)))]) from None
    suffix = p.suffix.lower()
    if suffix == ".json":
        return parse_json(text, file=str(p), error=error)
    if suffix in (".yaml", ".yml"):
        return parse_yaml(text, file=str(p), error=error)
    known = [".json", ".yaml", ".yml", *sorted(readers or ())]
    raise error(
        [Problem("E014", f"unknown file type '{suffix or '(none)'}' for {p.name}", Location(str(p)), f"{', '.join(known[:-1])} or {known[-1]}")]
    )
