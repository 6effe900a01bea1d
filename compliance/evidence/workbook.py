"""Reading an evidence workbook (``.xlsx``) into the same evidence as JSON, every value located at its cell.

Stages:

1. ``open``     -- refuse what would be misread: an empty file, an old ``.xls``,
                   a password-protected (encrypted) file, anything that is not
                   an Excel workbook; each is a message, never a traceback.
2. ``cells``    -- every sheet's values, read by python-calamine (dates typed
                   as dates come back as dates; a formula by its cached value),
                   and from the sheet's XML what calamine does not say: a cell
                   shown as a percent, a formula with no cached value (never
                   opened in a spreadsheet) and an error value (``#DIV/0!``).
3. ``sheets``   -- the *Cover* and the form sheets (rows found by their Key, so
                   the order of rows and sheets is free), and the table sheets
                   (a record list each, found by name); every cell typed as its
                   field needs (:func:`.sheets.cell_value`).  Misspelt sheet
                   names and headers get a "did you mean"; extra columns and
                   sheets the user added are ignored, with a note.
4. ``assemble`` -- the evidence as nested data (:func:`.sheets.assemble`),
                   with where each value sits, for :func:`.loader.validate_evidence_data`.

The result is a :class:`SheetDocument`: a :class:`~compliance.source.Document`
whose ``locate(path)`` gives the cell (``trust.xlsx:Deaths!D14``), so every
later stage's problem points at the cell the user typed.

Why python-calamine: it reads a workbook of 10,000 perinatal deaths (120,000
cells) in about 0.1 s, where openpyxl's read-only mode takes 2.5 s;
``benchmarks/workbook_read.py`` measures both.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import (
    EvidenceError,
    Location,
    Problem,
    ProblemCollector,
    column_letters,
    did_you_mean,
)
from ..source import Document, read_input
from .sheets import (
    BLANK,
    COVER,
    FORM_HEADERS,
    KEY,
    LIST_SHEETS,
    NONE,
    STAFF_GROUP,
    VALUE,
    CellFlag,
    Item,
    Leaf,
    SLOW,
    assemble,
    cell_value,
    column_label,
    form_keys,
    item,
    items,
    leaves,
    normalise_header,
    quick_value,
)

__all__ = ["SheetDocument", "Table", "read_workbook", "read_workbook_bytes", "records_from_rows", "assemble_evidence", "SUFFIXES"]

Path_ = tuple[str | int, ...]

#: What the reader takes: a workbook, or one with macros (they are never run); ``.xls`` is refused by name.
SUFFIXES = (".xlsx", ".xlsm", ".xls")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


# ------------------------------------------------------------------ where things are


@dataclass(slots=True)
class Table:
    """Where a record list sits: its sheet (None for a CSV file), the row of each record and the column of each field."""

    file: str | None
    sheet: str | None
    header_row: int
    #: Row of record ``i`` (a list), or of each staff group (a table of groups).
    rows: list[int] = field(default_factory=list)
    keys: dict[str, int] = field(default_factory=dict)
    #: Field path inside a record (and each record inside it: ``("document",)``) -> its column.
    columns: dict[tuple[str, ...], int] = field(default_factory=dict)
    first_column: int = 1

    def locate(self, rest: Path_, path: Path_) -> Location:
        if not rest:
            return Location(self.file, self.header_row, self.first_column, path, self.sheet)
        head, fields = rest[0], tuple(str(p) for p in rest[1:])
        row: int | None = None
        if isinstance(head, int) and 0 <= head < len(self.rows):
            row = self.rows[head]
        elif isinstance(head, str):
            row = self.keys.get(head)
        if row is None:
            return Location(self.file, self.header_row, self.first_column, path, self.sheet)
        while fields and fields not in self.columns:
            fields = fields[:-1]
        return Location(self.file, row, self.columns.get(fields, self.first_column) if fields else self.first_column, path, self.sheet)


@dataclass(slots=True)
class SheetDocument(Document):
    """A document read from a workbook (or grafted from a CSV file): each path located at its cell."""

    #: Evidence path -> (sheet, row, column) of the form cell that holds it (and of an item's first field).
    cells: dict[Path_, tuple[str, int, int]] = field(default_factory=dict)
    #: Record list (``("cases", "perinatal_deaths")``) -> where its records sit.
    tables: dict[Path_, Table] = field(default_factory=dict)

    def locate(self, path: Path_ | list[str | int]) -> Location:
        p = tuple(path)
        table = self.tables.get(p[:2]) if len(p) >= 2 else None
        if table is not None:
            return table.locate(p[2:], p)
        q = p
        while q:
            found = self.cells.get(q)
            if found is not None:
                sheet, row, col = found
                return Location(self.file, row, col, p, sheet)
            q = q[:-1]
        return Document.locate(self, p)


# ------------------------------------------------------------------ 1. open


def _read_bytes(path: Path) -> bytes:
    # A regular file within the size limit (a FIFO named .xlsx would block for ever).
    return read_input(path, error=EvidenceError)


def read_workbook(path: Path) -> Document:
    """Read an evidence workbook file (the loader's reader for ``.xlsx``, ``.xlsm`` and ``.xls``)."""
    return read_workbook_bytes(_read_bytes(path), str(path))


_SAVE_AS = "open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx)"


def _refuse(data: bytes, file: str) -> Problem | None:
    where = Location(file)
    if not data:
        return Problem("V070", "the file is empty (0 bytes): not a workbook", where, "an Excel workbook (.xlsx)")
    if data.startswith(_OLE):
        if _ENCRYPTED in data:
            return Problem(
                "V072", "the workbook is password-protected (encrypted): it cannot be read", where,
                "the workbook saved without a password (File > Info > Protect Workbook > Encrypt with Password: clear it)",
            )
        return Problem("V071", "an old-format Excel file (.xls, Excel 97-2003): it is not read, to avoid misreading it", where, _SAVE_AS)
    if not data.startswith(b"PK"):
        return Problem("V070", "not an Excel workbook (.xlsx): the file is not a zip package", where, _SAVE_AS)
    return None


def _open_zip(data: bytes, file: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise EvidenceError([Problem("V070", f"not an Excel workbook: the file is damaged ({exc})", Location(file), _SAVE_AS)]) from None
    if "xl/workbook.xml" not in names:
        what = "an OpenDocument spreadsheet (.ods)" if "content.xml" in names else "a zip file that holds no workbook"
        raise EvidenceError([Problem("V070", f"not an Excel workbook: {what}", Location(file), _SAVE_AS)])
    return archive


# ------------------------------------------------------------------ 2. cells


def _percent_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """The cell styles (indexes into ``cellXfs``) that show a number as a percent."""
    try:
        root = ET.fromstring(archive.read("xl/styles.xml"))
    except (KeyError, ET.ParseError):
        return frozenset()
    percent_formats = {9, 10}
    for fmt in root.iter(f"{_MAIN}numFmt"):
        code = re.sub(r'"[^"]*"|\\.', "", fmt.get("formatCode", ""))
        if "%" in code:
            percent_formats.add(int(fmt.get("numFmtId", "0")))
    xfs = root.find(f"{_MAIN}cellXfs")
    if xfs is None:
        return frozenset()
    return frozenset(i for i, xf in enumerate(xfs.findall(f"{_MAIN}xf")) if int(xf.get("numFmtId", "0")) in percent_formats)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the package (``xl/worksheets/sheet1.xml``)."""
    try:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    out: dict[str, str] = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        out[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_END = re.compile(rb"</(?:\w+:)?c>|/>")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>")
_ERROR = re.compile(rb'<(?:\w+:)?c\s[^>]*?\bt="e"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _cell_start(xml: bytes, pos: int) -> int:
    return max(xml.rfind(b"<c ", 0, pos), xml.rfind(b":c ", 0, pos))


def _flags(xml: bytes, percent: frozenset[int]) -> dict[tuple[int, int], CellFlag]:
    """(row, column) -> what the values do not say: a percent cell, a formula never calculated, an error value.

    Each test is a search of the sheet's bytes first; only a sheet that has such
    cells is looked at cell by cell, and then only those cells.
    """
    out: dict[tuple[int, int], CellFlag] = {}
    if percent and any(b' s="%d"' % s in xml for s in percent):
        styles = b"|".join(b"%d" % s for s in sorted(percent))
        for m in re.finditer(rb'<(?:\w+:)?c\s+r="([A-Z]{1,3})([0-9]+)"[^>]*?\ss="(?:' + styles + rb')"', xml):
            out[(int(m.group(2)), _column_number(m.group(1)))] = "percent"
    if b't="e"' in xml:
        for m in _ERROR.finditer(xml):
            ref = _CELL_REF.search(xml, m.start(), m.end())
            if ref:
                out[(int(ref.group(2)), _column_number(ref.group(1)))] = "error"
    for m in _FORMULA.finditer(xml):
        start = _cell_start(xml, m.start())
        tag_end = xml.find(b">", start)
        ref = _CELL_REF.search(xml, start, tag_end)
        if ref is None:
            continue
        end = _CELL_END.search(xml, m.end())
        stop = end.start() if end else len(xml)
        # A formula whose cached result is text may cache the empty text; any other needs a cached value.
        text_result = b't="str"' in xml[start:tag_end]
        if not text_result and _VALUE.search(xml, m.end(), stop) is None:
            out[(int(ref.group(2)), _column_number(ref.group(1)))] = "formula"
    return out


@dataclass(slots=True)
class _Sheet:
    name: str
    rows: list[list[Any]]
    flags: dict[tuple[int, int], CellFlag]

    def header(self) -> list[str]:
        return [str(v).strip() if v is not None else "" for v in (self.rows[0] if self.rows else [])]


def _sheets(data: bytes, file: str) -> list[_Sheet]:
    archive = _open_zip(data, file)
    percent = _percent_styles(archive)
    parts = _sheet_parts(archive)
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        out = []
        for meta in book.sheets_metadata:
            if str(getattr(meta.typ, "name", meta.typ)) not in ("WorkSheet", "SheetTypeEnum.WorkSheet"):
                continue  # a chart sheet holds no cells
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            part = parts.get(meta.name)
            try:
                xml = archive.read(part) if part else b""
            except KeyError:
                xml = b""
            out.append(_Sheet(meta.name, rows, _flags(xml, percent)))
        return out
    except EvidenceError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine's errors are its own types; any means "cannot be read"
        raise EvidenceError([Problem("V070", f"the workbook cannot be read: {exc}", Location(file), _SAVE_AS)]) from None


# ------------------------------------------------------------------ 3. sheets


@dataclass(slots=True)
class _Reading:
    file: str
    problems: ProblemCollector
    notes: list[str]
    #: Form key -> (value or BLANK, its cell).
    form: dict[str, tuple[Any, tuple[str, int, int]]] = field(default_factory=dict)
    #: Record list -> (the value of its row on a form sheet: "none" or BLANK, the cell).
    markers: dict[str, tuple[Any, tuple[str, int, int]]] = field(default_factory=dict)
    #: Record list -> its records (a list, or staff group -> record) and where they sit.
    tables: dict[str, tuple[list[Any] | dict[str, Any], Table]] = field(default_factory=dict)

    def at(self, sheet: str, row: int | None = None, column: int | None = None, path: Path_ = ()) -> Location:
        return Location(self.file, row, column, path, sheet)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _headers(sheet: _Sheet) -> dict[str, int]:
    """Normalised header -> its 1-based column (the first, if given twice)."""
    out: dict[str, int] = {}
    for col, text in enumerate(sheet.header(), 1):
        if text:
            out.setdefault(normalise_header(text), col)
    return out


def _read_form(sheet: _Sheet, r: _Reading) -> None:
    header = sheet.header()
    cols = _headers(sheet)
    key_col, value_col = cols.get(normalise_header(KEY)), cols.get(normalise_header(VALUE))
    known = {normalise_header(h) for h in FORM_HEADERS}
    missing = [h for h in (KEY, VALUE) if normalise_header(h) not in cols]
    extra = []
    for col, text in enumerate(header, 1):
        if not text or normalise_header(text) in known:
            continue
        suggestion = did_you_mean(text, missing)
        if suggestion:
            r.problems.add(Problem("V075", f"unknown column '{text}'", r.at(sheet.name, 1, col), f"a column '{suggestion}'", suggestion))
            missing = [m for m in missing if m != suggestion]
        else:
            extra.append(text)
    for name in missing:
        r.problems.add(Problem("V076", f"the sheet has no '{name}' column", r.at(sheet.name, 1, 1), "the columns " + ", ".join(FORM_HEADERS) + " in row 1"))
    if key_col is None or value_col is None:
        return
    if extra:
        r.notes.append(f"{sheet.name}: columns not read (not part of the evidence): {', '.join(extra)}")
    keys = form_keys()
    flags = sheet.flags
    for i, row in enumerate(sheet.rows[1:], 2):
        key = row[key_col - 1] if key_col <= len(row) else None
        raw = row[value_col - 1] if value_col <= len(row) else None
        where_value = (sheet.name, i, value_col)
        if _is_blank(key):
            if not _is_blank(raw):
                r.problems.add(
                    Problem("V077", "a value in a row with no Key: it belongs to no field", r.at(sheet.name, i, value_col), f"the field's key in column {column_letters(key_col)}, or no value")
                )
            continue
        name = str(key).strip()
        found = keys.get(name)
        if found is None:
            r.problems.add(Problem("V010", f"unknown key '{name}'", r.at(sheet.name, i, key_col), "a field of the evidence", did_you_mean(name, keys)))
            continue
        it, leaf = found
        if name in r.form or name in r.markers:
            first = (r.form.get(name) or r.markers[name])[1]
            r.problems.add(
                Problem("E004", f"'{name}' is given twice (first on sheet {first[0]}, row {first[1]})", r.at(sheet.name, i, key_col), "each field once")
            )
            continue
        path = (*it.path, *(leaf.path if leaf else ()))
        if leaf is None:
            if _is_blank(raw):
                r.markers[name] = (BLANK, where_value)
            elif isinstance(raw, str) and raw.strip().lower() == NONE:
                r.markers[name] = (NONE, where_value)
            else:
                sheet_name = LIST_SHEETS[name]
                r.problems.add(
                    Problem("V012", f"{_show(raw)} is not '{NONE}' or blank", r.at(sheet.name, i, value_col, path),
                            f"'{NONE}' when there were none; blank when the records are on sheet {sheet_name}")
                )
            continue
        value, problem = cell_value(raw, leaf, r.at(sheet.name, i, value_col, path), flags.get((i, value_col)) if flags else None)
        if problem is not None:
            r.problems.add(problem)
        r.form[name] = (value, where_value)


def _show(raw: Any) -> str:
    return repr(raw) if isinstance(raw, str) else str(raw)


def _columns(it: Item) -> list[tuple[str, Leaf | None]]:
    """A table's columns: (header, field); a table of staff groups starts with the group's name (None)."""
    assert it.record is not None
    out: list[tuple[str, Leaf | None]] = [(STAFF_GROUP, None)] if it.shape == "groups" else []
    return out + [(column_label(leaf), leaf) for leaf in leaves(it.record)]


def records_from_rows(
    it: Item,
    rows: Sequence[Sequence[Any]],
    header: Sequence[str],
    r: _Reading | Any,
    *,
    sheet: str | None,
    file: str | None,
    row_numbers: Sequence[int] | None = None,
    flags: dict[tuple[int, int], CellFlag] | None = None,
    text_only: bool = False,
) -> tuple[list[Any] | dict[str, Any], Table] | None:
    """A record list from a table's rows (a sheet's, or a CSV file's): the records and where they sit.

    ``header`` is row 1; ``rows`` the rows after it, ``row_numbers`` their
    numbers (row 2 on, by default).  Problems go to ``r.problems``, notes to
    ``r.notes``.  None if the header is wrong (the problems say how).
    """
    columns = _columns(it)
    by_header: dict[str, tuple[str, Leaf | None]] = {}
    for label, leaf in columns:
        by_header[normalise_header(label)] = (label, leaf)
        if leaf is not None:
            by_header.setdefault(normalise_header(leaf.name), (label, leaf))
    def where(row: int | None, col: int | None, path: Path_ = ()) -> Location:
        return Location(file, row, col, path, sheet)

    placed: dict[str, int] = {}
    extra: list[str] = []
    unknown: list[tuple[int, str]] = []
    for col, text in enumerate(header, 1):
        text = str(text).strip() if text is not None else ""
        if not text:
            continue
        hit = by_header.get(normalise_header(text))
        if hit is None:
            unknown.append((col, text))
            continue
        label = hit[0]
        if label in placed:
            r.problems.add(Problem("E004", f"column '{text}' is given twice (first in column {column_letters(placed[label])})", where(1, col), "each column once"))
            continue
        placed[label] = col
    absent = [label for label, _ in columns if label not in placed]
    for col, text in unknown:
        suggestion = did_you_mean(text, absent)
        if suggestion:
            r.problems.add(Problem("V075", f"unknown column '{text}'", where(1, col), f"a column '{suggestion}'", suggestion))
            absent.remove(suggestion)
        else:
            extra.append(text)
    if extra:
        r.notes.append(f"{sheet or file}: columns not read (not part of the evidence): {', '.join(extra)}")
    numbers = list(row_numbers) if row_numbers is not None else list(range(2, len(rows) + 2))
    used = [(label, leaf, placed[label]) for label, leaf in columns if label in placed]
    records: list[tuple[int, Any, dict[tuple[str, ...], Any]]] = []
    for row, values in zip(numbers, rows):
        cells: dict[tuple[str, ...], Any] = {}
        any_value = False
        width = len(values)
        for _, leaf, col in used:
            raw = values[col - 1] if col <= width else None
            flag = flags.get((row, col)) if flags else None
            if leaf is None:
                cells[()] = raw
                any_value = any_value or not _is_blank(raw)
                continue
            value = quick_value(raw, leaf) if flag is None and not text_only else SLOW
            if value is SLOW:
                value, problem = cell_value(raw, leaf, where(row, col, (*it.path, len(records), *leaf.path)), flag, text_only=text_only)
                if problem is not None:
                    r.problems.add(problem)
                    any_value = True
            if value is not BLANK:
                any_value = True
            cells[leaf.path] = value
        if any_value:
            records.append((row, cells.pop((), None), cells))
    required = [label for label, leaf in columns if label in absent and (leaf is None or leaf.required)]
    if records and required:
        for label in required:
            r.problems.add(
                Problem("V076", f"there is no '{label}' column (every record needs it)", where(1, 1),
                        f"a column '{label}' in row 1", did_you_mean(label, [t for _, t in unknown]))
            )
        return None
    table = Table(file, sheet, 1, columns={leaf.path[:n]: col for _, leaf, col in reversed(used) if leaf is not None for n in range(1, len(leaf.path) + 1)},
                  first_column=min((col for _, _, col in used), default=1))
    assert it.record is not None
    if it.shape == "groups":
        groups: dict[str, Any] = {}
        for row, key, cells in records:
            group = _group_name(key)
            if not group:
                r.problems.add(Problem("V011", "a row with no staff group", where(row, placed.get(STAFF_GROUP)), "the staff group's name, e.g. midwives"))
                continue
            if group in groups:
                r.problems.add(
                    Problem("E004", f"staff group '{group}' is given twice (first in row {table.keys[group]})", where(row, placed.get(STAFF_GROUP)), "each staff group once")
                )
                continue
            groups[group] = assemble(it.record, cells)
            table.keys[group] = row
        return groups, table
    out = []
    for row, _, cells in records:
        out.append(assemble(it.record, cells))
        table.rows.append(row)
    return out, table


def _group_name(raw: Any) -> str:
    if _is_blank(raw):
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _read_table(sheet: _Sheet, it: Item, r: _Reading) -> None:
    found = records_from_rows(it, sheet.rows[1:], sheet.header(), r, sheet=sheet.name, file=r.file, flags=sheet.flags)
    if found is not None:
        r.tables[it.name] = found


def _is_form(sheet: _Sheet) -> bool:
    cols = _headers(sheet)
    return normalise_header(KEY) in cols or normalise_header(VALUE) in cols


def _read_sheets(sheets: list[_Sheet], r: _Reading) -> None:
    by_sheet_name = {normalise_header(name): path for path, name in LIST_SHEETS.items()}
    names = [s.name for s in sheets]
    unknown: list[_Sheet] = []
    seen_lists: set[str] = set()
    has_cover = False
    for sheet in sheets:
        list_path = by_sheet_name.get(normalise_header(sheet.name))
        if normalise_header(sheet.name) == normalise_header(COVER):
            has_cover = True
            _read_form(sheet, r)
        elif list_path is not None:
            seen_lists.add(list_path)
            it = item(list_path)
            assert it is not None
            _read_table(sheet, it, r)
        elif _is_form(sheet):
            _read_form(sheet, r)
        else:
            unknown.append(sheet)
    # A sheet whose name is close to one that is needed and missing is a misspelling, not the user's own sheet.
    wanted = [LIST_SHEETS[p] for p, (value, _) in r.markers.items() if value is BLANK and p not in seen_lists]
    missing = wanted + ([] if has_cover else [COVER])
    explained: set[str] = set()
    for sheet in unknown:
        suggestion = did_you_mean(sheet.name, missing)
        if suggestion:
            r.problems.add(Problem("V074", f"unknown sheet '{sheet.name}'", Location(r.file, sheet=sheet.name), f"a sheet named '{suggestion}'", suggestion))
            explained.add(suggestion)
        elif sheet.rows and any(not _is_blank(v) for row in sheet.rows for v in row):
            r.notes.append(f"sheet '{sheet.name}' is not read (not part of the evidence)")
    if not has_cover and COVER not in explained:
        r.problems.add(
            Problem("V073", f"there is no sheet '{COVER}' (the trust, the period, who submitted it)", Location(r.file),
                    "a workbook made by 'compliance template SCHEME --format xlsx' or 'compliance convert'", did_you_mean(COVER, names))
        )
    for path, (value, (sheet_name, row, col)) in r.markers.items():
        sheet_for = LIST_SHEETS[path]
        if value is BLANK and path not in seen_lists and sheet_for not in explained:
            r.problems.add(
                Problem("V073", f"there is no sheet '{sheet_for}' for the records of {path}", Location(r.file, row, col, tuple(path.split(".")), sheet_name),
                        f"a sheet named '{sheet_for}', or '{NONE}' here when there were none", did_you_mean(sheet_for, names))
            )


# ------------------------------------------------------------------ 4. assemble


def assemble_evidence(r: _Reading, cells: dict[Path_, tuple[str, int, int]], tables: dict[Path_, Table]) -> dict[str, Any]:
    """The evidence as nested data from what the sheets held; ``cells`` and ``tables`` are filled with where each value sits."""
    data: dict[str, Any] = {}
    for it in items():
        if it.shape == "form":
            values: dict[tuple[str, ...], Any] = {}
            for leaf in it.form_leaves():
                key = ".".join((*it.path, *leaf.path))
                if key in r.form:
                    value, where = r.form[key]
                    values[leaf.path] = value
                    full: Path_ = (*it.path, *leaf.path)
                    for n in range(len(it.path), len(full) + 1):
                        cells.setdefault(full[:n], where)
            if not values:
                continue
            if it.record is None:
                value = values[()]
                if value is BLANK:
                    if it.field.is_required() or len(it.path) > 1:
                        _put(data, it.path, None)  # a blank catalogue item, or a header field that must be given: not yet filled
                    continue
                _put(data, it.path, value)
                continue
            record = assemble(it.record, values)
            if record is None and len(it.path) == 1 and it.field.is_required():
                # A header record left blank (the trust, who submitted it): each field is not yet filled.
                record = {name: None for name, f in it.record.model_fields.items() if f.is_required()}
            _put(data, it.path, record)
            continue
        marker = r.markers.get(it.name)
        table = r.tables.get(it.name)
        if marker is not None:
            cells.setdefault(it.path, marker[1])
        if table is not None and table[0]:
            if marker is not None and marker[0] == NONE:
                sheet, row, col = marker[1]
                r.problems.add(
                    Problem("V083", f"says '{NONE}', but sheet {LIST_SHEETS[it.name]} lists {len(table[0])} record(s)", Location(r.file, row, col, it.path, sheet),
                            "blank when the records are on their sheet; 'none' only when there were none")
                )
            _put(data, it.path, table[0])
            tables[it.path] = table[1]
        elif marker is not None and marker[0] == NONE:
            _put(data, it.path, [] if it.shape == "list" else {})
        elif marker is not None or table is not None:
            _put(data, it.path, None)  # the list's row or sheet is there, and empty: not yet filled
            if table is not None:
                tables[it.path] = table[1]
    return data


def _put(data: dict[str, Any], path: Sequence[str], value: Any) -> None:
    target = data
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value


def read_workbook_bytes(data: bytes, file: str) -> SheetDocument:
    """An evidence workbook's bytes as a :class:`SheetDocument` (an :class:`EvidenceError` naming the cell if a value cannot be read)."""
    refused = _refuse(data, file)
    if refused is not None:
        raise EvidenceError([refused])
    sheets = _sheets(data, file)
    problems = ProblemCollector(EvidenceError, file=file)
    r = _Reading(file, problems, [])
    _read_sheets(sheets, r)
    cells: dict[Path_, tuple[str, int, int]] = {}
    tables: dict[Path_, Table] = {}
    evidence = assemble_evidence(r, cells, tables)
    problems.raise_if_any()
    return SheetDocument(evidence, file, None, notes=r.notes, cells=cells, tables=tables)

