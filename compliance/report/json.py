"""The JSON report: the :class:`~compliance.results.Assessment` model itself, versioned.

One trust gives one JSON object (``model_dump_json(indent=2)``); several give
a JSON array of the same objects, in the order the trusts were given.  Each
object carries ``schema_version``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..results import Assessment

__all__ = ["render", "render_many", "indent"]


def render(assessment: Assessment) -> str:
    return assessment.model_dump_json(indent=2) + "\n"


def indent(text: str, by: str = "  ") -> str:
    return "\n".join(by + line if line else line for line in text.splitlines())


def render_many(assessments: Sequence[Assessment]) -> str:
    """A JSON array whose items are byte-for-byte the single-trust documents, indented."""
    if not assessments:
        return "[]\n"
    items = ",\n".join(indent(a.model_dump_json(indent=2)) for a in assessments)
    return "[\n" + items + "\n]\n"
