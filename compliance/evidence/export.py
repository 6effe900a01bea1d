"""Evidence as it was given, for ``compliance convert``: loaded and checked, then written as JSON, YAML or (by the report package) a workbook.

Conversion keeps what the file holds, not what the assessment makes of it:
an item with a blank ("not yet filled") is kept with its blank, never set
aside, and a value is written as it was typed.  The data is checked first
(:func:`~.loader.validate_evidence_data`): only evidence that would load is
converted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import EvidenceError
from ..source import load_document
from .csv_records import with_records
from .loader import EVIDENCE_READERS, validate_evidence_data
from .model import Evidence
from .sheets import Item

__all__ = ["load_as_given", "to_json", "to_yaml", "plain"]


def load_as_given(source: str | Path, *, today: dt.date | None = None, records: Sequence[tuple[Item, Path]] = ()) -> tuple[Evidence, dict[str, Any]]:
    """The evidence in ``source`` (and any record lists from CSV files), checked; and its data as given, nested."""
    doc = load_document(source, error=EvidenceError, readers=EVIDENCE_READERS)
    if records:
        doc = with_records(doc, records)
    evidence = validate_evidence_data(doc, today=today)
    data = doc.data if isinstance(doc.data, dict) else {}
    return evidence, data


def plain(value: Any) -> Any:
    """Data as JSON holds it: dates as ``YYYY-MM-DD`` text, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(plain(data), indent=2, ensure_ascii=False) + "\n"


def to_yaml(data: dict[str, Any]) -> str:
    text: str = yaml.safe_dump(plain(data), sort_keys=False, allow_unicode=True, default_flow_style=False)
    return text
