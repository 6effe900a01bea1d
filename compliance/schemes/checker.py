"""Checking a scheme before it is compiled: an ordered list of named stages.

Each stage looks at the whole scheme and reports every problem it finds with
the position in the YAML (when the scheme came from a file) and a "did you
mean" where one can be made.  Types are checked here, when the rule is
parsed, not when it is used: a boolean measure compared with ``>=``, a
threshold parameter of the wrong type, an evidence path that names nothing,
a record field that is not a date -- all fail at load time.

A scheme that passes every stage comes out as a :class:`CheckedScheme`: the
scheme itself, with what the checks found -- each rule leaf with its
evaluator resolved, its measure parameters parsed and the parameters it
reads.  The compiler, the assessment, ``schemes show``, ``explain`` and the
template all take one.
"""

from __future__ import annotations

import datetime as dt
import math
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, PrivateAttr, ValidationError

from ..errors import Problem, did_you_mean
from ..evaluators import REGISTRY, Evaluator
from ..evidence.model import Evidence
from ..evidence.types import describe_type, type_at, unwrap
from ..source import Document
from .model import (
    NODE_KEYS,
    AtLeastNode,
    Leaf,
    ParamRef,
    Requirement,
    RuleNode,
    Scheme,
    walk,
)
from .parameters import format_number as _fmt
from .parameters import is_whole as _is_whole

__all__ = ["LeafSpec", "CheckedScheme", "STAGES", "check", "iter_leaves", "MAX_COMBINATIONS"]

#: ``at_least N of K`` compiles to one alternative per N-combination; past this it is refused.
MAX_COMBINATIONS = 64

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class LeafSpec:
    """A rule leaf with its evaluator resolved, its measure parameters parsed and the parameters it reads."""

    path: Path_
    leaf: Leaf
    evaluator: Evaluator
    params: Any
    #: Every parameter the leaf reads -- in its measure, as its threshold, in counted_with -- in that order, once each.
    param_ids: tuple[str, ...] = ()

    @property
    def requirement_index(self) -> tuple[int, int]:
        """(section index, requirement index) of the requirement the leaf belongs to."""
        return int(self.path[1]), int(self.path[3])


class CheckedScheme(Scheme):
    """A scheme that passed every checking stage, with its checked leaves.

    It *is* the scheme (every field, every method), so code that reads a
    scheme reads this; what the checks found rides along instead of in a side
    cache.  Made only by :func:`check` (through the loader); pickled with its
    leaves, so the disk cache keeps them (the compiled runner that
    ``rules.runner`` attaches on first use is never pickled).
    """

    _leaves: tuple[LeafSpec, ...] | None = PrivateAttr(default=None)
    #: The compiled rulesets, attached by rules.runner (process state: never pickled).
    _runner: Any = PrivateAttr(default=None)

    @classmethod
    def of(cls, scheme: Scheme, leaves: typing.Iterable[LeafSpec]) -> CheckedScheme:
        """``scheme`` as checked, with its leaves (no validation: the scheme already passed it)."""
        out = cls.model_construct(_fields_set=scheme.model_fields_set, **{name: getattr(scheme, name) for name in Scheme.model_fields})
        out._leaves = tuple(leaves)
        return out

    @property
    def leaves(self) -> tuple[LeafSpec, ...]:
        """Every rule leaf of the scheme, in document order."""
        assert self._leaves is not None, "a CheckedScheme is made by check()"
        return self._leaves

    def leaves_of(self, requirement: Requirement) -> tuple[LeafSpec, ...]:
        """The leaves of one requirement's rule, in rule order (requirement ids are unique in a checked scheme)."""
        return tuple(spec for spec in self.leaves if self.requirement_at(spec).id == requirement.id)

    def requirement_at(self, spec: LeafSpec) -> Requirement:
        si, ri = spec.requirement_index
        return self.sections[si].requirements[ri]

    def param_ids(self, requirement: Requirement) -> list[str]:
        """Parameters a requirement's rule reads, in first-use order."""
        return list(dict.fromkeys(p for spec in self.leaves_of(requirement) for p in spec.param_ids))

    def __getstate__(self) -> dict[Any, Any]:
        state: dict[Any, Any] = super().__getstate__()
        private = dict(state.get("__pydantic_private__") or {})
        private["_runner"] = None  # rulesets live in this process's rules engine
        state["__pydantic_private__"] = private
        return state


def iter_leaves(node: RuleNode, path: Path_) -> Iterator[tuple[Path_, Leaf]]:
    """Every leaf of a rule tree, depth first, with its path in the scheme document."""
    for here, current in walk(node, path):
        if isinstance(current, Leaf):
            yield here, current


class _Stage:
    """State shared by the stages of one check."""

    def __init__(self, scheme: Scheme, doc: Document | None, known_schemes: typing.Collection[str]):
        self.scheme = scheme
        self.doc = doc
        self.known_schemes = known_schemes
        self.problems: list[Problem] = []
        self.leaves: list[LeafSpec] = []

    def loc(self, path: Path_) -> Any:
        from ..errors import Location

        if self.doc is None:
            return Location(None, None, None, path)
        return self.doc.locate(path)

    def add(self, code: str, message: str, path: Path_, expected: str | None = None, suggestion: str | None = None) -> None:
        self.problems.append(Problem(code, message, self.loc(path), expected, suggestion))


def _requirement_paths(scheme: Scheme) -> Iterator[tuple[Path_, Any]]:
    for si, section in enumerate(scheme.sections):
        for ri, req in enumerate(section.requirements):
            yield ("sections", si, "requirements", ri), req


def stage_unique_ids(st: _Stage) -> None:
    seen: dict[str, Path_] = {}
    for si, section in enumerate(st.scheme.sections):
        for path, ident in [(("sections", si, "id"), section.id)] + [
            (("sections", si, "requirements", ri, "id"), r.id) for ri, r in enumerate(section.requirements)
        ]:
            if ident in seen:
                st.add("S201", f"id '{ident}' is used twice", path, "ids unique within the scheme")
            seen[ident] = path
    for i, item in enumerate(st.scheme.not_encoded):
        if item.id in seen:
            st.add("S202", f"'{item.id}' is listed as not encoded but is encoded", ("not_encoded", i, "id"))


def stage_measures(st: _Stage) -> None:
    kinds = sorted(REGISTRY)
    for base, req in _requirement_paths(st.scheme):
        for path, leaf in iter_leaves(req.rule, (*base, "rule")):
            raw = dict(leaf.measure)
            kind = raw.pop("kind", None)
            mpath = (*path, "measure")
            if kind is None:
                st.add("S210", "measure has no 'kind'", mpath, "kind: one of " + ", ".join(kinds))
                continue
            if kind not in REGISTRY:
                st.add("S211", f"unknown measure kind '{kind}'", (*mpath, "kind"), "one of " + ", ".join(kinds), did_you_mean(str(kind), kinds))
                continue
            evaluator = REGISTRY[kind]
            try:
                params = evaluator.Params.model_validate(raw)
            except ValidationError as exc:
                allowed = [f.alias or name for name, f in evaluator.Params.model_fields.items()]
                for err in exc.errors(include_url=False):
                    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("float", "ParamRef", "date", "bool", "int", "str")))
                    if err["type"] == "extra_forbidden":
                        key = str(loc[-1])
                        sub = _params_model_at(evaluator.Params, loc[:-1])
                        choices = [f.alias or n for n, f in sub.model_fields.items()] if sub else allowed
                        st.add("S212", f"unknown key '{key}' for measure kind '{kind}'", (*mpath, *loc), "one of " + ", ".join(choices), did_you_mean(key, choices))
                    elif err["type"] == "missing":
                        st.add("S213", f"measure kind '{kind}' needs '{loc[-1]}'", (*mpath, *loc[:-1]), f"{loc[-1]}: see `compliance explain` or the kind's example")
                    else:
                        st.add("S214", f"{err['msg']} (got {err.get('input')!r})", (*mpath, *loc))
                continue
            # In the order the author wrote them (the measure's keys), then the threshold, then counted_with.
            refs = list(_written_refs(leaf.measure))
            if isinstance(leaf.threshold, str):
                refs.append(leaf.threshold)
            refs.extend(leaf.counted_with)
            st.leaves.append(LeafSpec(path, leaf, evaluator, params, tuple(dict.fromkeys(refs))))


def _written_refs(value: Any) -> Iterator[str]:
    """The ``{param: ID}`` references in a measure as written, in document order."""
    if isinstance(value, dict):
        if set(value) == {"param"} and isinstance(value["param"], str):
            yield value["param"]
        else:
            for v in value.values():
                yield from _written_refs(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _written_refs(v)


def _params_model_at(model: type[BaseModel], loc: Path_) -> type[BaseModel] | None:
    tp: Any = model
    for part in loc:
        tp = unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            fields = {(f.alias or n): f for n, f in tp.model_fields.items()}
            if part not in fields:
                return None
            tp = fields[part].annotation
        else:
            return None
    tp = unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _param_refs(params: Any) -> Iterator[tuple[Path_, str]]:
    if isinstance(params, ParamRef):
        yield (), params.param
    elif isinstance(params, BaseModel):
        for name, f in type(params).model_fields.items():
            for sub, ref in _param_refs(getattr(params, name)):
                yield (f.alias or name, *sub), ref
    elif isinstance(params, dict):
        for key, value in params.items():
            for sub, ref in _param_refs(value):
                yield (key, *sub), ref


def _value_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dt.date):
        return "date"
    return "text"


def stage_parameters(st: _Stage) -> None:
    names = list(st.scheme.parameters)
    for spec in st.leaves:
        for sub, ref in _param_refs(spec.params):
            if ref not in st.scheme.parameters:
                st.add("S220", f"unknown parameter '{ref}'", (*spec.path, "measure", *sub), "a parameter declared under 'parameters'", did_you_mean(ref, names))
        for i, ref in enumerate(spec.leaf.counted_with):
            if ref not in st.scheme.parameters:
                st.add("S223", f"unknown parameter '{ref}' in counted_with", (*spec.path, "counted_with", i), "a parameter declared under 'parameters'", did_you_mean(ref, names))
        threshold = spec.leaf.threshold
        if isinstance(threshold, str):
            if threshold not in st.scheme.parameters:
                st.add("S221", f"unknown parameter '{threshold}' as threshold", (*spec.path, "threshold"), "a parameter declared under 'parameters'", did_you_mean(threshold, names))


def stage_parameter_ranges(st: _Stage) -> None:
    """Each parameter's declared type and range, and its default within them.

    Reads only the declarations, so it depends on no other stage.  The override
    check (``schemes/parameters.py``) judges overrides by the same declarations.
    """
    for name, p in st.scheme.parameters.items():
        where = ("parameters", name)
        unit = f" ({p.unit})" if p.unit else ""
        if p.kind != "number":
            if p.range is not None:
                st.add("S281", f"parameter '{name}' is {p.kind}; a range applies only to numbers", (*where, "range"), f"no 'range' for a {p.kind} parameter")
            continue
        value = p.value
        assert isinstance(value, (int, float))  # p.kind == "number"
        if isinstance(value, float) and not math.isfinite(value):
            st.add("S222", f"parameter '{name}' is not a finite number", (*where, "value"))
            continue
        r = p.bounds
        if r is None:
            # Pointed at the unit line: the range belongs on the line after it.
            st.add(
                "S280",
                f"numeric parameter '{name}'{unit} declares no range",
                (*where, "unit") if p.unit else where,
                "range: {min: .., max: ..} on the line after 'unit:' (add whole: true for whole numbers)",
            )
            continue
        if p.is_percent and (r.min < 0 or r.max > 100):
            st.add("S282", f"parameter '{name}' is a percentage: its range must lie within 0 to 100, not {_fmt(r.min)} to {_fmt(r.max)}", (*where, "range"), "range: {min: 0, max: 100} (or narrower)")
            continue
        if r.min > r.max:
            st.add("S283", f"parameter '{name}': range min {_fmt(r.min)} is above max {_fmt(r.max)}", (*where, "range"), "min at most max")
            continue
        if r.whole and not (_is_whole(r.min) and _is_whole(r.max)):
            st.add("S283", f"parameter '{name}' takes whole numbers, but its range ends are not whole ({_fmt(r.min)} to {_fmt(r.max)})", (*where, "range"), "whole-number min and max")
            continue
        span = f"{_fmt(r.min)} to {_fmt(r.max)}{' ' + p.unit if p.unit else ''}"
        if p.is_percent and 0 < value <= 1:
            # Before the range: 0.9 lies within 0-100, and "a fraction" is the helpful reading of it.
            st.add("S286", f"parameter '{name}' is a percentage; its default {_fmt(value)} looks like a fraction", (*where, "value"), f"a percentage from {span}", f"{_fmt(round(value * 100, 10))} (percent)")
        elif not r.min <= value <= r.max:
            st.add("S284", f"parameter '{name}' has default {_fmt(value)}, outside its range {span}", (*where, "value"), f"a value from {span}")
        elif r.whole and not _is_whole(value):
            st.add("S285", f"parameter '{name}' takes whole numbers; its default {_fmt(value)} is not a whole number", (*where, "value"), f"a whole number from {span}")


def _threshold_value(st: _Stage, spec: LeafSpec) -> Any:
    t = spec.leaf.threshold
    if isinstance(t, str) and t in st.scheme.parameters:
        return st.scheme.parameters[t].value
    return t


def stage_types(st: _Stage) -> None:
    for spec in st.leaves:
        ev = spec.evaluator
        vt = "boolean" if ev.value_type is bool else "number"
        op = spec.leaf.compare
        if vt == "boolean" and op not in ("==", "!="):
            st.add("S230", f"'{ev.kind}' gives true/false, which cannot be compared with '{op}'", (*spec.path, "compare"), "== or !=")
        if ev.brings_threshold:
            if spec.leaf.threshold is not None:
                st.add("S231", f"'{ev.kind}' supplies its own threshold; remove 'threshold'", (*spec.path, "threshold"))
            continue
        if spec.leaf.threshold is None:
            st.add("S232", f"'{ev.kind}' needs a threshold", spec.path, "threshold: a parameter id or a literal")
            continue
        tv = _threshold_value(st, spec)
        if isinstance(spec.leaf.threshold, str) and spec.leaf.threshold not in st.scheme.parameters:
            continue  # reported by the parameters stage
        if _value_kind(tv) != vt:
            st.add(
                "S233",
                f"threshold {tv!r} is {_value_kind(tv)}, but '{ev.kind}' gives a {vt}",
                (*spec.path, "threshold"),
                f"a {vt} threshold",
            )
        for sub, ref in _param_refs(spec.params):
            value = st.scheme.parameters.get(ref)
            if value is not None and _value_kind(value.value) not in ("number", "date"):
                st.add("S234", f"parameter '{ref}' is {_value_kind(value.value)}, but a number or date is needed here", (*spec.path, "measure", *sub))


def _type_matches(tp: Any, allowed: tuple[type, ...]) -> bool:
    origin = typing.get_origin(tp) or tp
    for want in allowed:
        if origin is want or (isinstance(origin, type) and isinstance(want, type) and issubclass(origin, want)):
            return True
        if want is float and origin is int:
            return True
    return False


def _evidence_path_names() -> list[str]:
    out: list[str] = []
    for name, f in Evidence.model_fields.items():
        sub = unwrap(f.annotation)
        if isinstance(sub, type) and issubclass(sub, BaseModel) and name not in ("trust", "period", "submitted_by", "board_sign_off"):
            out.extend(f"{name}.{child}" for child in sub.model_fields)
        else:
            out.append(name)
    return out


def _check_evidence_path(st: _Stage, path: str, where: Path_, allowed: tuple[type, ...] | None) -> Any:
    parts = path.split(".")
    tp = type_at(Evidence, parts)
    if tp is None:
        st.add("S240", f"evidence path '{path}' is not defined by the evidence model", where, "a path such as counts.<name>, cases.<name>", did_you_mean(path, _evidence_path_names()))
        return None
    if allowed is not None and not _type_matches(tp, allowed):
        st.add("S241", f"evidence path '{path}' holds {describe_type(tp)}, not what this measure reads", where, " or ".join(describe_type(a) for a in allowed))
        return None
    return tp


def stage_evidence(st: _Stage) -> None:
    for spec in st.leaves:
        ev = spec.evaluator
        for path, allowed in ev.evidence_paths(spec.params).items():
            key = next((f.alias or n for n, f in type(spec.params).model_fields.items() if getattr(spec.params, n) == path), None)
            where = (*spec.path, "measure", key) if key else (*spec.path, "measure")
            tp = _check_evidence_path(st, path, where, allowed)
            record_fields: Callable[[Any], dict[str, tuple[type, ...]]] | None = getattr(ev, "record_fields", None)
            if tp is None or record_fields is None:
                continue
            item = type_at(Evidence, [*path.split("."), 0])
            if not (isinstance(item, type) and issubclass(item, BaseModel)):
                continue
            for field, types_ in record_fields(spec.params).items():
                if field not in item.model_fields:
                    st.add(
                        "S242",
                        f"{item.__name__} records have no field '{field}'",
                        (*spec.path, "measure"),
                        "one of " + ", ".join(item.model_fields),
                        did_you_mean(field, list(item.model_fields)),
                    )
                    continue
                ftp = unwrap(item.model_fields[field].annotation)
                if typing.get_origin(ftp) is typing.Literal:
                    ftp = type(typing.get_args(ftp)[0])
                if not _type_matches(ftp, types_):
                    st.add("S243", f"field '{field}' of {item.__name__} is {describe_type(ftp)}, not {' or '.join(describe_type(t) for t in types_)}", (*spec.path, "measure"))
    for base, req in _requirement_paths(st.scheme):
        for i, path in enumerate(req.evidence):
            _check_evidence_path(st, path, (*base, "evidence", i), None)


def stage_rules(st: _Stage) -> None:
    for base, req in _requirement_paths(st.scheme):
        for path, node in walk(req.rule, (*base, "rule")):
            if not isinstance(node, AtLeastNode):
                continue
            k = len(node.of)
            if node.at_least > k:
                st.add("S250", f"at_least {node.at_least} of only {k} rule(s) can never be met", (*path, "at_least"), f"a number from 1 to {k}")
            elif max(math.comb(k, node.at_least), math.comb(k, k - node.at_least + 1)) > MAX_COMBINATIONS:
                st.add("S251", f"at_least {node.at_least} of {k} is too many combinations to compile", (*path, "at_least"), f"at most {MAX_COMBINATIONS} combinations; split the rule")
    for si, section in enumerate(st.scheme.sections):
        rollup = section.rollup
        if not isinstance(rollup, str) and rollup.at_least and rollup.at_least > len(section.requirements):
            st.add("S252", f"rollup at_least {rollup.at_least} but the section has {len(section.requirements)} requirement(s)", ("sections", si, "rollup"))


def stage_references(st: _Stage) -> None:
    for spec in st.leaves:
        ref = getattr(spec.params, "scheme", None)
        if spec.evaluator.kind == "scheme_outcome" and ref is not None:
            if ref == st.scheme.id:
                st.add("S260", "a scheme cannot depend on its own outcome", (*spec.path, "measure", "scheme"))
            elif ref not in st.known_schemes:
                st.add("S261", f"unknown scheme '{ref}'", (*spec.path, "measure", "scheme"), "a bundled scheme id", did_you_mean(ref, st.known_schemes))


def stage_versioning(st: _Stage) -> None:
    """A version needs a reporting window; what it succeeds or reuses must be another known scheme.

    What needs several schemes at once (one family's versions unique, their
    windows apart) is checked where the bundled family is read,
    :func:`compliance.schemes.loader.builtin_family`.
    """
    v = st.scheme.versioning
    if v is None:
        return
    w = st.scheme.window
    if w is None:
        st.add("S290", f"version '{v.key}' of family '{v.family}' has no reporting window", ("versioning",),
               "versioning.window: {start: YYYY-MM-DD, end: YYYY-MM-DD}, or a period with a start")
    elif w.end is not None and w.end < w.start:
        st.add("S291", f"reporting window ends ({w.end}) before it starts ({w.start})", ("versioning", "window") if v.window else ("period",), "end on or after start")
    for key in ("succeeds", "evidence_from"):
        ref = getattr(v, key)
        if ref is None:
            continue
        if ref == st.scheme.id:
            st.add("S292", f"a scheme cannot name itself in '{key}'", ("versioning", key))
        elif st.known_schemes and ref not in st.known_schemes:
            st.add("S293", f"unknown scheme '{ref}' in '{key}'", ("versioning", key), "a bundled scheme id", did_you_mean(ref, st.known_schemes))


#: The checking stages, in the order they run.
STAGES: tuple[tuple[str, Callable[[_Stage], None]], ...] = (
    ("unique-ids", stage_unique_ids),
    ("parameter-ranges", stage_parameter_ranges),  # declarations only: may run anywhere
    ("measures", stage_measures),
    ("parameters", stage_parameters),
    ("types", stage_types),
    ("evidence", stage_evidence),
    ("rules", stage_rules),
    ("references", stage_references),
    ("versioning", stage_versioning),
)


def check(scheme: Scheme, doc: Document | None = None, known_schemes: typing.Collection[str] = ()) -> tuple[CheckedScheme | None, list[Problem]]:
    """Run every stage; return the checked scheme (None if any stage found a problem) and every problem found."""
    st = _Stage(scheme, doc, known_schemes)
    for _name, stage in STAGES:
        stage(st)
    return (None if st.problems else CheckedScheme.of(scheme, st.leaves)), st.problems


__all__ += ["NODE_KEYS"]
