"""How evidence is laid out in a workbook, and how a cell's value becomes a value of the evidence.

The one description the workbook reader (:mod:`.workbook`), the CSV record
reader (:mod:`.csv_records`) and the workbook writers
(``compliance.report.template_xlsx``) share, derived from the evidence models:

* **Form sheets** (the *Cover* and one sheet per safety action or element)
  hold one row per field: its label, its **Value**, what it is needed for,
  what leaving it blank does, help, and its **Key** -- the field's dotted
  evidence path (``counts.sbl_e1_co_at_booking.numerator``), which is how the
  reader knows the row, wherever it sits and whatever its sheet is called.
* **Table sheets** hold a record list (perinatal deaths, board reports, staff
  groups per training measure ...): one row per record, one column per field,
  the header in row 1.  Each list has its own sheet name (:data:`LIST_SHEETS`);
  its row on a form sheet says ``none`` when there were none.

A cell is typed deliberately (:func:`cell_value`): a number must be a number
cell, never text that looks like one; a date a date cell or ``dd/mm/yyyy``
text (UK order); a yes/no answer ``yes``/``no`` (the dropdown) or a
TRUE/FALSE cell; a percent field takes ``84%``.  A blank cell is "not yet
filled", as a blank in the YAML template is.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..errors import Location, Problem, did_you_mean
from .catalogue import SECTIONS
from .model import Evidence
from .records import PERCENT
from .types import unwrap

__all__ = [
    "COVER",
    "OTHER",
    "FORM_HEADERS",
    "KEY",
    "VALUE",
    "NONE",
    "STAFF_GROUP",
    "HEADER_FIELDS",
    "Kind",
    "Leaf",
    "Item",
    "leaves",
    "items",
    "item",
    "LIST_SHEETS",
    "list_sheet",
    "form_keys",
    "humanise",
    "normalise_header",
    "column_label",
    "Blank",
    "BLANK",
    "cell_value",
    "DATE_FORMAT",
    "CellFlag",
    "expected",
    "blank_value",
    "assemble",
    "quick_value",
    "SLOW",
]

#: The sheet with who, which trust, which period and the board's sign-off.
COVER = "Cover"
#: The form sheet a converted workbook puts evidence on that no section of its schemes reads.
OTHER = "Other evidence"
KEY = "Key"
VALUE = "Value"
#: A form sheet's columns, in order.  The reader needs only Key and Value; the rest are for people.
FORM_HEADERS: tuple[str, ...] = ("Field", VALUE, "Needed for", "If left blank", "Help", KEY)
#: A record list's Value on a form sheet when there were none in the period (blank: the rows on its sheet).
NONE = "none"
#: The first column of a table of figures per staff group.
STAFF_GROUP = "Staff group"
#: The Cover's fields, in order (board_sign_off follows them).
HEADER_FIELDS: tuple[str, ...] = ("schema_version", "schemes", "trust", "period", "assessment_date", "submitted_by", "submitted_on")
#: How dates are shown: UK order, as typed.
DATE_FORMAT = "dd/mm/yyyy"

Kind = Literal["text", "texts", "whole", "number", "percent", "yesno", "date", "choice", "choices"]
Path_ = tuple[str, ...]


# ------------------------------------------------------------------ words

#: Words written in capitals (or their own case) when a name becomes a label.
_WORDS = {
    "pmrt": "PMRT", "msds": "MSDS", "atain": "ATAIN", "sbl": "SBL", "lms": "LMS", "mvp": "MVP", "coc": "CoC",
    "hsib": "HSIB", "sa8": "SA8", "co": "CO", "ods": "ODS", "id": "ID", "cqims": "CQIMs", "ctg": "CTG", "rfm": "RFM",
    "tc": "TC", "si": "SI", "ned": "NED", "wte": "WTE", "mgso4": "MgSO4", "nhsr": "NHSR", "bapm": "BAPM",
    "e1": "E1", "e2": "E2", "e3": "E3", "e4": "E4", "e5": "E5",
}


def humanise(name: str) -> str:
    """``review_started_on`` -> ``Review started on``; ``document.title`` -> ``Document title``."""
    words = [w for w in re.split(r"[._\s]+", name) if w]
    out = [_WORDS.get(w.lower(), w) for w in words]
    if out and out[0] == words[0]:
        out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


def normalise_header(text: str) -> str:
    """A header as compared: case, spaces, dots and underscores do not matter (``Died on`` = ``died_on``)."""
    return " ".join(re.split(r"[._\s-]+", text.strip().lower())).strip()


# ------------------------------------------------------------------ fields


@dataclass(frozen=True, slots=True)
class Leaf:
    """One field a cell holds: its path inside its record or item, its type and its constraints."""

    path: Path_
    kind: Kind
    field: FieldInfo
    #: The field has no default in its record: blank, it is "not yet filled" (null), not left out.
    required: bool
    choices: tuple[str, ...] = ()
    #: Bounds from the model (``ge``, ``le``, ``gt``), for the writer's data validation.
    minimum: float | None = None
    maximum: float | None = None

    @property
    def name(self) -> str:
        return ".".join(self.path)


def _kind(tp: Any, field: FieldInfo) -> tuple[Kind, tuple[str, ...]]:
    tp = unwrap(tp)
    origin = typing.get_origin(tp)
    if tp is bool:
        return "yesno", ()
    if tp is int:
        return "whole", ()
    if tp is float:
        extra = field.json_schema_extra
        return ("percent" if isinstance(extra, dict) and extra.get("unit") == PERCENT["unit"] else "number"), ()
    if tp is dt.date:
        return "date", ()
    if origin is Literal:
        return "choice", tuple(str(a) for a in typing.get_args(tp))
    if origin is tuple:
        inner = unwrap(typing.get_args(tp)[0])
        if typing.get_origin(inner) is Literal:
            return "choices", tuple(str(a) for a in typing.get_args(inner))
        return "texts", ()
    return "text", ()


def _bounds(field: FieldInfo) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in field.metadata:
        if getattr(m, "ge", None) is not None:
            lo = m.ge
        if getattr(m, "gt", None) is not None:
            lo = m.gt
        if getattr(m, "le", None) is not None:
            hi = m.le
    return lo, hi


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _required(field: FieldInfo) -> bool:
    extra = field.json_schema_extra
    return field.is_required() or (isinstance(extra, dict) and extra.get("required_unless") == "suppressed")


@functools.lru_cache(maxsize=None)
def leaves(model: type[BaseModel]) -> tuple[Leaf, ...]:
    """Every field of ``model`` a cell holds, records inside it flattened (``document.title``), in model order."""
    out: list[Leaf] = []
    for name, f in model.model_fields.items():
        tp = unwrap(f.annotation)
        if _is_model(tp):
            out += [Leaf((name, *leaf.path), leaf.kind, leaf.field, leaf.required, leaf.choices, leaf.minimum, leaf.maximum) for leaf in leaves(tp)]
            continue
        kind, choices = _kind(tp, f)
        lo, hi = _bounds(f)
        out.append(Leaf((name,), kind, f, _required(f), choices, lo, hi))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Item:
    """An item of the evidence: a header record, a catalogue item, or the board's sign-off.

    ``shape`` says how a workbook holds it: ``form`` (rows of a form sheet; ``record``
    is the model its fields belong to, None for a single value), ``list`` (a table,
    one row per record of ``record``) or ``groups`` (a table, one row per staff group).
    """

    path: Path_
    shape: Literal["form", "list", "groups"]
    record: type[BaseModel] | None
    field: FieldInfo

    @property
    def name(self) -> str:
        return ".".join(self.path)

    def form_leaves(self) -> tuple[Leaf, ...]:
        """The rows of a form item: one per field (a single value: the item itself)."""
        if self.record is not None:
            return leaves(self.record)
        kind, choices = _kind(self.field.annotation, self.field)
        lo, hi = _bounds(self.field)
        return (Leaf((), kind, self.field, _required(self.field), choices, lo, hi),)


def _item_of(path: Path_, f: FieldInfo) -> Item:
    tp = unwrap(f.annotation)
    origin = typing.get_origin(tp)
    if origin is list:
        return Item(path, "list", unwrap(typing.get_args(tp)[0]), f)
    if origin is dict:
        return Item(path, "groups", unwrap(typing.get_args(tp)[1]), f)
    return Item(path, "form", tp if _is_model(tp) else None, f)


@functools.lru_cache(maxsize=None)
def items() -> tuple[Item, ...]:
    """Every item of the evidence, header first, then the board's sign-off, then the catalogue in model order."""
    fields = Evidence.model_fields
    out = [_item_of((name,), fields[name]) for name in HEADER_FIELDS]
    out.append(_item_of(("board_sign_off",), fields["board_sign_off"]))
    for section in SECTIONS:
        model = unwrap(fields[section].annotation)
        out += [_item_of((section, name), f) for name, f in model.model_fields.items()]
    return tuple(out)


@functools.lru_cache(maxsize=None)
def _by_name() -> dict[str, Item]:
    return {i.name: i for i in items()}


def item(name: str) -> Item | None:
    """The item called ``name`` (``cases.perinatal_deaths``, ``trust``), if there is one."""
    return _by_name().get(name)


#: Sheet names that say more than the field's name would.
_SHEET_NAMES = {"cases.perinatal_deaths": "Deaths", "teams.coc": "CoC teams"}


def _list_sheets() -> dict[str, str]:
    out: dict[str, str] = {}
    for it in items():
        if it.shape != "form":
            out[it.name] = _SHEET_NAMES.get(it.name) or humanise(it.path[-1])
    return out


#: Record list (item path) -> the name of its table sheet (at most 31 characters: Excel's limit).
LIST_SHEETS: dict[str, str] = _list_sheets()


def list_sheet(name: str) -> str | None:
    return LIST_SHEETS.get(name)


@functools.lru_cache(maxsize=None)
def form_keys() -> dict[str, tuple[Item, Leaf | None]]:
    """Every Key a form sheet may hold -> its item and field (None: a record list's own row)."""
    out: dict[str, tuple[Item, Leaf | None]] = {}
    for it in items():
        if it.shape != "form":
            out[it.name] = (it, None)
            continue
        for leaf in it.form_leaves():
            out[".".join((*it.path, *leaf.path))] = (it, leaf)
    return out


def column_label(leaf: Leaf) -> str:
    """A table column's header: ``Died on``, ``Document title``."""
    return humanise(leaf.name)


# ------------------------------------------------------------------ cell values


class Blank:
    """A cell with nothing in it: "not yet filled"."""

    _instance: Blank | None = None

    def __new__(cls) -> Blank:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "BLANK"


BLANK = Blank()

#: What the reader knows of a cell beyond its value: shown as a percent, a formula Excel never
#: calculated (no cached value), or an error value (``#DIV/0!``).
CellFlag = Literal["percent", "formula", "error"]

_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PERCENT_TEXT = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%$")
_NUMBER_TEXT = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_YES = frozenset({"yes", "true"})
_NO = frozenset({"no", "false"})
_YES_LIKE = frozenset({"y", "1", "on", "ticked", "x"})
_NO_LIKE = frozenset({"n", "0", "off"})
#: The first day of Excel's calendar, for a date typed as a bare number.
_EXCEL_EPOCH = dt.date(1899, 12, 30)

_WHAT = {
    "text": "text",
    "texts": "text (several: separated by commas)",
    "whole": "a whole number",
    "number": "a number",
    "percent": "a percent from 0 to 100 (e.g. 84 or 84%)",
    "yesno": "yes or no",
    "date": "a date (typed as a date, or as dd/mm/yyyy)",
    "choice": "one of the list",
    "choices": "one or more of the list, separated by commas",
}


def expected(leaf: Leaf) -> str:
    """What a cell for ``leaf`` should hold, for a message."""
    if leaf.kind in ("choice", "choices"):
        return ("one of: " if leaf.kind == "choice" else "one or more of (separated by commas): ") + ", ".join(leaf.choices)
    return _WHAT[leaf.kind]


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _choice(word: str, leaf: Leaf, where: Location) -> tuple[str | Blank, Problem | None]:
    key = "_".join(word.strip().lower().replace("-", " ").split())
    if key in leaf.choices:
        return key, None
    for choice in leaf.choices:
        if choice.lower() == key:
            return choice, None
    return BLANK, Problem(
        "V012", f"'{word}' is not one of the list", where, expected(leaf), did_you_mean(key, leaf.choices)
    )


#: What :func:`quick_value` returns when a cell needs the full reading (and perhaps a problem).
SLOW = object()


def quick_value(raw: Any, leaf: Leaf) -> Any:
    """The value of an ordinary cell, quickly (a date cell, a number, a word of the list); :data:`SLOW` for anything else.

    What it returns is what :func:`cell_value` would; it only spares the common
    cells of a long list the full reading.
    """
    kind = leaf.kind
    if raw is None:
        return BLANK
    tp = type(raw)
    if tp is str:
        if kind == "text":
            text = raw.strip()
            return text if text else BLANK
        if kind == "choice" and raw in leaf.choices:
            return raw
        if kind == "yesno":
            word = raw.strip().lower()
            return True if word in _YES else False if word in _NO else SLOW if word else BLANK
        return BLANK if not raw.strip() else SLOW
    if kind == "date":
        if tp is dt.datetime:
            return raw.date()
        return raw if tp is dt.date else SLOW
    if tp is bool:
        return raw if kind == "yesno" else SLOW
    if tp is float or tp is int:
        if kind == "whole" and float(raw).is_integer():
            return int(raw)
        if kind == "number" or kind == "percent":
            return _tidy(raw) if math.isfinite(raw) else SLOW
    return SLOW


def cell_value(raw: Any, leaf: Leaf, where: Location, flag: CellFlag | None = None, *, text_only: bool = False) -> tuple[Any, Problem | None]:
    """The value a cell holds for ``leaf``, typed as the evidence needs it, or :data:`BLANK`; else a located problem.

    ``raw`` is what the spreadsheet stored: text, a number, a boolean, a date or
    date-time, or ``""`` / None for an empty cell.  ``text_only`` is for a CSV
    file, where every cell is text and a number has no other way to be written.
    """
    if flag == "formula":
        return BLANK, Problem(
            "V079",
            "a formula with no calculated value (the workbook was saved by a program that does not calculate, and never opened in a spreadsheet)",
            where,
            "open the workbook in Excel or LibreOffice and save it, or type the value",
        )
    if flag == "error":
        return BLANK, Problem("V080", f"the cell holds an error value{f' ({raw})' if raw else ''}, not {expected(leaf)}", where, expected(leaf))
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return BLANK, None
    if isinstance(raw, str):
        raw = raw.strip()
    kind = leaf.kind
    if kind in ("whole", "number", "percent"):
        return _number(raw, leaf, where, flag == "percent", text_only)
    if kind == "yesno":
        return _yesno(raw, where)
    if kind == "date":
        return _date(raw, where)
    if isinstance(raw, bool) or isinstance(raw, (dt.date, dt.datetime, dt.timedelta)):
        return BLANK, Problem("V013", f"{_shown(raw)} is {_what_is(raw)}, not {expected(leaf)}", where, expected(leaf))
    text = _plain(raw) if isinstance(raw, (int, float)) else str(raw)
    if kind == "choice":
        return _choice(text, leaf, where)
    if kind == "choices":
        picked: list[str] = []
        for part in (p for p in re.split(r"[,;\n]", text) if p.strip()):
            value, problem = _choice(part, leaf, where)
            if problem is not None:
                return BLANK, problem
            assert isinstance(value, str)
            picked.append(value)
        return picked, None
    if kind == "texts":
        return [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()], None
    return text, None


def _shown(raw: Any) -> str:
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, float):
        return _plain(raw)
    if isinstance(raw, str):
        return repr(raw)
    return str(raw)


def _what_is(raw: Any) -> str:
    if isinstance(raw, bool):
        return "a TRUE/FALSE cell"
    if isinstance(raw, (dt.date, dt.datetime)):
        return "a date"
    if isinstance(raw, dt.timedelta):
        return "a duration"
    if isinstance(raw, (int, float)):
        return "a number"
    return "text"


def _number(raw: Any, leaf: Leaf, where: Location, percent_cell: bool, text_only: bool) -> tuple[Any, Problem | None]:
    kind = leaf.kind
    if isinstance(raw, bool):
        return BLANK, Problem("V061", f"{_shown(raw)} is a yes/no answer, not a number", where, expected(leaf))
    if isinstance(raw, str):
        pct = _PERCENT_TEXT.match(raw)
        if pct and kind == "percent":
            return _tidy(float(pct.group(1))), None
        if pct:
            return BLANK, Problem(
                "V061", f"'{raw}' is a percent, but {leaf.name or 'this'} is {expected(leaf)} (how many, not a share)", where, expected(leaf)
            )
        if _NUMBER_TEXT.match(raw) and text_only:
            number = float(raw)
            return _number(int(number) if number.is_integer() and "." not in raw and "e" not in raw.lower() else number, leaf, where, False, text_only)
        if _NUMBER_TEXT.match(raw):
            number = float(raw)
            fixed = _plain(number) if kind != "whole" or number.is_integer() else None
            return BLANK, Problem(
                "V061", f"'{raw}' is text, not a number (the cell is formatted as text)", where, expected(leaf), f"{fixed} (a number)" if fixed else None
            )
        return BLANK, Problem("V061", f"'{raw}' is text, not a number", where, expected(leaf))
    if isinstance(raw, (dt.date, dt.datetime, dt.timedelta)):
        return BLANK, Problem("V061", f"{_shown(raw)} is {_what_is(raw)}, not a number", where, expected(leaf))
    if not isinstance(raw, (int, float)) or not math.isfinite(raw):
        return BLANK, Problem("V061", f"{raw!r} is not a number", where, expected(leaf))
    if percent_cell:
        if kind != "percent":
            return BLANK, Problem(
                "V061",
                f"{_tidy(raw * 100)}% is a percent, but {leaf.name or 'this'} is {expected(leaf)} (how many, not a share)",
                where,
                expected(leaf),
            )
        return _tidy(raw * 100), None
    if kind == "whole":
        if float(raw).is_integer():
            return int(raw), None
        return BLANK, Problem("V061", f"{_plain(raw)} is not a whole number", where, expected(leaf))
    return _tidy(raw), None


def _tidy(number: float) -> int | float:
    """A number as JSON would have it: 84 for 84.0 (a percent cell's 0.84 * 100 is 84.00000000000001)."""
    rounded = round(float(number), 9)
    return int(rounded) if rounded.is_integer() else rounded


def _yesno(raw: Any, where: Location) -> tuple[Any, Problem | None]:
    if isinstance(raw, bool):
        return raw, None
    what = "yes or no (the dropdown), or a TRUE/FALSE cell"
    if isinstance(raw, str):
        word = raw.lower()
        if word in _YES:
            return True, None
        if word in _NO:
            return False, None
        hint = "yes" if word in _YES_LIKE else "no" if word in _NO_LIKE else None
        return BLANK, Problem("V061", f"'{raw}' is not yes or no", where, what, hint)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        hint = "yes" if raw == 1 else "no" if raw == 0 else None
        return BLANK, Problem("V061", f"{_shown(raw)} is a number, not yes or no", where, what, hint)
    return BLANK, Problem("V061", f"{_shown(raw)} is {_what_is(raw)}, not yes or no", where, what)


def _date(raw: Any, where: Location) -> tuple[Any, Problem | None]:
    what = _WHAT["date"]
    if isinstance(raw, dt.datetime):
        return raw.date(), None
    if isinstance(raw, dt.date):
        return raw, None
    if isinstance(raw, str):
        m = _UK_DATE.match(raw)
        try:
            if m:
                return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))), None
            if _ISO_DATE.match(raw):
                return dt.date.fromisoformat(raw), None
        except ValueError:
            return BLANK, Problem("V013", f"'{raw}' is not a real date", where, what)
        return BLANK, Problem("V013", f"'{raw}' is not a date", where, what)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw) and 0 < raw < 2_958_466:
        day = _EXCEL_EPOCH + dt.timedelta(days=int(raw))
        return BLANK, Problem(
            "V013", f"{_plain(raw)} is a number, not a date (the cell is not formatted as a date)", where, what, f"{day.strftime('%d/%m/%Y')} (format the cell as a date)"
        )
    return BLANK, Problem("V013", f"{_shown(raw)} is {_what_is(raw)}, not a date", where, what)


def blank_value(leaf: Leaf) -> Any:
    """What a blank cell stands for: null ("not yet filled") for a field its record must have, else left out."""
    return None if leaf.required else BLANK


@functools.lru_cache(maxsize=None)
def _plan(model: type[BaseModel]) -> tuple[tuple[str, type[BaseModel] | None, bool], ...]:
    """Each field of ``model``: its name, the record it holds (if it holds one) and whether a blank is null."""
    out = []
    for name, f in model.model_fields.items():
        tp = unwrap(f.annotation)
        out.append((name, tp if _is_model(tp) else None, _required(f)))
    return tuple(out)


def assemble(model: type[BaseModel], values: Mapping[Path_, Any], prefix: Path_ = ()) -> dict[str, Any] | None:
    """A record from its cells (field path -> value or :data:`BLANK`); None when every cell is blank.

    A blank field the record must have is null ("not yet filled": the item is set
    aside, and listed); a blank optional field is left out, as is a record inside
    it (a document) whose every cell is blank.  A field with no cell at all is left out.
    """
    out: dict[str, Any] = {}
    filled = False
    for name, sub_model, required in _plan(model):
        key = (*prefix, name)
        if sub_model is not None:
            sub = assemble(sub_model, values, key)
            if sub is not None:
                out[name] = sub
                filled = True
            continue
        if key not in values:
            continue
        value = values[key]
        if value is BLANK:
            if required:
                out[name] = None
        else:
            out[name] = value
            filled = True
    return out if filled else None
