"""Helpers shared by several test modules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def readme_rows() -> list[tuple[str, str, str]]:
    """(file, scheme, verdict) for every row of the table in examples/README.md."""
    rows = []
    for line in (EXAMPLES / "README.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*`([^`]+\.json)`\s*\|\s*`([^`]+)`\s*\|\s*([a-z_]+)\s*\|", line)
        if m:
            rows.append((m.group(1), m.group(2), m.group(3)))
    return rows


def scheme_data(scheme_id: str, params: dict[str, Any], requirements: list[dict[str, Any]]) -> dict[str, Any]:
    """A minimal valid scheme mapping: one section holding ``requirements``."""
    return {
        "id": scheme_id,
        "title": f"Test scheme {scheme_id}",
        "version": "1",
        "publisher": "tests",
        "sources": [{"key": "T", "title": "T"}],
        "parameters": params,
        "outcome": {"met": "Met.", "not_met": "Not met."},
        "sections": [{"id": "Q", "title": "Q", "requirements": requirements}],
    }


def requirement(rid: str, rule: dict[str, Any]) -> dict[str, Any]:
    return {"id": rid, "title": "t", "text": "t", "source": "test", "status": "confirmed", "remediation": "r", "rule": rule}
