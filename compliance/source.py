"""Reading YAML and JSON documents while remembering where every value came from.

Both loaders return a :class:`Document`: the plain data plus a map from each
key path to its 1-based line and column, so any later stage (pydantic
validation, scheme checks, evidence checks) can point at the exact spot.

YAML is read with the *safe* composer only (no tags that build objects) and
duplicate keys are an error rather than silently last-one-wins.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ComplianceError, Location, Problem, ProblemCollector

M = TypeVar("M", bound=BaseModel)

__all__ = ["Document", "load_document", "parse_yaml", "parse_json", "validate_document"]

Path_ = tuple[str | int, ...]


@dataclass(slots=True)
class Document:
    """Parsed data, its source text, and where each key path sits in that text."""

    data: Any
    file: str | None
    text: str | None
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: For JSON, positions are indexed only when a problem needs one: valid files skip the scan.
    index_later: Callable[[Document], None] | None = None

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
        raise error([Problem("E001", f"not valid YAML: {exc.problem or exc}", loc, "a YAML mapping")], source=text) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML always marks its errors
        raise error([Problem("E001", f"not valid YAML: {exc}", Location(file))], source=text) from None
    doc = Document(data=None, file=file, text=text)
    problems: list[Problem] = []
    if node is None:
        doc.data = None
        return doc
    constructor = yaml.constructor.SafeConstructor()
    doc.data = _yaml_value(node, (), doc, constructor, problems)
    if problems:
        raise error(problems, source=text)
    return doc


_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t for t in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "binary", "set", "omap", "pairs")
}


def _yaml_value(node: yaml.Node, path: Path_, doc: Document, ctor: yaml.constructor.SafeConstructor, problems: list[Problem]) -> Any:
    doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if node.tag not in _PLAIN_TAGS:
        problems.append(Problem("E005", f"YAML tag '{node.tag}' is not allowed: schemes and evidence are plain data", _loc(doc, node, path)))
        return None
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(Problem("E002", "YAML merge keys ('<<') are not supported", _loc(doc, key_node, path)))
                continue
            try:
                key = ctor.construct_object(key_node, deep=True)
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
            out[key] = _yaml_value(value_node, (*path, key), doc, ctor, problems)
            doc.positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_value(child, (*path, i), doc, ctor, problems) for i, child in enumerate(node.value)]
    try:
        return ctor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:
        # An impossible date such as 2021-13-01 reaches us as a plain ValueError.
        problems.append(Problem("E006", f"'{node.value}' is not a valid {node.tag.rsplit(':', 1)[-1]}: {exc}", _loc(doc, node, path)))
        return None


def _loc(doc: Document, node: yaml.Node, path: Path_) -> Location:
    return Location(doc.file, node.start_mark.line + 1, node.start_mark.column + 1, path)


# --------------------------------------------------------------------- JSON


def parse_json(text: str, *, file: str | None, error: type[ComplianceError]) -> Document:
    """Parse JSON with the standard library (exact semantics), then index positions."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as dup:
        doc = Document(None, file, text)
        _JsonIndexer(text, doc).run()
        line, col = _line_col(text, dup.offset(text))
        raise error([Problem("E004", f"duplicate key '{dup.key}'", Location(file, line, col), "each key once per object")], source=text) from None
    except json.JSONDecodeError as exc:
        raise error([Problem("E001", f"not valid JSON: {exc.msg}", Location(file, exc.lineno, exc.colno), "a JSON object")], source=text) from None
    return Document(data, file, text, index_later=lambda d: _JsonIndexer(text, d).run())


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
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            problems.add(shape_problem(err, doc))
        problems.raise_if_any()
        raise  # pragma: no cover - raise_if_any always raises here


# --------------------------------------------------------------------- files


def load_document(path: str | Path, *, error: type[ComplianceError]) -> Document:
    """Read a ``.json``, ``.yaml`` or ``.yml`` file into a :class:`Document`."""
    p = Path(path)
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
    raise error(
        [Problem("E014", f"unknown file type '{suffix or '(none)'}' for {p.name}", Location(str(p)), ".json, .yaml or .yml")]
    )
