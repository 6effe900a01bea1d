"""The ``compliance`` command line: a thin layer over the library and the renderers.

Exit codes: 0 everything assessed is met, 1 gaps were found, 2 bad input or
usage (every :class:`~compliance.errors.InputError`, and argparse's own usage
errors), 3 an internal error (a bug; ``--debug`` shows its traceback).

Exceptions are mapped to messages and exit codes in one place only,
:func:`main`.  Heavy modules (pydantic models, the rules engine, rich) are
imported inside the commands, so ``compliance --help`` stays quick.  Output
formats are looked up in :mod:`compliance.report.formats`, which imports no
renderer: a format's renderer is imported only when it renders.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .atomic_file import AtomicFile, write_atomically
from .errors import InputError, Location, Problem, UsageError, did_you_mean, visible
from .report import formats

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from .batch import Failed, Keep
    from .report.formats import Format, Rendered, View
    from .results import Assessment

__all__ = ["main", "entry", "parse_param_value", "EXIT_OK", "EXIT_GAPS", "EXIT_INPUT", "EXIT_INTERNAL"]

EXIT_OK = 0
EXIT_GAPS = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3

#: Evidence files a directory argument contributes (one trust per file).
EVIDENCE_SUFFIXES = (".json", ".yaml", ".yml", ".xlsx")
#: Evidence read by the workbook reader (``compliance/evidence/workbook.py``).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")

#: Start a progress bar only after this many seconds of assessing.
PROGRESS_AFTER = 0.5

TODAY_HELP = "the date no evidence may be later than (default: today's date); give it for a reproducible run"
RECORDS_HELP = "read a record list from a CSV file, e.g. perinatal_deaths=deaths.csv (repeatable; one evidence file)"


class ManyInputErrors(InputError):
    """Several files were bad: every one of them is reported, each with its own carets."""

    code = "E100"

    def __init__(self, errors: Sequence[InputError]):
        self.errors = tuple(errors)
        super().__init__([p for e in self.errors for p in e.problems])

    def render(self) -> str:
        if not getattr(self, "errors", None):
            return super().render()
        return "\n".join(e.render() for e in self.errors)


# ------------------------------------------------------------------ helpers


_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NON_FINITE = re.compile(r"^[+-]?(nan|inf|infinity)$", re.IGNORECASE)


def parse_param_value(text: str) -> bool | int | float | str | Any:
    """``95`` -> 95, ``2.5`` -> 2.5, ``true``/``no`` -> bool, ``2021-03-31`` -> date, else text.

    ``nan``, ``inf`` and numbers too large for a float (``1e400``) become floats,
    so the parameter check names them as non-finite numbers.

    Quote a value (``'"95"'``) to keep it as text.
    """
    import datetime as dt

    raw = text.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    low = raw.lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    if _INT.match(raw):
        try:
            return int(raw)
        except ValueError:  # more digits than Python turns into an int: a number all the same
            return float(raw)
    if _FLOAT.match(raw) or _NON_FINITE.match(raw):
        # nan and inf are numbers too, so the parameter check refuses them by name and range
        # rather than taking them as text (or letting them reach durable-rules).
        return float(raw)
    if _DATE.match(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise UsageError([Problem("U014", f"'{raw}' looks like a date but is not a real one", Location("--param"), "YYYY-MM-DD")]) from None
    return raw


def parse_params(items: Sequence[str] | None) -> dict[str, Any] | None:
    if not items:
        return None
    from .schemes.parameters import FromCommandLine

    params: dict[str, Any] = FromCommandLine()  # its problems are then located at --param
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(
                [Problem("U010", f"needs ID=VALUE, got '{item}'", Location("--param"), expected="e.g. --param MIS.Y3.SA1.b.coverage=90")]
            )
        params[key.strip()] = parse_param_value(value)
    return params


def parse_today(text: str | None) -> Any:
    """``--today YYYY-MM-DD`` as a date (None when not given: the library uses the real date)."""
    import datetime as dt

    if text is None:
        return None
    raw = text.strip()
    try:
        if not _DATE.match(raw):
            raise ValueError(raw)
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise UsageError([Problem("U040", f"'{text}' is not a date", Location("--today"), "a date as YYYY-MM-DD, e.g. --today 2021-07-15")]) from None
    from .source import DATE_RANGE, date_in_range

    if not date_in_range(day):
        raise UsageError([Problem("U041", f"{day} is outside the calendar this tool reckons in", Location("--today"), DATE_RANGE)])
    return day


def evidence_files(args: Sequence[str]) -> list[Path]:
    """The files named, with each directory replaced by its evidence files (sorted)."""
    files: list[Path] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            # "~$name.xlsx" is the lock file a spreadsheet program keeps beside a workbook it has open.
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in EVIDENCE_SUFFIXES and not f.name.startswith("~$"))
            if not found:
                raise UsageError([Problem("U011", "no evidence files (*.json, *.yaml, *.yml, *.xlsx) in this directory", Location(arg))])
            files.extend(found)
        else:
            files.append(p)
    return files


def _no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


def _is_tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _stdout_glyph_encoding() -> str:
    return getattr(sys.stdout, "encoding", None) or "utf-8"


def _cannot_write(exc: OSError, where: Path | str) -> UsageError:
    return UsageError([Problem("U020", f"cannot write the report: {exc.strerror or exc}", Location(str(where)))])


class _Stream:
    """A report written piece by piece as a batch goes: to standard output as it comes, or to
    the --output file, which appears whole at :meth:`commit` (nothing of it before)."""

    def __init__(self, output: str | None):
        self.output = output
        self.file: AtomicFile | None = None
        self.written = False

    def write(self, text: str) -> None:
        self.written = True
        if not self.output:
            sys.stdout.write(text)
            return
        try:
            if self.file is None:
                self.file = AtomicFile(Path(self.output))
            self.file.write(text.encode("utf-8"))
        except OSError as exc:
            raise _cannot_write(exc, self.output) from None

    def commit(self) -> None:
        if self.file is None:
            sys.stdout.flush()
            return
        try:
            self.file.commit()
        except OSError as exc:
            raise _cannot_write(exc, self.output or "") from None

    def discard(self) -> None:
        if self.file is not None:
            self.file.discard()


def _file_bytes(fmt: Format, rendered: Rendered) -> bytes:
    """What a file in ``fmt`` holds: text as UTF-8 ending in a newline, bytes as they are, a drawing as plain 80-column text."""
    if isinstance(rendered, bytes):
        return rendered
    if isinstance(rendered, str):
        text = rendered
    else:
        from .report.terminal import make_console, strip_trailing

        console = make_console(width=80, color=False, encoding="utf-8")
        rendered(console)
        text = strip_trailing(console.file.getvalue()).rstrip("\n")  # type: ignore[attr-defined]
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _report_file(fmt: Format, view: View, options: formats.Options, assessment: Assessment) -> bytes:
    """One trust's report file for --output-dir, made in the worker that assessed it (bound with
    ``functools.partial``: a module-level function, so a spawned worker can be sent it)."""
    return _file_bytes(fmt, fmt.render(view, assessment, options))


class _Out:
    """Where a command's report goes: stdout (a terminal or not) or the file given with --output.

    It takes what a format renders -- text, bytes or a drawing on a rich
    console -- and writes each as it must be written (:meth:`emit`).
    """

    def __init__(self, output: str | None):
        self.output = output

    def emit(self, fmt: Format, rendered: Rendered) -> None:
        """Write what ``fmt`` rendered (the format has checked that it is what it declares)."""
        if self.output:
            self._to_file(_file_bytes(fmt, rendered))  # the very bytes --output-dir writes for one trust
        elif isinstance(rendered, bytes):
            self.write_bytes(rendered, fmt)
        elif isinstance(rendered, str):
            self.write_text(rendered)
        else:
            self.render(rendered)

    def _to_file(self, data: bytes) -> None:
        path = Path(self.output or "")
        try:
            write_atomically(path, data)
        except OSError as exc:
            raise _cannot_write(exc, path) from None

    def write_text(self, text: str) -> None:
        if not text.endswith("\n"):
            text += "\n"
        if self.output:
            self._to_file(text.encode("utf-8"))
        else:
            sys.stdout.write(text)
            sys.stdout.flush()

    def write_bytes(self, data: bytes, fmt: Format) -> None:
        """A binary report (a PDF, a workbook): to the file, or to standard output unless that is a terminal."""
        if self.output:
            self._to_file(data)
            return
        if _is_tty(sys.stdout):
            raise UsageError(
                [Problem("U051", f"a {fmt.title} report is binary: it cannot be shown on a terminal", Location("--output"),
                         expected=f"--output FILE, e.g. -o report{fmt.suffix}")]
            )
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    def render(self, draw: Callable[[Console], None]) -> None:
        """Draw rich output: in colour to a terminal, else as plain 80-column text."""
        from .report.terminal import SafeConsole, make_console, strip_trailing

        if not self.output and _is_tty(sys.stdout) and not _no_color():
            import shutil

            width = min(shutil.get_terminal_size((80, 24)).columns, 100)
            console: Console = SafeConsole(file=sys.stdout, width=width, force_terminal=True, highlight=False, emoji=False, soft_wrap=False)
            draw(console)
            return
        width = 80
        if not self.output and _is_tty(sys.stdout):
            import shutil

            width = min(shutil.get_terminal_size((80, 24)).columns, 100)
        encoding = "utf-8" if self.output else _stdout_glyph_encoding()
        console = make_console(width=width, color=False, encoding=encoding)
        draw(console)
        self.write_text(strip_trailing(console.file.getvalue()).rstrip("\n"))  # type: ignore[attr-defined]


# ------------------------------------------------------------------ commands


def _load_schemes(ids: Sequence[str] | None) -> list[Any] | None:
    if not ids:
        return None
    from . import load_scheme
    from .schemes.selection import is_family

    out: list[Any] = []
    seen = set()
    for item in ids:
        for sid in (s.strip() for s in item.split(",")):
            if sid and sid not in seen:
                seen.add(sid)
                # A family name (mis) stays a name: its version is chosen by each evidence file's period.
                out.append(sid if is_family(sid) else load_scheme(sid))
    return out


@contextmanager
def _progress(n_files: int) -> Iterator[Callable[[int], None]]:
    """A progress callback for a batch: a bar on standard error, when it is a terminal, once the batch has run half a second."""
    import time

    progress = None
    task = None
    started = time.monotonic()
    show = _is_tty(sys.stderr) and n_files > 1

    def tick(done: int) -> None:
        nonlocal progress, task
        if show and progress is None and time.monotonic() - started > PROGRESS_AFTER:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            progress = Progress(
                TextColumn("assessing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=sys.stderr, no_color=_no_color()),
                transient=True,
            )
            progress.start()
            task = progress.add_task("assess", total=n_files, completed=done)
        elif progress is not None and task is not None:
            progress.update(task, completed=done)

    try:
        yield tick
    finally:
        if progress is not None:
            progress.stop()


def _assess_files(
    files: list[Path], scheme_ids: list[str] | None, params: dict[str, Any] | None, shape: Keep = "full", today: Any = None,
    fail_fast: bool = False,
) -> list[Any]:
    """Every file's outcome (:mod:`compliance.batch`), with a progress bar on a terminal for a long batch."""
    from . import batch

    with _progress(len(files)) as tick:
        return batch.assess_files(files, scheme_ids, _load_schemes, params, shape, today, fail_fast=fail_fast, progress=tick)


@contextmanager
def _stream_files(
    files: list[Path], scheme_ids: list[str] | None, params: dict[str, Any] | None, keep: Keep, today: Any, fail_fast: bool,
) -> Iterator[Iterator[Any]]:
    """Every file's outcome in order as it comes (:func:`compliance.batch.stream_files`); leaving stops the workers."""
    from . import batch

    with _progress(len(files)) as tick:
        with closing(batch.stream_files(files, scheme_ids, _load_schemes, params, keep, today, fail_fast=fail_fast, progress=tick)) as each:
            yield each


def parse_records(items: Sequence[str] | None, files: Sequence[Path]) -> list[Any]:
    """``--records NAME=FILE.csv`` (repeatable): the record lists to read from CSV files, for one evidence file."""
    if not items:
        return []
    from .evidence.csv_records import parse_records_option

    if len(files) != 1:
        raise UsageError([Problem("U062", "--records goes with one evidence file", Location("--records"), "one EVIDENCE file, then --records NAME=FILE.csv")])
    return [parse_records_option(item) for item in items]


def _notes(notes: Sequence[str]) -> None:
    for note in notes:
        print(f"note: {visible(note, newlines=False)}", file=sys.stderr)


def _assess_one(path: Path, records: Sequence[Any], scheme_ids: list[str] | None, params: dict[str, Any] | None, today: Any) -> Assessment:
    """One workbook, or one file with record lists from CSV: loaded here, so its notes are shown."""
    from . import assess
    from .evidence.export import load_as_given

    evidence, _ = load_as_given(path, today=today, records=records)
    _notes(evidence.notes)
    result = assess(evidence, schemes=_load_schemes(scheme_ids), params=params, today=today)
    return result.model_copy(update={"source": str(path)})


def cmd_assess(args: argparse.Namespace) -> int:
    params = parse_params(args.param)
    today = parse_today(args.today)
    files = evidence_files(args.evidence)
    records = parse_records(args.records, files)
    many = len(files) > 1
    each = bool(args.output_dir)
    if each and (args.output or args.compare):
        other_option = "--output" if args.output else "--compare"
        raise UsageError([Problem("U064", f"--output-dir writes one report per trust; it does not go with {other_option}", Location("--output-dir"),
                                  expected="--output-dir DIR (one file per trust) or --output FILE (one report)")])
    # With --output-dir every trust gets its own report: the one-trust view, however many files.
    several = many and not each
    view: View = ("challenges" if several else "challenge") if args.challenge else ("assessments" if several else "assessment")
    fmt = formats.get(args.format or _format_of(args.output) or "terminal")
    if not fmt.shows(view):  # before any work: the format cannot show what was asked
        if args.challenge:
            raise UsageError([Problem("U012", f"the challenge view has no {fmt.title} form", Location("--challenge"),
                                      expected=f"--format {formats.in_words(view)}")])
        other: View = "assessment" if several else "assessments"
        hint = (", or " + ("one evidence file" if many else "several evidence files")) if fmt.shows(other) and not each else ""
        raise UsageError([Problem("U052", f"the {fmt.title} format cannot show {formats.VIEWS[view]}", Location("--format"),
                                  expected=f"--format {formats.in_words(view)}{hint}")])
    if args.compare:
        return _compare(args, fmt.name, files, params, today)
    options = formats.Options(only_gaps=args.only_gaps)
    directory = _output_dir(args.output_dir, files, fmt) if each else None
    shape = "full" if not many or args.challenge else fmt.batch
    if not many and (records or files[0].suffix.lower() in WORKBOOK_SUFFIXES):
        from .batch import report_names
        from .batch import shape as shaped

        one = _assess_one(files[0], records, args.scheme, params, today)
        if directory is not None:
            target = directory / report_names(files, fmt.suffix)[0]
            _write_report(target, _report_file(fmt, view, options, one))
            return EXIT_OK if one.all_met else EXIT_GAPS
        all_met, result = shaped(one, shape)
        _Out(args.output).emit(fmt, fmt.render(view, result, options))
        return EXIT_OK if all_met else EXIT_GAPS
    if directory is not None:
        return _report_each(args, files, params, today, view, fmt, directory)
    if several and fmt.stream is not None and view == "assessments":
        return _report_streamed(args, files, params, today, fmt)
    return _report_batch(args, files, params, today, view, fmt, shape)


def _report_batch(args: argparse.Namespace, files: list[Path], params: dict[str, Any] | None, today: Any, view: View, fmt: Format, shape: str) -> int:
    """Assess every file; report every good one and list every bad one (each error names its file).

    Exit 3 if any file met a bug, else 2 if any was bad, else 1 for gaps, else 0.
    With --fail-fast the first bad file (in the order given) stops the batch and no report is written.
    The report is made once every file is assessed (an overview across trusts, drawn from all of them).
    """
    from .batch import Done, Failed

    many = len(files) > 1
    fail_fast = bool(getattr(args, "fail_fast", False))
    outcomes = _assess_files(files, args.scheme, params, shape, today, fail_fast=fail_fast)
    good = [o for o in outcomes if isinstance(o, Done)]
    bad = [o for o in outcomes if isinstance(o, Failed)]
    if not many and bad:  # one file: its error is the whole answer
        _say_failed(bad, args)
        return EXIT_INTERNAL if bad[0].internal else EXIT_INPUT
    if good and not (fail_fast and bad):
        results = [o.value for o in good]
        rendered = fmt.render(view, results if many else results[0], formats.Options(only_gaps=args.only_gaps))
        _Out(args.output).emit(fmt, rendered)
    return _batch_end(args, len(files), len(good), all(o.all_met for o in good), bad, "no report written")


def _report_streamed(args: argparse.Namespace, files: list[Path], params: dict[str, Any] | None, today: Any, fmt: Format) -> int:
    """Several files in a format that writes its overview trust by trust (:class:`~compliance.report.formats.Stream`).

    Each trust's piece is made in the worker that assessed it and written as
    its turn comes (in the order given), then forgotten: memory stays flat
    however many files there are.  The output is the very text the format's
    overview would make of the same trusts.  To --output it goes into a file
    that takes the target's place only once whole; with --fail-fast and a bad
    file it never does.  To standard output it goes as it comes: after a bad
    file with --fail-fast what was written stays, cut short (a JSON array is
    left unclosed, so that no reader takes it for the whole batch).
    """
    import functools

    from .batch import Done

    stream = fmt.stream
    assert stream is not None
    fail_fast = bool(getattr(args, "fail_fast", False))
    keep = functools.partial(formats.stream_item, fmt, formats.Options(only_gaps=args.only_gaps))
    out = _Stream(args.output)
    good, all_met, bad = 0, True, []
    try:
        with _stream_files(files, args.scheme, params, keep, today, fail_fast) as each:
            for outcome in each:
                if isinstance(outcome, Done):
                    out.write(stream.sep if good else stream.head)
                    out.write(outcome.value)
                    good += 1
                    all_met = all_met and outcome.all_met
                else:
                    bad.append(outcome)
        if good and not (fail_fast and bad):
            out.write(stream.tail)
            out.commit()
    finally:
        out.discard()
    if fail_fast and bad and good and not args.output:
        stopped = f"the report on standard output stops after the {good} file{'s' if good > 1 else ''} before it"
    else:
        stopped = "no report written"
    return _batch_end(args, len(files), good, all_met, bad, stopped)


def _report_each(args: argparse.Namespace, files: list[Path], params: dict[str, Any] | None, today: Any, view: View, fmt: Format, directory: Path) -> int:
    """--output-dir: one report per trust, each written whole into ``directory`` as soon as it is made.

    A file that cannot be assessed gets no report; every other one does (with
    --fail-fast, those before the first bad file, which stay written).
    """
    import functools

    from .batch import Done, report_names

    fail_fast = bool(getattr(args, "fail_fast", False))
    names = report_names(files, fmt.suffix)
    keep = functools.partial(_report_file, fmt, view, formats.Options(only_gaps=args.only_gaps))
    good, all_met, bad = 0, True, []
    with _stream_files(files, args.scheme, params, keep, today, fail_fast) as each:
        for index, outcome in enumerate(each):
            if isinstance(outcome, Done):
                _write_report(directory / names[index], outcome.value)
                good += 1
                all_met = all_met and outcome.all_met
            else:
                bad.append(outcome)
    if len(files) == 1 and bad:  # one file: its error is the whole answer
        _say_failed(bad, args)
        return EXIT_INTERNAL if bad[0].internal else EXIT_INPUT
    stopped = f"the reports of the {good} file{'s' if good > 1 else ''} before it are in {directory}" if good else "no report written"
    return _batch_end(args, len(files), good, all_met, bad, stopped, written=f"the other {good} reports are in {directory}")


def _write_report(target: Path, data: bytes) -> None:
    try:
        write_atomically(target, data)
    except OSError as exc:
        raise _cannot_write(exc, target) from None


def _output_dir(name: str, files: Sequence[Path], fmt: Format) -> Path:
    """--output-dir's directory, made if missing; refused if a report would overwrite one of the evidence files."""
    from .batch import report_names

    directory = Path(name)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError([Problem("U065", "is not a directory", Location(name), expected="--output-dir DIR: a directory (made if missing)")]) from None
    except OSError as exc:
        raise UsageError([Problem("U065", f"cannot make the directory: {exc.strerror or exc}", Location(name))]) from None
    evidence = {f.resolve() for f in files}
    for target in (directory / n for n in report_names(files, fmt.suffix)):
        if target.resolve() in evidence:
            raise UsageError([Problem("U065", f"the report {target} would overwrite the evidence file of that name", Location(name),
                                      expected="an --output-dir other than the evidence's own directory")])
    return directory


def _batch_end(args: argparse.Namespace, n_files: int, good: int, all_met: bool, bad: Sequence[Failed], stopped: str,
               written: str | None = None) -> int:
    """List the bad files and say what became of the report; the exit code of the batch.

    Exit 3 if any file met a bug, else 2 if any was bad, else 1 for gaps, else 0.
    """
    if not bad:
        return EXIT_OK if all_met else EXIT_GAPS
    _say_failed(bad, args)
    if getattr(args, "fail_fast", False):
        print(f"compliance: stopped at the first bad file (--fail-fast): {stopped}", file=sys.stderr)
    elif good:
        print(f"compliance: {len(bad)} of {n_files} evidence files could not be assessed (listed above); "
              f"{written or f'the report has the other {good}'}", file=sys.stderr)
    else:
        print(f"compliance: none of the {n_files} evidence files could be assessed (listed above): no report written", file=sys.stderr)
    return EXIT_INTERNAL if any(o.internal for o in bad) else EXIT_INPUT


def _say_failed(bad: Sequence[Any], args: argparse.Namespace) -> None:
    debug = bool(getattr(args, "debug", False))
    for failed in bad:
        if debug and failed.detail:
            print(failed.detail.rstrip("\n"), file=sys.stderr)
        print(failed.text, file=sys.stderr)


def _compare(args: argparse.Namespace, fmt: str, files: Sequence[Path], params: dict[str, Any] | None, today: Any) -> int:
    """``--compare``: one evidence file under two versions, side by side (terminal, Markdown or JSON)."""
    from .report import scheme_compare

    ids = [sid.strip() for item in (args.scheme or []) for sid in item.split(",") if sid.strip()]
    if len(files) != 1 or len(ids) != 2 or fmt not in ("terminal", "markdown", "json"):
        raise UsageError([Problem("U062", "--compare takes one evidence file, two --scheme versions (older first) and --format terminal, markdown or json",
                                  Location("--compare"), expected="compliance assess FILE --scheme mis-y3 --scheme mis-y4 --compare")])
    from . import assess

    result = assess(str(files[0]), schemes=_load_schemes(ids), params=params, today=today)
    view = scheme_compare.compare(result, ids[0], ids[1])
    out = _Out(args.output)
    if fmt == "json":
        out.write_text(scheme_compare.to_json(view))
    elif fmt == "markdown":
        out.write_text(scheme_compare.render_markdown(view))
    else:
        out.render(lambda console: scheme_compare.render_terminal(view, console))
    return EXIT_OK if view.old_status == "met" and view.new_status == "met" else EXIT_GAPS


def cmd_validate(args: argparse.Namespace) -> int:
    from . import load_evidence
    from .results import filled

    today = parse_today(args.today)
    errors: list[InputError] = []
    lines: list[str] = []
    files = evidence_files(args.evidence)
    records = parse_records(args.records, files)
    for path in files:
        try:
            if records:
                from .evidence.export import load_as_given

                ev, _ = load_as_given(path, today=today, records=records)
            else:
                ev = load_evidence(path, today=today)
        except InputError as err:
            errors.append(err)
            continue
        lines.append(visible(f"ok: {path} ({filled(ev.trust.name)}, {ev.period.start} to {ev.period.end})", newlines=False))
        if ev.blanks:
            # Blanks are allowed (a template being filled in): listed so that none is forgotten.
            n = len(ev.blanks)
            lines.append(f"{n} field{'' if n == 1 else 's'} not yet filled:")
            lines.extend(f"  {visible(path_, newlines=False)}" for path_ in ev.blanks)
        lines.extend(f"note: {visible(note, newlines=False)}" for note in ev.notes)
    if errors:
        raise errors[0] if len(errors) == 1 else ManyInputErrors(errors)
    _Out(None).write_text("\n".join(lines))
    return EXIT_OK


def _all_schemes() -> list[Any]:
    from . import builtin_schemes, load_scheme

    return [load_scheme(sid) for sid in builtin_schemes()]


def cmd_schemes(args: argparse.Namespace) -> int:
    from .report import schemes as schemes_report

    if getattr(args, "schemes_action", None) == "diff":
        from . import load_scheme
        from .report import scheme_diff

        changes = scheme_diff.diff(load_scheme(args.old), load_scheme(args.new))
        out = _Out(args.output)
        if args.format == "json":
            out.write_text(scheme_diff.to_json(changes))
        elif args.format == "markdown":
            out.write_text(scheme_diff.render_markdown(changes))
        else:
            out.render(lambda console: scheme_diff.render_terminal(changes, console))
        return EXIT_OK
    if getattr(args, "schemes_action", None) == "show":
        from . import load_scheme

        scheme = load_scheme(args.id)
        _Out(args.output).render(lambda console: schemes_report.render_scheme(scheme, console))
    else:
        listed = _all_schemes()
        _Out(args.output).render(lambda console: schemes_report.render_list(listed, console))
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from .report import schemes as schemes_report

    from .schemes.loader import builtin_family

    # A family name here means every version of it: a requirement id names its year.
    pool = [v for s in (_load_schemes(args.scheme) or _all_schemes()) for v in (builtin_family(s) or () if isinstance(s, str) else (s,))]
    for scheme in pool:
        found = scheme.find(args.requirement)
        if found is not None:
            section, req = found
            _Out(args.output).render(lambda console: schemes_report.render_explain(scheme, section, req, console))
            return EXIT_OK
    known = [r.id for s in pool for _, r in s.requirements()]
    raise UsageError(
        [
            Problem(
                "U013",
                f"no requirement '{args.requirement}' in scheme(s) {', '.join(s.id for s in pool)}",
                Location("compliance explain"),
                expected="a requirement id such as " + (known[0] if known else "MIS-Y3-SA1.b"),
                suggestion=did_you_mean(args.requirement, known),
            )
        ]
    )


def cmd_template(args: argparse.Namespace) -> int:
    from . import load_scheme

    schemes = [load_scheme(s) for s in args.scheme]
    kind = args.format or ("xlsx" if (args.output or "").lower().endswith((".xlsx", ".xlsm")) else "yaml")
    if kind == "xlsx":
        from .report import template_xlsx

        _Out(args.output).write_bytes(template_xlsx.render(schemes), formats.get("xlsx"))
        return EXIT_OK
    from .report import template

    _Out(args.output).write_text(template.render(schemes))
    return EXIT_OK


#: ``convert``'s output formats, by the suffix of the file written.
CONVERT_SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx"}


def _layout_schemes(evidence: Any, scheme_ids: list[str] | None) -> list[Any]:
    """The schemes whose sections a converted workbook is laid out by (none: every item on one sheet)."""
    from .schemes.selection import resolve_schemes, rests_on

    try:
        chosen = resolve_schemes(evidence, _load_schemes(scheme_ids))
    except UsageError:
        if scheme_ids:
            raise
        return []  # evidence no bundled scheme reads: it is kept all the same, on one sheet
    # Each scheme's own sections lead; a scheme another rests on follows the section that reads it.
    return [s for s in chosen if not any(s.id in rests_on(o) for o in chosen if o.id != s.id)]


def cmd_convert(args: argparse.Namespace) -> int:
    from .evidence.export import load_as_given, to_json, to_yaml

    today = parse_today(args.today)
    path = Path(args.evidence)
    records = parse_records(args.records, [path])
    kind = args.format
    if kind is None and args.output:
        kind = CONVERT_SUFFIXES.get(Path(args.output).suffix.lower())
        if kind is None:
            raise UsageError([Problem("U063", f"cannot tell the format of '{args.output}' from its name", Location("--output"),
                                      "a file ending .json, .yaml, .yml or .xlsx, or --format json|yaml|xlsx")])
    evidence, data = load_as_given(path, today=today, records=records)
    if kind == "xlsx":
        from .report import template_xlsx

        _Out(args.output).write_bytes(template_xlsx.render(_layout_schemes(evidence, args.scheme), data), formats.get("xlsx"))
    elif kind == "yaml":
        _Out(args.output).write_text(to_yaml(data))
    else:
        _Out(args.output).write_text(to_json(data))
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from .report import diff

    params = parse_params(args.param)
    today = parse_today(args.today)
    schemes = _load_schemes(args.scheme)
    old = diff.load_side(args.old, schemes=schemes, params=params, today=today)
    new = diff.load_side(args.new, schemes=schemes, params=params, today=today)
    changes = diff.compare(old, new)
    fmt = formats.choose(args.format, "changes")
    _Out(args.output).emit(fmt, fmt.render("changes", changes))
    return EXIT_GAPS if changes.newly_unmet else EXIT_OK


# ------------------------------------------------------------------ parser


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("compliance")
    except Exception:  # noqa: BLE001 - not installed: a checkout
        return "0+checkout"


class _VersionAction(argparse.Action):
    """``--version``, looked up only when asked: reading the installed metadata scans
    every distribution on the path (~20 ms), too much to pay on every run."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, help: str | None = None):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option_string: str | None = None) -> None:
        sys.stdout.write(f"compliance {_version()}\n")
        parser.exit()


def _max_bytes_option(text: str) -> int:
    """``--max-bytes N``: a positive whole number of bytes (K, M and G suffixes allowed: 200M)."""
    raw = text.strip().upper()
    scale = {"K": 10**3, "M": 10**6, "G": 10**9}.get(raw[-1:], 1)
    digits = raw[:-1] if scale > 1 else raw
    if not digits.isdigit() or len(digits) > 15 or int(digits) == 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of bytes (e.g. 200000000 or 200M)")
    return int(digits) * scale


#: What ``assess`` can show: a --format must render one of them (which one depends on the files and --challenge).
ASSESS_VIEWS: tuple[View, ...] = ("assessment", "assessments", "challenge", "challenges")


def _format_of(output: str | None) -> str | None:
    """The format a report file's suffix names (``-o board.pdf``: pdf), when ``--format`` is not given."""
    if not output:
        return None
    suffix = Path(output).suffix.lower()
    return next((f.name for f in formats.registered() if f.suffix == suffix and f.name != "terminal"), None)


def _format_option(*views: View) -> Callable[[str], str]:
    """``--format``'s check: a registered format that renders one of ``views``, else a usage error with "did you mean"."""

    def check(name: str) -> str:
        try:
            formats.choose(name, *views)
        except UsageError as err:
            # argparse says "argument --format: " itself; the problem says the rest.
            raise argparse.ArgumentTypeError(
                "\n".join(dataclasses.replace(p, location=Location()).render() for p in err.problems)
            ) from None
        return name

    check.__name__ = "format"  # what argparse calls the value in its own messages
    return check


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show the traceback of any error")
    common.add_argument("--max-bytes", type=_max_bytes_option, default=argparse.SUPPRESS, metavar="N",
                        help="refuse an input file larger than N bytes (default: 100000000, 100 MB)")

    parser = argparse.ArgumentParser(
        prog="compliance",
        description="Assess an NHS maternity trust's evidence against rule schemes (CNST MIS, SBLCBv2, Continuity of Carer, board dashboard).",
        epilog="Exit codes: 0 all met, 1 gaps found, 2 bad input or usage, 3 internal error.",
    )
    # Its own action (not the shared parent's): a subcommand's --debug must not reset this one.
    parser.add_argument("--debug", action="store_true", default=False, help="show the traceback of any error")
    parser.add_argument("--version", action=_VersionAction, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("assess", parents=[common], help="assess evidence files against schemes",
                       description="Assess one trust's evidence file, or many (several files, or a directory of them: one trust per file).")
    p.add_argument("evidence", nargs="+", metavar="EVIDENCE", help="evidence file(s) (JSON, YAML or an Excel workbook) or a directory of them")
    p.add_argument("--scheme", action="append", metavar="ID", help="scheme id, family (mis: the version by period) or YAML path (repeatable; default: every bundled scheme the evidence covers)")
    p.add_argument("--format", choices=formats.names(*ASSESS_VIEWS), type=_format_option(*ASSESS_VIEWS), default=None,
                   help="report format (default: from --output's suffix, e.g. -o board.pdf, else terminal)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output (it appears whole, or not at all)")
    p.add_argument("--output-dir", metavar="DIR",
                   help="write one report per trust into DIR (made if missing), named after its evidence file: "
                        "trust.json gives trust.md with --format markdown (trust-2.md, ... for names given twice); not with --output")
    p.add_argument("--param", action="append", metavar="ID=VALUE", help="override a scheme parameter (number, true/false, YYYY-MM-DD or text)")
    p.add_argument("--only-gaps", action="store_true", help="hide sections that are met or not applicable")
    p.add_argument("--challenge", action="store_true", help="the board-champion view: questions to ask and weaknesses in the evidence")
    p.add_argument("--today", metavar="YYYY-MM-DD", help=TODAY_HELP)
    p.add_argument("--records", action="append", metavar="NAME=FILE.csv", help=RECORDS_HELP)
    p.add_argument("--fail-fast", action="store_true",
                   help="with several files, stop at the first bad one (in the order given); by default every good file is reported and every bad one listed. "
                        "With --output no report is written; to standard output (json, jsonl) or --output-dir, the reports of the files before it stay written")
    p.add_argument("--compare", action="store_true", help="one trust's verdicts under two versions side by side (--scheme OLD --scheme NEW)")
    p.set_defaults(func=cmd_assess)

    p = sub.add_parser("validate", parents=[common], help="check evidence files without assessing (exit 0 or 2)",
                       description="Check evidence files without assessing them. Blank fields are allowed and listed as 'not yet filled'.")
    p.add_argument("evidence", nargs="+", metavar="EVIDENCE")
    p.add_argument("--today", metavar="YYYY-MM-DD", help=TODAY_HELP)
    p.add_argument("--records", action="append", metavar="NAME=FILE.csv", help=RECORDS_HELP)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schemes", parents=[common], help="list the bundled schemes; 'schemes show ID' for one")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    ssub = p.add_subparsers(dest="schemes_action", metavar="ACTION")
    show = ssub.add_parser("show", parents=[common], help="a scheme's requirements as a tree")
    show.add_argument("id", metavar="ID", help="a bundled scheme id or a scheme YAML path")
    show.add_argument("--output", "-o", metavar="FILE", default=argparse.SUPPRESS, help="write to FILE instead of standard output")
    sdiff = ssub.add_parser("diff", parents=[common], help="what changed between two versions, per safety action (schemes diff mis-y3 mis-y4)")
    sdiff.add_argument("old", metavar="OLD", help="the earlier version: a bundled scheme id or a YAML path")
    sdiff.add_argument("new", metavar="NEW", help="the later version")
    sdiff.add_argument("--format", choices=("terminal", "markdown", "json"), default="terminal")
    sdiff.add_argument("--output", "-o", metavar="FILE", default=argparse.SUPPRESS, help="write to FILE instead of standard output")
    p.set_defaults(func=cmd_schemes)

    p = sub.add_parser("explain", parents=[common], help="what a requirement needs and how it is judged")
    p.add_argument("requirement", metavar="REQUIREMENT_ID")
    p.add_argument("--scheme", action="append", metavar="ID", help="look only in this scheme (id or YAML path)")
    p.add_argument("--output", "-o", metavar="FILE")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("template", parents=[common], help="a blank evidence file (YAML, or an Excel workbook) for a scheme, saying what every field is for")
    p.add_argument("scheme", nargs="+", metavar="SCHEME", help="scheme id(s) or YAML path(s)")
    p.add_argument("--output", "-o", metavar="FILE")
    p.add_argument("--format", choices=("yaml", "xlsx"), default=None, help="yaml (default) or xlsx (an Excel workbook; the default for -o FILE.xlsx)")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("convert", parents=[common], help="convert evidence between JSON, YAML and an Excel workbook",
                       description="Convert one evidence file: JSON or YAML to an Excel workbook (laid out by safety action), or a workbook to JSON or YAML. Every value is kept.")
    p.add_argument("evidence", metavar="EVIDENCE", help="an evidence file: JSON, YAML or a workbook (.xlsx)")
    p.add_argument("--output", "-o", metavar="FILE", help="the file to write; its suffix (.json, .yaml, .xlsx) says the format")
    p.add_argument("--format", choices=("json", "yaml", "xlsx"), default=None, help="the format to write (default: from --output, else json)")
    p.add_argument("--scheme", action="append", metavar="ID", help="lay a workbook out by these schemes' sections (default: the schemes the evidence is assessed against)")
    p.add_argument("--records", action="append", metavar="NAME=FILE.csv", help=RECORDS_HELP)
    p.add_argument("--today", metavar="YYYY-MM-DD", help=TODAY_HELP)
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("diff", parents=[common], help="compare two assessments (JSON) or two evidence files")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.add_argument("--scheme", action="append", metavar="ID", help="schemes to assess evidence files against")
    p.add_argument("--param", action="append", metavar="ID=VALUE")
    p.add_argument("--format", choices=formats.names("changes"), type=_format_option("changes"), default="terminal")
    p.add_argument("--output", "-o", metavar="FILE")
    p.add_argument("--today", metavar="YYYY-MM-DD", help=TODAY_HELP)
    p.set_defaults(func=cmd_diff)
    return parser


# ------------------------------------------------------------------ entry


class _Terminated(BaseException):
    """SIGTERM, raised where the command is (like KeyboardInterrupt for SIGINT), so cleanup runs."""


# Whether a signal should still interrupt the command.  Once the command has its exit
# code, a signal must not change it: the handlers stay in place but do nothing, so one
# landing between "the command ended" and "the handlers were swapped" is harmless.
_interruptible = False


def _on_signal(signum: int, frame: object) -> None:
    if not _interruptible:
        return
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise _Terminated


def _unknown_command(parser: argparse.ArgumentParser, argv: Sequence[str]) -> UsageError | None:
    """A command that is not one, with the command it was probably meant to be (argparse offers none)."""
    commands = next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    word = next((a for a in argv if not a.startswith("-")), None)
    if not commands or word is None or word in commands:
        return None
    return UsageError(
        [Problem("U015", f"no command '{word}'", Location("compliance"), "one of " + ", ".join(commands), did_you_mean(word, list(commands)))]
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code.  Ctrl-C exits 130 and SIGTERM 143, quietly, after cleaning up.

    Both arrive as exceptions wherever the command is, so a half-written
    report is removed and worker processes are stopped (:mod:`compliance.batch`).
    The caller's signal handlers are back in place when it returns.
    """
    return _main(argv, own_process=False)


def _main(argv: list[str] | None, *, own_process: bool) -> int:
    """:func:`main`; with ``own_process`` (the console command) SIGINT and SIGTERM stay ignored after it.

    The interpreter's shutdown after a large batch takes a while; a signal then
    must not turn the exit code the command chose into death by that signal
    (-15), as restoring the default handler would.
    """
    import threading

    global _interruptible
    caught = (signal.SIGINT, signal.SIGTERM) if own_process else (signal.SIGTERM,)
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, _on_signal) for sig in caught}
    _interruptible = True
    try:
        return _run(argv)
    except KeyboardInterrupt:
        print("compliance: interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        print("compliance: terminated", file=sys.stderr)
        return 143
    finally:
        _interruptible = False  # first: from here on a signal is a no-op (see _on_signal)
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_IGN if own_process else handler)


def _run(argv: list[str] | None) -> int:
    """The command itself.  The one place errors become messages."""
    parser = build_parser()
    unknown = _unknown_command(parser, sys.argv[1:] if argv is None else argv)
    if unknown is not None:
        print(parser.format_usage() + unknown.render(), file=sys.stderr)
        return EXIT_INPUT
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help and --version exit 0, usage errors 2
        return exc.code if isinstance(exc.code, int) else EXIT_INPUT
    debug = bool(getattr(args, "debug", False))
    if debug:  # e.g. a scheme cache directory refused as unsafe: said in one line, only when asked
        from .schemes import cache

        cache.notify = lambda text: print(f"compliance: {text}", file=sys.stderr)
    if getattr(args, "max_bytes", None) is not None:
        from .source import MAX_BYTES_ENV

        # Through the environment: worker processes (forked or spawned) read the same limit.
        os.environ[MAX_BYTES_ENV] = str(args.max_bytes)
    try:
        return int(args.func(args))
    except InputError as err:
        if debug:
            import traceback

            traceback.print_exc()
        print(err.render(), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("compliance: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): nothing more to say.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - a bug: say so briefly, traceback only with --debug
        if debug:
            import traceback

            traceback.print_exc()
        else:
            print(
                f"compliance: internal error: {type(exc).__name__}: {visible(str(exc)[:2000], newlines=False)}\n"
                "This is a bug in compliance, not in your input; rerun with --debug for the traceback.",
                file=sys.stderr,
            )
        return EXIT_INTERNAL


def entry() -> None:
    """The console-script entry point (also ``python -m compliance``): this process is ours."""
    # pydantic looks for plugins (observability hooks) by scanning the entry points of
    # every installed distribution the first time a model validates: ~30 ms at start-up
    # in a well-filled environment, for hooks that would only watch our internal models.
    # A user who wants them sets PYDANTIC_DISABLE_PLUGINS themselves (empty: load all).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Start-up makes a few hundred thousand long-lived objects (modules, classes, model
    # schemas) and next to no garbage, yet the cyclic collector walked them ~90 times:
    # ~20 ms of a one-file run.  It is off for this short-lived process; a batch of
    # files turns it back on (see _assess_files), as its results pile up.
    gc.disable()
    # The command has said how it ended (130 after Ctrl-C): a signal while the
    # interpreter shuts down must not turn that into death by the signal (-2, -15).
    sys.exit(_main(None, own_process=True))
