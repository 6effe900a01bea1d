"""Two ways to lay out the same evidence: nested by kind, or one dotted key per item.

JSON tools write ``{"attestations": {"tc_pathway": {...}}}``.  The evidence
template (``compliance template``) is ordered by safety action instead, so it
writes each item as a top-level dotted key: ``attestations.tc_pathway: {...}``
(YAML cannot repeat the ``attestations:`` key under each action).  Before
validation, :func:`nest` moves every dotted key into place, carrying its
positions, so every later message still points at the line the user wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import Problem
from ..source import Document
from .catalogue import SECTIONS

__all__ = ["nest"]


def nest(doc: Document) -> list[Problem]:
    """Move each top-level ``group.item`` key of ``doc`` under ``group``; return problems (an item given twice).

    ``doc`` is changed in place.  Keys whose first part is not a group are left
    alone, so an unknown key is still reported, with a suggestion, by validation.
    """
    data = doc.data
    if not isinstance(data, Mapping) or not any(isinstance(k, str) and "." in k for k in data):
        return []
    if doc.index_later is not None:  # JSON positions are indexed lazily; this moves them, so index now
        index, doc.index_later = doc.index_later, None
        index(doc)
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    moved: dict[tuple[str | int, ...], tuple[str | int, ...]] = {}
    for key, value in data.items():
        group, dot, item = key.partition(".") if isinstance(key, str) else (key, "", "")
        if not dot or group not in SECTIONS or not item or "." in item:
            if key in out and isinstance(out[key], dict) and isinstance(value, Mapping):
                clash = sorted(set(out[key]) & set(value))
                for name in clash:
                    problems.append(_twice(doc, (key, name), f"{key}.{name}"))
                out[key].update({k: v for k, v in value.items() if k not in clash})
            else:
                out[key] = dict(value) if isinstance(value, Mapping) and key in SECTIONS else value
            continue
        target = out.setdefault(group, {})
        if not isinstance(target, dict):
            continue  # 'counts: 5' beside 'counts.x': validation reports the bad 'counts'
        if item in target:
            problems.append(_twice(doc, (key,), key))
            continue
        target[item] = value
        moved[(key,)] = (group, item)
    # Positions follow the values: ('attestations.tc_pathway', 'document') -> ('attestations', 'tc_pathway', 'document').
    for old in [p for p in doc.positions if p[:1] and (p[0],) in moved]:
        doc.positions[moved[(old[0],)] + old[1:]] = doc.positions.pop(old)
    for group in {g for g, _ in moved.values()}:
        first = min((doc.positions[(g, i)] for g, i in moved.values() if g == group and (g, i) in doc.positions), default=None)
        if first is not None:
            doc.positions.setdefault((group,), first)
    doc.data = out
    return problems


def _twice(doc: Document, path: tuple[str | int, ...], name: str) -> Problem:
    return Problem("V016", f"'{name}' is given twice (once as a dotted key, once nested)", doc.locate(path), "each evidence item once")
