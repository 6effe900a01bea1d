"""Walking the evidence models' types: what lives at a path, and which keys a mapping allows.

Used by the evidence loader (to suggest the right key for an unknown one) and
by the scheme checker (to prove that every evidence path a scheme names
exists and has the type its measure needs).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel

__all__ = ["unwrap", "type_at", "model_at", "describe_type", "field_names"]


def unwrap(tp: Any) -> Any:
    """Strip ``Optional``/``Annotated`` so what is left is the real type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def type_at(
    root: type[BaseModel],
    path: Sequence[str | int],
    data: Any = None,
    choose: Callable[[Any, Any], Any] | None = None,
) -> Any:
    """The (unwrapped) type found by following ``path`` from ``root``; ``None`` if there is none.

    Fields are matched by alias too.  With ``data`` (the document being
    validated) and ``choose(type, value)``, a union is resolved to the member
    the data at that point is validated as.
    """
    tp: Any = root
    cur = data
    for part in path:
        tp = unwrap(tp)
        if choose is not None:
            tp = choose(tp, cur)
        origin = typing.get_origin(tp)
        if _is_model(tp):
            fields = {(f.alias or n): f for n, f in tp.model_fields.items()}
            if not isinstance(part, str) or part not in fields:
                return None
            tp = fields[part].annotation
        elif origin in (list, tuple):
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
        if isinstance(cur, Mapping):
            cur = cur.get(part)
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            cur = cur[part]
        else:
            cur = None
    tp = unwrap(tp)
    return choose(tp, cur) if choose is not None else tp


def model_at(root: type[BaseModel], path: Sequence[str | int]) -> type[BaseModel] | None:
    tp = type_at(root, path)
    return tp if _is_model(tp) else None


def field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def describe_type(tp: Any) -> str:
    """A short human name for a type, for 'expected ...' messages."""
    tp = unwrap(tp)
    origin = typing.get_origin(tp)
    if origin is list or origin is tuple:
        return f"a list of {describe_type(typing.get_args(tp)[0])}"
    if origin is dict:
        return f"a mapping of names to {describe_type(typing.get_args(tp)[1])}"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if _is_model(tp):
        return f"{tp.__name__} record"
    return {bool: "true/false", int: "a whole number", float: "a number", str: "text", dt.date: "a date (YYYY-MM-DD)"}.get(tp, getattr(tp, "__name__", str(tp)))
