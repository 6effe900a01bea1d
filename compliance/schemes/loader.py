"""Loading schemes: the bundled ones by id, or any YAML file by path.

Stages: ``parse`` (safe YAML, duplicate keys rejected, positions kept) ->
``shape`` (pydantic model; every error with file:line:column and a "did you
mean" for unknown keys) -> ``check`` (the named stages of
:mod:`compliance.schemes.checker`).  Every problem of a stage is reported at
once.

A scheme that passed every stage is kept in a disk cache keyed by its bytes and
by the package's code (:mod:`compliance.schemes.cache`), so the next process
skips all three stages for it.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import typing
from collections.abc import Mapping
import importlib.util
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..errors import InputError, Problem, SchemeError, did_you_mean
from ..evidence.types import type_at, unwrap
from ..source import Document, load_document, parse_yaml, read_input, validate_document
from . import cache, checker
from .checker import CheckedScheme
from .model import Scheme, _node_kind

__all__ = [
    "load_scheme",
    "builtin_schemes",
    "builtin_path",
    "builtin_families",
    "builtin_family",
    "checked",
    "scheme_from_document",
    "scheme_from_text",
]

_BUILTIN_CACHE: dict[str, CheckedScheme] = {}
_FAMILIES: dict[str, dict[str, tuple[CheckedScheme, ...]]] = {}
_LOCK = threading.Lock()


def _bundled_dir() -> Path:
    """Where the bundled YAML lives: inside the installed package, or ``schemes/`` in a checkout."""
    # The package's folder from its spec: importlib.resources would name the same folder but
    # costs a few milliseconds of imports at every start.
    try:
        spec = importlib.util.find_spec("compliance.bundled")
    except ModuleNotFoundError:
        spec = None
    for location in (spec.submodule_search_locations or ()) if spec is not None else ():
        path = Path(location)
        if any(path.glob("*.yaml")):
            return path
    return Path(__file__).resolve().parents[2] / "schemes"


@functools.lru_cache(maxsize=1)
def _builtin_index() -> dict[str, Path]:
    index: dict[str, Path] = {}
    for path in sorted(_bundled_dir().glob("*.yaml")):
        # The id is the file's first 'id:' line; reading only up to it keeps listing cheap.
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.startswith("id:"):
                    index[line.rstrip("\r\n").split(":", 1)[1].strip().strip("'\"")] = path
                    break
    return index


def builtin_schemes() -> tuple[str, ...]:
    """The ids of the schemes bundled with the package, sorted."""
    return tuple(sorted(_builtin_index()))


def builtin_path(scheme_id: str) -> Path:
    index = _builtin_index()
    if scheme_id not in index:
        raise SchemeError(
            [Problem("S001", f"no bundled scheme '{scheme_id}'", expected="one of " + ", ".join(sorted(index)), suggestion=did_you_mean(scheme_id, index))]
        )
    return index[scheme_id]


def builtin_families() -> dict[str, tuple[CheckedScheme, ...]]:
    """Each family of versioned bundled schemes, its versions oldest window first.

    Loads every bundled scheme (each from the disk cache after the first run)
    and checks what needs several schemes at once: a family's version keys are
    unique, its windows do not overlap, and ``succeeds`` / ``evidence_from``
    name an earlier version of the same family.
    """
    with _LOCK:
        cached = _FAMILIES.get("all")
    if cached is not None:
        return cached
    families: dict[str, list[CheckedScheme]] = {}
    for sid in builtin_schemes():
        scheme = load_scheme(sid)
        if scheme.versioning is not None:
            families.setdefault(scheme.versioning.family, []).append(scheme)
    out: dict[str, tuple[CheckedScheme, ...]] = {}
    problems: list[Problem] = []
    for family, members in sorted(families.items()):
        members.sort(key=lambda s: s.window.start if s.window else dt.date.min)
        ids = {m.id: m for m in members}
        keys: dict[str, str] = {}
        for i, m in enumerate(members):
            v = m.versioning
            assert v is not None
            if v.key in keys:
                problems.append(Problem("S294", f"'{m.id}' and '{keys[v.key]}' are both version '{v.key}' of family '{family}'"))
            keys[v.key] = m.id
            w, nxt = m.window, members[i + 1].window if i + 1 < len(members) else None
            if w is not None and nxt is not None and (w.end is None or w.end >= nxt.start):
                problems.append(Problem("S295", f"the reporting windows of '{m.id}' and '{members[i + 1].id}' overlap", expected="each window ending before the next starts"))
            for key in ("succeeds", "evidence_from"):
                ref = getattr(v, key)
                if ref is not None and (ref not in ids or members.index(ids[ref]) >= i):
                    problems.append(Problem("S296", f"'{m.id}' {key} '{ref}', which is not an earlier version of family '{family}'"))
        out[family] = tuple(members)
    if problems:
        raise SchemeError(problems)
    with _LOCK:
        _FAMILIES["all"] = out
    return out


def builtin_family(name: str) -> tuple[CheckedScheme, ...] | None:
    """The bundled versions of family ``name`` (``mis``), oldest first; None if no family has that name."""
    return builtin_families().get(name)


def load_scheme(source: str | Path | Scheme) -> CheckedScheme:
    """Load a scheme by bundled id (``mis-y3``), by path, or check a :class:`Scheme` made in code."""
    if isinstance(source, Scheme):
        return checked(source)
    text = str(source)
    is_path = isinstance(source, Path) or text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text
    if not is_path:
        with _LOCK:
            cached = _BUILTIN_CACHE.get(text)
        if cached is not None:
            return cached
        scheme = _load_file(builtin_path(text))
        with _LOCK:
            _BUILTIN_CACHE[text] = scheme
        return scheme
    return _load_file(Path(source))


def _load_file(path: Path) -> CheckedScheme:
    known = builtin_schemes()
    try:
        raw = read_input(path, error=SchemeError)  # a regular file within the size limit: a FIFO would block
    except InputError:
        raw = None  # load_document says what is wrong with the file
    if raw is not None:
        hit = cache.fetch(raw, known)
        if hit is not None:
            return hit
    scheme = scheme_from_document(load_document(path, error=SchemeError))
    if raw is not None:
        cache.store(raw, known, scheme)
    return scheme


def scheme_from_text(text: str, file: str | None = None) -> CheckedScheme:
    """Load a scheme from YAML text (used by tests and tools)."""
    return scheme_from_document(parse_yaml(text, file=file, error=SchemeError))


def scheme_from_document(doc: Document) -> CheckedScheme:
    top = ("S100", "a scheme must be a mapping at the top level", "keys id, title, version, publisher, sources, outcome, sections")
    scheme, problems = validate_document(doc, Scheme, SchemeError, _shape_problem, top)
    result, found = checker.check(scheme, doc, known_schemes=builtin_schemes())
    for p in found:
        problems.add(p)
    problems.raise_if_any()
    assert result is not None  # no problems: checked
    return result


def checked(scheme: Scheme) -> CheckedScheme:
    """``scheme`` as a :class:`CheckedScheme`: itself if it already is one, else checked now (SchemeError if it fails)."""
    if isinstance(scheme, CheckedScheme) and scheme._leaves is not None:
        return scheme
    result, found = checker.check(scheme, None, known_schemes=builtin_schemes())
    if result is None:
        raise SchemeError(found)
    return result


# ------------------------------------------------------------ pydantic -> problems


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[tuple[str | int, ...], Any]:
    """Map a pydantic error location onto the document: drop union tags and type names."""
    out: list[str | int] = []
    cur = data
    for i, part in enumerate(loc):
        # A rule node's union tag ('all', 'measure'...) comes before the field of the same name.
        if isinstance(cur, Mapping) and part == _node_kind(dict(cur)) and i + 1 < len(loc) and loc[i + 1] in cur:
            continue
        if isinstance(cur, Mapping) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
        elif part == "not_" and isinstance(cur, Mapping) and "not" in cur:
            out.append("not")
            cur = cur["not"]
        elif isinstance(cur, Mapping) and isinstance(part, str) and (part == _node_kind(dict(cur)) or part[:1].isupper() or part in ("bool", "int", "float", "date", "str", "function-after", "literal['all']")):
            continue  # a union tag or member name, not a key
        else:
            out.append(part)
            cur = None
    return tuple(out), cur


def _model_at(data: Any, path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model that the mapping at ``path`` is validated as, following the data through unions."""
    tp = type_at(Scheme, path, data, _resolve_union)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _resolve_union(tp: Any, value: Any) -> Any:
    from .model import AllNode, AnyNode, AtLeastNode, Leaf, NotNode, Rollup

    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union,) or (args and any(typing.get_origin(a) is typing.Annotated for a in args)):
        kind = _node_kind(value) if isinstance(value, Mapping) else None
        if kind:
            return {"measure": Leaf, "all": AllNode, "any": AnyNode, "at_least": AtLeastNode, "not": NotNode}[kind]
        members = [unwrap(a) for a in args]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if Rollup in models:
            return Rollup
        if len(models) == 1:
            return models[0]
    return tp


def _shape_problem(err: Mapping[str, Any], doc: Document) -> Problem:
    path, node = _data_path(doc.data, tuple(err["loc"]))
    location = doc.locate(path)
    kind = err["type"]
    if kind == "extra_forbidden":
        model = _model_at(doc.data, path[:-1])
        allowed = [f.alias or n for n, f in model.model_fields.items()] if model else []
        key = str(path[-1])
        return Problem("S110", f"unknown key '{key}'", location, ("one of: " + ", ".join(allowed)) if allowed else None, did_you_mean(key, allowed))
    if kind == "missing":
        return Problem("S111", f"missing required key '{path[-1]}'", doc.locate(path[:-1]), f"'{path[-1]}'")
    if kind == "rule_node":
        return Problem("S112", "not a rule node", location, "a mapping with one of: measure, all, any, at_least, not", did_you_mean(_first_key(node), ["measure", "all", "any", "at_least", "not"]) if isinstance(node, Mapping) else None)
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        return Problem("S113", f"{err['msg']} (got {err.get('input')!r})", location, expected, did_you_mean(str(err.get("input")), options))
    hint = None
    if isinstance(err.get("input"), bool) and kind == "string_type":
        hint = "text; YAML reads yes/no/on/off as true/false, so quote it"
    return Problem("S114", f"{err['msg']} (got {str(err.get('input'))[:40]!r})", location, hint)


def _first_key(value: Mapping[str, Any]) -> str:
    return next(iter(value), "")
