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

import difflib
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
]

#: Loading stops collecting after this many problems; the rest are counted.
MAX_PROBLEMS = 50


def format_path(path: Sequence[str | int]) -> str:
    """Render a key path the way JSONPath readers expect: ``$.cases.deaths[2].died_on``."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def did_you_mean(word: str, choices: Iterable[str], *, n: int = 1) -> str | None:
    """The closest known spelling of ``word``, for a suggestion; ``None`` if nothing is close."""
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
        where = str(self.location)
        lines = [f"{where + ': ' if where else ''}{self.code}: {self.message}"]
        if source is not None and self.location.line is not None and self.location.sheet is None:
            text = source.splitlines()
            if 0 < self.location.line <= len(text):
                src = text[self.location.line - 1].rstrip("\n")
                lines.append(f"  {self.location.line:>4} | {src}")
                col = max(1, self.location.column or 1)
                lines.append("       | " + " " * (col - 1) + "^")
        if self.expected:
            lines.append(f"  expected: {self.expected}")
        if self.suggestion:
            lines.append(f"  did you mean: {self.suggestion}?")
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
