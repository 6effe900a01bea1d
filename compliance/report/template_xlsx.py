"""The evidence template as an Excel workbook, and any evidence written into one (``compliance convert``).

Generated from the schemes, never drawn by hand, with the same derivation as
the YAML template (:mod:`.template`): the same sections in the same order
(:func:`.template.ordered_sections`), the same items under each
(:func:`.template.section_items`) and the same words for what each field is
for and what leaving it blank does (:func:`.template.field_labels`,
:func:`.template.field_effect`).  The layout is the one the reader knows
(:mod:`compliance.evidence.sheets`):

* a *Cover* sheet: the trust, its ODS code, the period, who submitted it and
  when, and the board's sign-off;
* one form sheet per safety action or element, one row per field: its
  label, its value, the requirements it is needed for, what leaving it blank
  does, help, and its key;
* one table sheet per record list (perinatal deaths, qualifying cases, staff
  groups per training measure, board reports, champion meetings ...), one
  row per record;
* in a converted workbook, an *Other evidence* sheet for items no section of
  its schemes reads, so that converting loses nothing.

Real Excel features: typed cells (dates as dates), data validation (yes/no
dropdowns, category lists, whole numbers >= 0, dates), frozen header rows,
column widths, a help column on every form field and a comment on every
table column.  The bytes are the same for the same input (no timestamps).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..errors import EvidenceError, Location, Problem
from ..evidence.model import Evidence
from ..evidence.sheets import (
    COVER,
    DATE_FORMAT,
    FORM_HEADERS,
    LIST_SHEETS,
    NONE,
    OTHER,
    STAFF_GROUP,
    Item,
    Leaf,
    column_label,
    expected,
    humanise,
    item,
    items,
    leaves,
)
from ..evidence.types import unwrap
from ..schemes.loader import builtin_schemes
from ..schemes.model import Scheme
from ..schemes.needs import Need, needs
from ..schemes.selection import dependencies_first
from .template import (
    HEADER_FIELDS,
    field_effect,
    field_labels,
    needed_paths,
    ordered_sections,
    section_items,
)

__all__ = ["render", "normalise_zip", "print_wide", "FIXED_TIME"]

#: Every part of the package is dated this (a workbook's bytes depend on its contents only).
FIXED_TIME = (2000, 1, 1, 0, 0, 0)

_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADING_FONT = Font(bold=True, size=12)
_ITEM_FONT = Font(bold=True)
_NOTE_FONT = Font(italic=True, color="555555")
_KEY_FONT = Font(color="808080")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
#: Form sheet column widths, in the order of FORM_HEADERS.
_FORM_WIDTHS = (46, 24, 30, 52, 64, 44)
#: Rows a table's validation reaches: the whole sheet.
_LAST_ROW = 1_048_576


# ------------------------------------------------------------------ what each field is for


@dataclass(slots=True)
class _Words:
    """What the schemes say of each field, derived once."""

    labels: dict[str, str]
    needed: dict[str, list[str]]
    uses: dict[str, list[Need]]

    def needed_for(self, path: str, *, required: bool = False) -> str:
        """The requirement ids that read ``path``; for a field its record must have, those of the nearest thing read above it."""
        p = path
        while True:
            found = self.uses.get(p)
            if found:
                return ", ".join(dict.fromkeys(n.requirement for n in found))
            if not required or "." not in p:
                return ""
            p = p.rsplit(".", 1)[0].removesuffix("[]")

    def effect(self, path: str, f: FieldInfo | None) -> str:
        return field_effect(path, f, self.labels)


def _words(schemes: Sequence[Scheme]) -> _Words:
    return _Words(field_labels(schemes), needed_paths(schemes), needs(dependencies_first(schemes)))


def _describe(f: FieldInfo | None, tp: Any = None) -> str:
    desc = ((f.description if f else None) or "").strip()
    tp = unwrap(tp if tp is not None else (f.annotation if f else None))
    if not desc and isinstance(tp, type) and issubclass(tp, BaseModel) and tp.__doc__:
        desc = tp.__doc__.strip().splitlines()[0]
    return desc


# ------------------------------------------------------------------ values into cells


def _get(data: Mapping[str, Any] | None, path: Sequence[str | int]) -> Any:
    cur: Any = data
    for part in path:
        if isinstance(cur, Mapping):
            cur = cur.get(part)
        elif isinstance(cur, (list, tuple)) and isinstance(part, int) and 0 <= part < len(cur):
            cur = cur[part]
        else:
            return None
        if cur is None:
            return None
    return cur


def _cell_value(value: Any, leaf: Leaf) -> Any:
    """A value of the evidence as a typed cell: a date as a date, yes/no as the dropdown's words, a list as text."""
    if value is None:
        return None
    if leaf.kind == "yesno" and isinstance(value, bool):
        return "yes" if value else "no"
    if leaf.kind == "date":
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value


def _set(ws: Worksheet, row: int, col: int, value: Any, leaf: Leaf | None = None, where: tuple[str | int, ...] = ()) -> None:
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        # A workbook cannot hold control characters; dropping them would change the value.
        raise EvidenceError(
            [Problem("V085", f"the text {value[:40]!r} holds a control character, which a workbook cannot hold", Location(path=where),
                     "text without control characters (tabs and line breaks are fine in JSON, not in a cell)")]
        )
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if leaf is not None and leaf.kind == "date":
        cell.number_format = DATE_FORMAT


# ------------------------------------------------------------------ data validation


class _Validations:
    """One rule per kind of cell on a sheet, each over every cell of that kind."""

    def __init__(self) -> None:
        self.rules: dict[tuple[Any, ...], tuple[DataValidation, list[str]]] = {}

    def add(self, leaf: Leaf, ref: str) -> None:
        key = (leaf.kind, leaf.choices, leaf.minimum, leaf.maximum)
        if key not in self.rules:
            rule = _rule(leaf)
            if rule is None:
                return
            self.rules[key] = (rule, [])
        self.rules[key][1].append(ref)

    def attach(self, ws: Worksheet) -> None:
        for rule, refs in self.rules.values():
            rule.sqref = " ".join(refs)
            ws.add_data_validation(rule)


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _rule(leaf: Leaf) -> DataValidation | None:
    what = expected(leaf)
    kw: dict[str, Any] = dict(allow_blank=True, showErrorMessage=True, errorTitle="Not a valid value", error=what[:225], showInputMessage=False)
    if leaf.kind == "yesno":
        return DataValidation(type="list", formula1='"yes,no"', **kw)
    if leaf.kind == "choice":
        listed = ",".join(leaf.choices)
        if len(listed) > 250:
            return None
        return DataValidation(type="list", formula1=f'"{listed}"', **kw)
    if leaf.kind == "whole":
        lo = _number(leaf.minimum) if leaf.minimum is not None else None
        hi = _number(leaf.maximum) if leaf.maximum is not None else None
        if lo is not None and hi is not None:
            return DataValidation(type="whole", operator="between", formula1=lo, formula2=hi, **kw)
        if lo is not None:
            return DataValidation(type="whole", operator="greaterThanOrEqual", formula1=lo, **kw)
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="-1000000000", **kw)
    if leaf.kind in ("number", "percent"):
        lo = _number(leaf.minimum if leaf.minimum is not None else -1e9)
        hi = _number(leaf.maximum if leaf.maximum is not None else 1e12)
        return DataValidation(type="decimal", operator="between", formula1=lo, formula2=hi, **kw)
    if leaf.kind == "date":
        # 1 January 1990 to 31 December 2099, as Excel's day numbers.
        return DataValidation(type="date", operator="between", formula1="32874", formula2="73415", **kw)
    return None


# ------------------------------------------------------------------ form sheets


class _Form:
    """A form sheet being written: one row per field, headings between items."""

    def __init__(self, ws: Worksheet, words: _Words, data: Mapping[str, Any] | None):
        self.ws = ws
        self.words = words
        self.data = data
        self.row = 1
        self.validations = _Validations()
        for col, (title, width) in enumerate(zip(FORM_HEADERS, _FORM_WIDTHS), 1):
            cell = ws.cell(row=1, column=col, value=title)
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = "C2"

    def line(self, text: str, font: Font, **more: str) -> int:
        self.row += 1
        cell = self.ws.cell(row=self.row, column=1, value=text)
        cell.font = font
        cell.alignment = _WRAP
        for col, value in ((3, more.get("needed")), (4, more.get("blank")), (5, more.get("help"))):
            if value:
                c = self.ws.cell(row=self.row, column=col, value=value)
                c.alignment = _WRAP
        return self.row

    def field(self, label: str, key: str, leaf: Leaf, value: Any, needed: str, blank: str, help_: str) -> None:
        self.row += 1
        ws, r = self.ws, self.row
        ws.cell(row=r, column=1, value=label).alignment = _WRAP
        _set(ws, r, 2, _cell_value(value, leaf), leaf, tuple(key.split(".")))
        ws.cell(row=r, column=2).fill = _INPUT_FILL
        ws.cell(row=r, column=2).alignment = _TOP
        for col, text in ((3, needed), (4, blank), (5, help_)):
            if text:
                ws.cell(row=r, column=col, value=text).alignment = _WRAP
        key_cell = ws.cell(row=r, column=6, value=key)
        key_cell.font = _KEY_FONT
        key_cell.alignment = _TOP
        self.validations.add(leaf, f"B{r}")

    def record(self, model: type[BaseModel], path: tuple[str, ...], depth: int) -> None:
        """A record's fields, a record inside it (a document) under its own heading."""
        indent = "    " * depth
        for name, f in model.model_fields.items():
            sub = (*path, name)
            dotted = ".".join(sub)
            tp = unwrap(f.annotation)
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                self.line(indent + humanise(name), _ITEM_FONT, needed=self.words.needed_for(dotted), blank=self.words.effect(dotted, f), help=_describe(f, tp))
                self.record(tp, sub, depth + 1)
                continue
            leaf = _leaf(model, name)
            self.field(
                indent + humanise(name),
                dotted,
                leaf,
                _get(self.data, sub),
                self.words.needed_for(dotted, required=leaf.required),
                self.words.effect(dotted, f),
                _help(f, leaf),
            )

    def item(self, it: Item, value_key: str | None = None) -> None:
        """An item: a heading and its fields, one row for a single value, or one row pointing at a record list's sheet."""
        name = it.name
        f = it.field
        desc = _describe(f)
        if it.shape != "form":
            sheet = LIST_SHEETS[name]
            listed = _get(self.data, it.path)
            marker = NONE if listed is not None and len(listed) == 0 else None
            leaf = Leaf((), "text", f, False)
            help_ = (desc + " " if desc else "") + f"The records go on sheet '{sheet}', one row each; write '{NONE}' here if there were none in the period."
            self.row += 1
            r = self.row
            cell = self.ws.cell(row=r, column=1, value=f"{humanise(it.path[-1])} (sheet {sheet})")
            cell.font = _ITEM_FONT
            cell.hyperlink = f"#{quote_sheetname(sheet)}!A1"
            cell.alignment = _WRAP
            _set(self.ws, r, 2, marker)
            self.ws.cell(row=r, column=2).fill = _INPUT_FILL
            for col, text in ((3, ", ".join(self.words.needed.get(name, []))), (4, self.words.effect(name, f)), (5, help_)):
                if text:
                    self.ws.cell(row=r, column=col, value=text).alignment = _WRAP
            self.ws.cell(row=r, column=6, value=name).font = _KEY_FONT
            rule = DataValidation(type="list", formula1=f'"{NONE}"', allow_blank=True, showErrorMessage=True, errorTitle="Not a valid value",
                                  error=f"'{NONE}', or blank when the records are on sheet {sheet}")
            rule.sqref = f"B{r}"
            self.ws.add_data_validation(rule)
            return
        if it.record is None:
            (leaf,) = it.form_leaves()
            self.field(humanise(it.path[-1]), name, leaf, _get(self.data, it.path), ", ".join(self.words.needed.get(name, [])),
                       self.words.effect(name, f), _help(f, leaf))
            return
        self.line(humanise(it.path[-1]), _ITEM_FONT, needed=", ".join(self.words.needed.get(name, [])), blank=self.words.effect(name, f), help=desc)
        self.record(it.record, it.path, 1)

    def finish(self) -> None:
        self.validations.attach(self.ws)


def _leaf(model: type[BaseModel], name: str) -> Leaf:
    for leaf in leaves(model):
        if leaf.path == (name,):
            return leaf
    raise KeyError(name)  # pragma: no cover - every scalar field of a model is one of its leaves


def _help(f: FieldInfo | None, leaf: Leaf) -> str:
    desc = _describe(f)
    hint = expected(leaf)
    if leaf.kind == "date":
        hint = "a date, e.g. 31/03/2021"
    return f"{desc} ({hint})" if desc else hint[:1].upper() + hint[1:] + "."


# ------------------------------------------------------------------ table sheets


def _table(wb: Workbook, it: Item, words: _Words, data: Mapping[str, Any] | None) -> None:
    assert it.record is not None
    ws = wb.create_sheet(LIST_SHEETS[it.name])
    columns: list[tuple[str, Leaf | None]] = [(STAFF_GROUP, None)] if it.shape == "groups" else []
    columns += [(column_label(leaf), leaf) for leaf in leaves(it.record)]
    record_path = it.name + "[]"
    for col, (label, leaf) in enumerate(columns, 1):
        cell = ws.cell(row=1, column=col, value=label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(14, min(40, len(label) + 4))
        if leaf is None:
            note = "The staff group's name, e.g. midwives, obstetric consultants. One row per group."
        else:
            path = f"{record_path}.{leaf.name}"
            parts = [_describe(leaf.field), words.effect(path, leaf.field)]
            needed = words.needed_for(path)
            if needed:
                parts.append(f"Read by {needed}.")
            parts.append(f"Write {expected(leaf)}.")
            note = " ".join(p for p in parts if p)
        comment = Comment(note, "compliance")
        comment.width = 320
        comment.height = 160
        cell.comment = comment
        if leaf is not None:
            if leaf.kind == "date":
                ws.column_dimensions[letter].number_format = DATE_FORMAT
            rule = _rule(leaf)
            if rule is not None:
                rule.sqref = f"{letter}2:{letter}{_LAST_ROW}"
                ws.add_data_validation(rule)
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 32
    listed = _get(data, it.path)
    if not listed:
        return
    rows: list[tuple[Any, Mapping[str, Any]]] = list(listed.items()) if it.shape == "groups" else [(None, r) for r in listed]
    for r, (group, record) in enumerate(rows, 2):
        for col, (_, leaf) in enumerate(columns, 1):
            where = (*it.path, group if group is not None else r - 2, *leaf.path) if leaf is not None else (*it.path, str(group))
            if leaf is None:
                _set(ws, r, col, group, where=where)
                continue
            value = _cell_value(_get(record, leaf.path), leaf)
            if value is not None:
                _set(ws, r, col, value, leaf, where)


# ------------------------------------------------------------------ the workbook


def _scheme_period(schemes: Sequence[Scheme]) -> tuple[dt.date, dt.date] | None:
    for s in dependencies_first(schemes):
        if s.period and s.period.start and s.period.end:
            return s.period.start, s.period.end
    return None


def _template_header(schemes: Sequence[Scheme]) -> dict[str, Any]:
    out: dict[str, Any] = {"schema_version": "1"}
    if all(s.id in set(builtin_schemes()) for s in schemes):
        out["schemes"] = [s.id for s in schemes]
    period = _scheme_period(schemes)
    if period is not None:
        out["period"] = {"start": period[0], "end": period[1]}
    return out


def _present(data: Mapping[str, Any] | None, it: Item) -> bool:
    if data is None:
        return False
    head = data.get(it.path[0]) if isinstance(data, Mapping) else None
    if len(it.path) == 1:
        return it.path[0] in data
    return isinstance(head, Mapping) and it.path[1] in head


def render(schemes: Sequence[Scheme], evidence: Mapping[str, Any] | None = None) -> bytes:
    """The workbook for ``schemes``: blank (a template) or holding ``evidence`` (nested data, as validated).

    Without evidence the schemes and the reporting period are filled in, as in the YAML template.
    """
    words = _words(schemes)
    data: Mapping[str, Any] = evidence if evidence is not None else _template_header(schemes)
    wb = Workbook()
    wb.remove(wb.active)
    names = ", ".join(f"{s.title} ({s.id}, {s.version})" for s in schemes)
    wb.properties.creator = "compliance"
    wb.properties.title = f"Evidence for: {names}"
    cover = _Form(wb.create_sheet(COVER), words, data)
    cover.line(f"Evidence for: {names}", _HEADING_FONT)
    cover.line(
        "Made by 'compliance template " + " ".join(s.id for s in schemes) + " --format xlsx'. Fill in each yellow Value cell. "
        "A cell left blank is 'not yet filled': the item it belongs to counts as not submitted, and every requirement that needs it "
        "is judged 'insufficient evidence', never guessed. Each row says what it is needed for and what leaving it blank does. "
        f"Record lists have a sheet each; write '{NONE}' on a list's row when there were none. "
        "Check the file with 'compliance validate FILE'.",
        _NOTE_FONT,
    )
    fields = Evidence.model_fields
    for name in HEADER_FIELDS:
        it = item(name)
        assert it is not None
        if it.record is None:
            (leaf,) = it.form_leaves()
            cover.field(humanise(name), name, leaf, _get(data, it.path), "", words.effect(name, fields[name]), _help(fields[name], leaf))
        else:
            cover.line(humanise(name), _ITEM_FONT, blank=words.effect(name, fields[name]), help=_describe(fields[name]))
            cover.record(it.record, it.path, 1)
    sign_off = item("board_sign_off")
    assert sign_off is not None
    cover.item(sign_off)
    cover.finish()
    placed: dict[str, str] = {"board_sign_off": COVER}
    lists: list[Item] = []
    for scheme, section, because in ordered_sections(schemes):
        here = section_items(scheme, section, words.needed)
        if not here:
            continue
        ws = wb.create_sheet(_sheet_name(section.id, wb.sheetnames))
        form = _Form(ws, words, data)
        form.line(f"{section.id}: {section.title}" + ("" if section.in_outcome else " (informative)"), _HEADING_FONT)
        if because:
            form.line(because + ".", _NOTE_FONT)
        again = [i for i in here if i in placed]
        if again:
            form.line("Also uses: " + ", ".join(f"{i} (on sheet {placed[i]})" for i in again) + ".", _NOTE_FONT)
        for name in here:
            it = item(name)
            if name in placed or it is None:
                continue
            placed[name] = ws.title
            form.item(it)
            if it.shape != "form":
                lists.append(it)
        form.finish()
    rest = [it for it in items() if it.name not in placed and it.name not in HEADER_FIELDS and _present(evidence, it)]
    if rest:
        form = _Form(wb.create_sheet(OTHER), words, data)
        form.line("Evidence no section of these schemes reads, kept so that nothing is lost.", _NOTE_FONT)
        for it in rest:
            form.item(it)
            if it.shape != "form":
                lists.append(it)
        form.finish()
    for it in lists:
        _table(wb, it, words, data)
    for ws in wb.worksheets:
        print_wide(ws)
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalise_zip(buffer.getvalue())


def _sheet_name(wanted: str, taken: Sequence[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "-", wanted)[:31]
    n = 2
    while name in taken:
        name = f"{wanted[:28]} {n}"
        n += 1
    return name


_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def print_wide(ws: Worksheet) -> None:
    """Print (or export to PDF) landscape, every column on one page's width, the header row on each page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def normalise_zip(data: bytes) -> bytes:
    """The same package with every part dated :data:`FIXED_TIME` and the document's own dates fixed: bytes that depend on content only."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATE.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            part = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            part.compress_type = zipfile.ZIP_DEFLATED
            part.external_attr = 0o600 << 16
            dst.writestr(part, content)
    return out.getvalue()

