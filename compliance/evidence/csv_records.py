"""One record list from a CSV file, beside the rest of the evidence: ``--records perinatal_deaths=deaths.csv``.

Trusts export lists (perinatal deaths, qualifying cases) from their maternity
systems as CSV.  The file's first line names the columns, as on the list's
sheet of the evidence workbook (``ID``, ``Died on``, ``Category`` ... or the
field names ``id``, ``died_on``); each line after it is one record.  Every
cell of a CSV file is text, so a number is read from its digits, a date from
``dd/mm/yyyy`` (UK order) or ``YYYY-MM-DD``, a yes/no answer from ``yes``/``no``.
Each value keeps its place -- ``deaths.csv:14:3`` is line 14, the third column --
so a problem found later (a review before the death) names the line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import EvidenceError, Location, Problem, ProblemCollector, UsageError, did_you_mean
from ..source import Document, read_input
from .layout import nest
from .sheets import LIST_SHEETS, Item, column_label, item, leaves
from .workbook import SheetDocument, Table, records_from_rows

__all__ = ["record_lists", "parse_records_option", "read_records", "with_records"]


def record_lists() -> dict[str, str]:
    """The names ``--records`` takes -> the record list each stands for (``perinatal_deaths`` -> ``cases.perinatal_deaths``)."""
    out = {}
    for path in LIST_SHEETS:
        out[path.split(".", 1)[1]] = path
    return out


def parse_records_option(text: str) -> tuple[Item, Path]:
    """``NAME=FILE.csv`` -> (the record list, the file); a usage error (with "did you mean") otherwise."""
    name, sep, file = text.partition("=")
    name = name.strip()
    names = record_lists()
    if not sep or not name or not file.strip():
        raise UsageError([Problem("U060", f"needs NAME=FILE.csv, got '{text}'", Location("--records"), "e.g. --records perinatal_deaths=deaths.csv")])
    path = names.get(name, name)
    found = item(path)
    if found is None or found.shape == "form":
        raise UsageError(
            [Problem("U061", f"no record list '{name}'", Location("--records"), "one of: " + ", ".join(names), did_you_mean(name, [*names, *names.values()]))]
        )
    return found, Path(file.strip())


class _Reading:
    def __init__(self, file: str):
        self.file = file
        self.problems = ProblemCollector(EvidenceError, file=file)
        self.notes: list[str] = []


def _text(path: Path) -> str:
    where = Location(str(path))
    try:
        return read_input(path, error=EvidenceError).decode("utf-8-sig")  # a regular file, within the size limit
    except UnicodeDecodeError as exc:
        raise EvidenceError(
            [Problem("E012", f"not UTF-8 text ({exc.reason} at byte {exc.start})", where, "a CSV file saved as UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')")]
        ) from None
    except OSError as exc:
        raise EvidenceError([Problem("E013", f"cannot read {path}: {exc.strerror}", where)]) from None


def read_records(it: Item, path: Path) -> tuple[list[Any] | dict[str, Any], Table, list[str]]:
    """The records of ``it`` in a CSV file, where each sits, and the notes (columns not read)."""
    file = str(path)
    text = _text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    starts: list[int] = []
    line = 0
    try:
        for row in reader:
            starts.append(line + 1)
            rows.append(row)
            line = reader.line_num
    except csv.Error as exc:
        raise EvidenceError([Problem("V084", f"not a valid CSV file: {exc}", Location(file, reader.line_num))]) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise EvidenceError([Problem("V084", "the file is empty: the first line names the columns", Location(file, 1), f"a header line, e.g. {_example(it)}")])
    r = _Reading(file)
    found = records_from_rows(it, rows[1:], rows[0], r, sheet=None, file=file, row_numbers=starts[1:], text_only=True)
    r.problems.raise_if_any()
    assert found is not None  # a header it cannot read is a problem, raised above
    records, table = found
    table.header_row = starts[0]
    return records, table, r.notes


def _example(it: Item) -> str:
    assert it.record is not None
    return ",".join(column_label(leaf) for leaf in leaves(it.record) if leaf.required)


def with_records(doc: Document, records: Sequence[tuple[Item, Path]]) -> SheetDocument:
    """``doc`` with each record list read from its CSV file; a list the document already holds is an error, not replaced."""
    problems = nest(doc)  # the template's dotted keys go where they belong first: the lists are then in place
    if problems:
        raise EvidenceError(problems, source=doc.text, source_file=doc.file)
    data = dict(doc.data) if isinstance(doc.data, dict) else doc.data
    cells = dict(doc.cells) if isinstance(doc, SheetDocument) else {}
    tables = dict(doc.tables) if isinstance(doc, SheetDocument) else {}
    notes = list(doc.notes)
    merged = SheetDocument(data, doc.file, doc.text, doc.positions, doc.index_later, notes, cells, tables)
    clashes: list[Problem] = []
    for it, path in records:
        listed, table, more = read_records(it, path)
        section, name = it.path
        if not isinstance(data, dict):
            break  # validation says the evidence is not a mapping
        held = data.get(section)
        if isinstance(held, dict) and held.get(name) is not None:
            clashes.append(
                Problem("V078", f"{it.name} is given twice: in this file and in {path}", merged.locate(it.path), "each record list once: leave it out of one of them")
            )
            continue
        data[section] = {**(held if isinstance(held, dict) else {}), name: listed}
        tables[it.path] = table
        notes.extend(more)
    if clashes:
        raise EvidenceError(clashes, source=doc.text, source_file=doc.file)
    return merged
