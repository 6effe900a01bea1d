"""The whole error hierarchy of ``compliance``, in one place.

Every problem the library reports is a :class:`Problem`: a stable code, a
message, a :class:`Location` (file, line, column and the key path inside the
document), what was expected, and a "did you mean ..." suggestion where one
can be made.  Loading collects every problem it can find (up to
:data:`MAX_PROBLEMS`) before raising, so an author fixes a file in one pass.

The CLI maps these exceptions to exit codes in one place (``cli.py``):
:class:`InputError` and its children are exit 2; anything else is a bug.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "MAX_PROBLEMS",
    "Location",
    "Problem",
    "ComplianceError",
    "InputError",
    "SchemeError",
    "EvidenceError",
    "ParameterError",
    "UsageError",
    "EngineError",
    "did_you_mean",
    "format_path",
    "column_letters",
    "sheet_reference",
    "visible",
    "source_line",
    "SOURCE_WINDOW",
]

#: Loading stops collecting after this many problems; the rest are counted.
MAX_PROBLEMS = 50


#: An echoed source line longer than this is cut to a window around the column, with "…".
SOURCE_WINDOW = 120

#: What must not reach a terminal or a report raw: C0 and C1 controls (ESC starts terminal
#: commands, NUL ends C strings), DEL, and the invisible characters that reorder or hide
#: text -- bidirectional embeddings, overrides and isolates (U+202E), marks, zero-width
#: joiners, line and paragraph separators, the byte-order mark.  ``\n`` and ``\t`` are
#: kept unless ``newlines=False`` says the text is one line.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")


def _escape_char(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code == 0x0A:
        return "\\n"
    if code == 0x09:
        return "\\t"
    if code == 0x0D:
        return "\\r"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, newlines: bool = True) -> str:
    """``text`` with control, bidirectional and invisible characters shown as escapes (``\\x1b``, ``\\u202e``).

    For everything that came from a file and is shown to a person: a terminal
    must not obey an escape sequence in a trust's name, and a reader must see
    the characters a right-to-left override would hide.  With ``newlines=False``
    a line break is escaped too (a message, a table cell: one line each).
    """
    pattern = _UNSAFE if newlines else _UNSAFE_LINE
    return pattern.sub(_escape_char, text) if pattern.search(text) else text


#: The longest part of a rendered problem (its place, message, expectation): a message quoting a
#: value from the file (``got '...'``) must not carry a 50 MB string to the terminal.
MAX_PART = 2_000


def _capped(text: str) -> str:
    """One line of a rendered problem: escaped, and cut at :data:`MAX_PART` characters."""
    if len(text) > MAX_PART:
        text = text[: MAX_PART - 1] + "…"
    return visible(text, newlines=False)


def source_line(source: str, line: int) -> str | None:
    """The 1-based ``line`` of ``source``, lines ending at ``\n`` only (as every position is counted)."""
    start = 0
    for _ in range(line - 1):
        start = source.find("\n", start) + 1
        if start == 0:
            return None
    end = source.find("\n", start)
    return source[start : end if end >= 0 else len(source)].rstrip("\r")


def _window(src: str, column: int) -> tuple[str, int]:
    """The part of a long line around ``column`` (1-based), and the caret's place in it (0-based, as shown)."""
    at = max(0, column - 1)
    if len(src) <= SOURCE_WINDOW:
        start, end = 0, len(src)
    else:
        start = max(0, min(at - SOURCE_WINDOW // 2, len(src) - SOURCE_WINDOW))
        end = start + SOURCE_WINDOW
    before = ("…" if start > 0 else "") + visible(src[start:at], newlines=False)
    shown = before + visible(src[at:end], newlines=False) + ("…" if end < len(src) else "")
    return shown, len(before)


#: What a key may not hold to be written after a dot in a path.
_PLAIN_KEY = re.compile(r"[\s\[\]'\"\\]")


def format_path(path: Sequence[str | int]) -> str:
    """Render a key path the way JSONPath readers expect: ``$.cases.deaths[2].died_on``."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part and not _PLAIN_KEY.search(part):
            out += f".{part}"
        else:
            # A key with spaces, brackets or quotes ('note [draft]') in JSONPath's bracket form,
            # so that it cannot be read as an index or as two keys.
            out += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return out


def did_you_mean(word: str, choices: Iterable[str], *, n: int = 1) -> str | None:
    """The closest known spelling of ``word``, for a suggestion; ``None`` if nothing is close."""
    import difflib  # only a mistake pays for it (about 1 ms at start-up)

    pool = sorted(set(choices))
    close = difflib.get_close_matches(word, pool, n=n, cutoff=0.6)
    if not close:
        # Prefix matches catch truncated names that difflib rates low.
        close = [c for c in pool if c.startswith(word) or word.startswith(c)][:n]
    return ", ".join(close) if close else None


def column_letters(column: int) -> str:
    """A spreadsheet's name for a 1-based column number: 1 -> ``A``, 27 -> ``AA``."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def sheet_reference(sheet: str) -> str:
    """A sheet's name as a spreadsheet writes it in a reference: ``Deaths``, ``'Perinatal deaths'``."""
    if sheet.replace("_", "").isalnum() and not sheet[:1].isdigit():
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file, a 1-based line and column, and the key path.

    In a workbook, ``sheet`` names the sheet and ``line`` and ``column`` are the
    cell's row and column: it reads ``trust.xlsx:Deaths!D14``.
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: tuple[str | int, ...] = ()
    sheet: str | None = None

    @property
    def cell(self) -> str | None:
        """The cell in a spreadsheet's own words (``Deaths!D14``, ``Cover!B5``, or ``Deaths!3:3`` for a row); None outside a workbook."""
        if self.sheet is None:
            return None
        ref = sheet_reference(self.sheet)
        if self.line is None:
            return ref
        if self.column is None:
            return f"{ref}!{self.line}:{self.line}"
        return f"{ref}!{column_letters(self.column)}{self.line}"

    def __str__(self) -> str:
        if self.file is None and self.line is None and self.sheet is None:
            return format_path(self.path) if self.path else ""
        where = self.file or "<input>"
        if self.sheet is not None:
            where += f":{self.cell}"
        elif self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.path:
            where += f" ({format_path(self.path)})"
        return where


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, with enough detail to fix it."""

    code: str
    message: str
    location: Location = field(default_factory=Location)
    expected: str | None = None
    suggestion: str | None = None

    def render(self, source: str | None = None) -> str:
        """``file:line:col: code: message``, the source line with a caret, then hints."""
        # Everything here may hold text from the file (a key, a value, the file's own name): shown
        # with its control characters escaped, and a long source line cut to a window.
        where = _capped(str(self.location))
        lines = [f"{where + ': ' if where else ''}{self.code}: {_capped(self.message)}"]
        if source is not None and self.location.line is not None and self.location.sheet is None and self.location.line > 0:
            src = source_line(source, self.location.line)
            if src is not None:
                shown, caret = _window(src, self.location.column or 1)
                lines.append(f"  {self.location.line:>4} | {shown}")
                lines.append("       | " + " " * caret + "^")
        if self.expected:
            lines.append(f"  expected: {_capped(self.expected)}")
        if self.suggestion:
            lines.append(f"  did you mean: {_capped(self.suggestion)}?")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": format_path(self.location.path),
            "sheet": self.location.sheet,
            "cell": self.location.cell,
            "expected": self.expected,
            "suggestion": self.suggestion,
        }


class ComplianceError(Exception):
    """Base of every error this library raises on purpose."""

    code = "E000"

    def __init__(
        self, problems: Sequence[Problem] | str, *, source: str | None = None, omitted: int = 0, source_file: str | None = None
    ):
        if isinstance(problems, str):
            problems = [Problem(self.code, problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        #: The text of the file the problems are in, for carets under source lines.
        self.source = source
        #: The file ``source`` is the text of, when known: a problem located in another file
        #: (a record list read from a CSV beside a JSON file) gets no caret from this text.
        self.source_file = source_file
        #: Problems found beyond :data:`MAX_PROBLEMS` and not listed.
        self.omitted = omitted
        super().__init__(self.render())

    def render(self) -> str:
        parts = [p.render(self._source_for(p)) for p in self.problems]
        if self.omitted:
            parts.append(f"... and {self.omitted} more problem(s) not shown")
        return "\n".join(parts)


    def _source_for(self, problem: Problem) -> str | None:
        where = problem.location.file
        if self.source_file is None or where is None or where == self.source_file:
            return self.source
        return None


class InputError(ComplianceError):
    """Something the user gave us is wrong (exit code 2)."""

    code = "E100"


class SchemeError(InputError):
    """A scheme file is not valid: bad YAML, unknown keys, unknown measures or evidence paths."""

    code = "S100"


class EvidenceError(InputError):
    """An evidence file is not valid or describes impossible evidence."""

    code = "V100"


class ParameterError(InputError):
    """A parameter override names no parameter, or has the wrong type."""

    code = "P100"


class UsageError(InputError):
    """The command line or API was called wrongly."""

    code = "U100"


class EngineError(ComplianceError):
    """The rules engine did something it should not (a bug, not bad input)."""

    code = "X100"


class ProblemCollector:
    """Gathers problems during a load and raises them together."""

    def __init__(self, error: type[ComplianceError], *, file: str | Path | None = None, source: str | None = None):
        self.error = error
        self.file = str(file) if file is not None else None
        self.source = source
        self.problems: list[Problem] = []
        self.omitted = 0

    def add(self, problem: Problem) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.omitted += 1
        elif problem not in self.problems:
            self.problems.append(problem)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            ordered = sorted(
                self.problems,
                key=lambda p: (p.location.sheet or "", p.location.line or 0, p.location.column or 0, p.code, p.message),
            )
            raise self.error(ordered, source=self.source, omitted=self.omitted, source_file=self.file)
