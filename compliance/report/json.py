"""The JSON report: the :class:`~compliance.results.Assessment` model itself, versioned.

One trust gives one JSON object (``model_dump_json(indent=2)``); several give
a JSON array of the same objects, in the order the trusts were given.  Each
object carries ``schema_version``.

JSON Lines (``--format jsonl``) gives the same object, compact, on one line
per trust: no raw line break of any kind inside it (JSON escapes the C0
controls, :func:`safe` the rest -- U+2028, NEL), so even ``str.splitlines``
finds one trust per line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..results import Assessment

if TYPE_CHECKING:  # pragma: no cover
    from .formats import Options

__all__ = [
    "render",
    "render_many",
    "join",
    "indent",
    "array_item",
    "line",
    "assessment_json",
    "assessments_json",
    "assessment_jsonl",
    "assessments_jsonl",
]


#: Characters JSON allows raw in a string that a person reading the file must not meet raw:
#: DEL and C1 controls, bidirectional overrides and isolates (U+202E), invisible marks and
#: separators.  (C0 controls, NUL among them, are escaped by the serialiser already.)
_HIDDEN = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")


def safe(text: str) -> str:
    """JSON text with those characters written as ``\\uXXXX`` escapes: the same data to a parser.

    They can only stand inside strings in JSON text, where the escape means the same character.
    """
    if text.isascii() or not _HIDDEN.search(text):
        return text
    return _HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(assessment: Assessment) -> str:
    return safe(assessment.model_dump_json(indent=2)) + "\n"


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
    return "[\n" + ",\n".join(_item(d) for d in documents) + "\n]\n"


def _item(document: str) -> str:
    return indent(safe(document).rstrip("\n"))


def array_item(assessment: Assessment, options: Options) -> str:
    """One trust's item of the array, as :func:`join` lays it out (the JSON format's stream: ``[``, items, ``]``)."""
    return _item(assessment.model_dump_json(indent=2))


def line(assessment: Assessment, options: Options) -> str:
    """One trust's JSON Lines line, its newline included."""
    return safe(assessment.model_dump_json()) + "\n"

# ------------------------------------------------------------------ as a registered format (see .formats)


def assessment_json(assessment: Assessment, options: Options) -> str:
    return render(assessment)


def assessments_json(items: Sequence[Assessment | str], options: Options) -> str:
    """The array; a batch hands over each trust as its JSON text already (the format's ``batch``)."""
    return join([a if isinstance(a, str) else a.model_dump_json(indent=2) for a in items])


def assessment_jsonl(assessment: Assessment, options: Options) -> str:
    return line(assessment, options)


def assessments_jsonl(items: Sequence[Assessment], options: Options) -> str:
    return "".join(line(a, options) for a in items)
