"""The JSON report: the :class:`~compliance.results.Assessment` model itself, versioned.

One trust gives one JSON object (``model_dump_json(indent=2)``); several give
a JSON array of the same objects, in the order the trusts were given.  Each
object carries ``schema_version``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..results import Assessment

if TYPE_CHECKING:  # pragma: no cover
    from .formats import Options

__all__ = ["render", "render_many", "join", "indent", "assessment_json", "assessments_json"]


def render(assessment: Assessment) -> str:
    return assessment.model_dump_json(indent=2) + "\n"


def indent(text: str, by: str = "  ") -> str:
    """``text`` with each non-empty line indented by ``by``.

    Lines end at "\\n" only: a raw U+2028 inside a JSON string is text, not a
    line break, and must not be indented.
    """
    if "\n\n" in text or text.startswith("\n") or text.endswith("\n"):
        return "\n".join(by + line if line else line for line in text.split("\n"))
    # The usual case, a JSON document (no blank lines): str.replace runs in C, so a thousand
    # trusts' reports (~190 MB) take a fraction of a second instead of seconds line by line.
    return by + text.replace("\n", "\n" + by) if text else text


def render_many(assessments: Sequence[Assessment]) -> str:
    """A JSON array whose items are byte-for-byte the single-trust documents, indented."""
    return join([a.model_dump_json(indent=2) for a in assessments])


def join(documents: Sequence[str]) -> str:
    """A JSON array of already-rendered single-trust documents (``model_dump_json(indent=2)``)."""
    if not documents:
        return "[]\n"
    return "[\n" + ",\n".join(indent(d.rstrip("\n")) for d in documents) + "\n]\n"

# ------------------------------------------------------------------ as a registered format (see .formats)


def assessment_json(assessment: Assessment, options: Options) -> str:
    return render(assessment)


def assessments_json(items: Sequence[Assessment | str], options: Options) -> str:
    """The array; a batch hands over each trust as its JSON text already (the format's ``batch``)."""
    return join([a if isinstance(a, str) else a.model_dump_json(indent=2) for a in items])
