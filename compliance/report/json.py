"""The JSON report: the :class:`~compliance.results.Assessment` model itself, versioned.

One trust gives one JSON object (``model_dump_json(indent=2)``); several give
a JSON array of the same objects, in the order the trusts were given.  Each
object carries ``schema_version``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..results import Assessment

__all__ = ["render", "render_many", "join", "indent"]


def render(assessment: Assessment) -> str:
    return assessment.model_dump_json(indent=2) + "\n"


def indent(text: str, by: str = "  ") -> str:
    return "\n".join(by + line if line else line for line in text.splitlines())


def render_many(assessments: Sequence[Assessment]) -> str:
    """A JSON array whose items are byte-for-byte the single-trust documents, indented."""
    return join([a.model_dump_json(indent=2) for a in assessments])


def join(documents: Sequence[str]) -> str:
    """A JSON array of already-rendered single-trust documents (``model_dump_json(indent=2)``)."""
    if not documents:
        return "[]\n"
    return "[\n" + ",\n".join(indent(d.rstrip("\n")) for d in documents) + "\n]\n"
