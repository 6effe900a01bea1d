"""Assessing a batch of evidence files so that no file's work is lost.

Stage: the command line's ``assess`` over several files.  Artifact: one
outcome per file, in the order given -- :class:`Done` (what the report needs
of its assessment) or :class:`Failed` (its error, rendered, naming the file,
even for an internal error).  The caller reports every good file and lists
every bad one; with ``fail_fast`` the batch stops at the first bad file.

:func:`stream_files` hands the outcomes over one by one, each as soon as it
and every file before it are done, so a caller that writes each report and
forgets it holds no more than a few at any time, however many files there
are: what is kept of each assessment (``kind``) can be the very text to
write, made in the worker, and outcomes that come back early wait for their
turn in a buffer of bounded size (:data:`REORDER_CHUNKS`) -- a worker is
given no more files while a slow file holds the queue up.
:func:`assess_files` is the same as a list.

Big batches run in worker processes that this module starts and stops itself
rather than through ``concurrent.futures``, which lost work and processes on
interrupts: Ctrl-C reached its workers too (they share the terminal's process
group), its management thread could fail with ``InvalidStateError`` and hang,
and a SIGTERM to the main process left the workers running for ever.  Here:

* workers ignore SIGINT -- the parent decides -- and take SIGTERM's default;
* the parent stops every worker in a ``finally`` (SIGTERM, then SIGKILL after
  a grace period) with SIGINT and SIGTERM held off meanwhile, so a second
  Ctrl-C cannot leave one behind;
* a worker whose parent is gone (killed outright) notices its parent id
  change and exits;
* a worker that dies (a crash in the rules engine) loses no other file: the
  files of its chunk it had not sent back are retried one by one in a new
  worker, and a file that kills a worker on its own is reported as failed,
  by name.

This module prints nothing; progress is reported through a callback.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import traceback
from collections import deque
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from .results import Assessment

__all__ = ["Done", "Failed", "Outcome", "Keep", "assess_files", "stream_files", "report_names", "workers_for", "shape", "PARALLEL_MIN"]

#: Batches at least this large are spread over worker processes (one per core, at most 8).
PARALLEL_MIN = 64
#: How long a worker may take to stop on SIGTERM before it is killed.
STOP_GRACE_S = 2.0
#: How often an idle worker checks that its parent is still there.
PARENT_CHECK_S = 0.5
#: Files handed to a worker at a time, at most: each result is sent back as it is made, so a
#: chunk only spares round trips; small, so that few results wait behind a slower worker's.
CHUNK_MAX = 8
#: Outcomes waiting for their turn are at most this many chunks per worker: past that, no more
#: files are handed out until the file holding the queue up is done (then memory stays flat
#: even behind a file that takes a minute).
REORDER_CHUNKS = 4

_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@dataclass(frozen=True, slots=True)
class Done:
    """A file assessed: whether everything was met, and what the report keeps of it (see :func:`shape`)."""

    path: str
    all_met: bool
    value: Any


@dataclass(frozen=True, slots=True)
class Failed:
    """A file that could not be assessed: its error as text (which names the file)."""

    path: str
    text: str
    #: A bug in compliance (exit 3), not a fault in the input (exit 2).
    internal: bool = False
    #: The traceback, for --debug.
    detail: str = ""


Outcome = Done | Failed
LoadSchemes = Callable[[Sequence[str] | None], "list[Any] | None"]
#: What a batch keeps of each assessment: ``"full"``, ``"summary"`` or ``"json"`` (see :func:`shape`), or
#: a function of it -- module-level, or a ``functools.partial`` of one, so a spawned worker can be sent it.
Keep = str | Callable[["Assessment"], Any]


# ------------------------------------------------------------------ one file


def _slim(a: Assessment) -> Assessment:
    """The assessment without its requirements: all an overview across trusts reads."""
    schemes = [
        s.model_copy(update={"sections": [sec.model_copy(update={"requirements": []}) for sec in s.sections], "parameter_overrides": []})
        for s in a.schemes
    ]
    return a.model_copy(update={"schemes": schemes})


def shape(a: Assessment, kind: Keep) -> tuple[bool, Any]:
    """What a batch keeps of each assessment: the whole tree, an overview's slice, its JSON text, or ``kind(a)``.

    Keeping less matters for a thousand trusts: less to send back from a
    worker, less for the garbage collector to walk.
    """
    if callable(kind):
        return a.all_met, kind(a)
    if kind == "json":
        return a.all_met, a.model_dump_json(indent=2)
    if kind == "summary":
        return a.all_met, _slim(a)
    return a.all_met, a


def _assess_path(path: Path, schemes: Sequence[Any] | None, params: dict[str, Any] | None, today: Any = None, *, requirements: bool = True) -> Assessment:
    """Assess one evidence file (the library indexes JSON positions only when a problem needs them)."""
    from . import assess

    return assess(str(path), schemes=schemes, params=params, today=today, requirements=requirements)


def _named(path: str, text: str) -> str:
    """``text``, led by the file's name unless it names the file already."""
    return text if path in text else f"{path}: {text}"


def _internal(path: str, exc: BaseException) -> Failed:
    text = (
        f"{path}: internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in compliance, not in this file; rerun with --debug for the traceback."
    )
    return Failed(path, text, internal=True, detail="".join(traceback.format_exception(exc)))


def _one(path: str, schemes: Sequence[Any] | None, params: dict[str, Any] | None, kind: Keep, today: Any) -> Outcome:
    """One file's outcome; never raises but for an interrupt."""
    try:
        if kind == "summary":  # the overview's slice, made without the requirement trees it would drop (-40%)
            summary = _assess_path(Path(path), schemes, params, today, requirements=False)
            all_met, value = summary.all_met, summary
        else:
            all_met, value = shape(_assess_path(Path(path), schemes, params, today), kind)
    except InputError as err:
        return Failed(path, _named(path, err.render()), detail="".join(traceback.format_exception(err)))
    except Exception as exc:  # noqa: BLE001 - a bug, reported against the file that found it
        return _internal(path, exc)
    return Done(path, all_met, value)


# ------------------------------------------------------------------ the batch


def report_names(files: Sequence[Path], suffix: str) -> list[str]:
    """One report file name per evidence file, in order: its stem and ``suffix`` (``trust.json`` -> ``trust.md``).

    A stem given more than once (``a/trust.json`` and ``b/trust.json``, or
    ``trust.json`` and ``trust.yaml``) keeps it for the first file and gives
    the later ones ``trust-2``, ``trust-3`` ... in the order given, skipping any
    name another file's own stem takes.  Names are compared case-folded, as a
    case-insensitive file system compares them.  Only the list of files
    decides: the same files give the same names.
    """
    stems = [Path(f).stem or Path(f).name for f in files]
    own = {stem.casefold() for stem in stems}
    used: set[str] = set()
    names = []
    for stem in stems:
        name = stem
        if name.casefold() in used:
            k = 2
            while f"{stem}-{k}".casefold() in used or f"{stem}-{k}".casefold() in own:
                k += 1
            name = f"{stem}-{k}"
        used.add(name.casefold())
        names.append(name + suffix)
    return names


def workers_for(n_files: int) -> int:
    """Worker processes for a batch: COMPLIANCE_WORKERS if set (1 = none), else one per core for big batches."""
    forced = os.environ.get("COMPLIANCE_WORKERS", "").strip()
    if forced.isdigit() and int(forced) > 0:
        return min(int(forced), max(1, n_files))
    if n_files < PARALLEL_MIN:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def assess_files(
    files: Sequence[Path],
    scheme_ids: list[str] | None,
    load_schemes: LoadSchemes,
    params: dict[str, Any] | None,
    kind: Keep = "full",
    today: Any = None,
    *,
    fail_fast: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Every file's outcome, in order.  With ``fail_fast``, the outcomes up to the first bad file (in order).

    The list of :func:`stream_files`, for a caller that needs every outcome at once.
    """
    outcomes: list[Outcome] = []
    keeping = len(files) > 1
    try:
        with closing(stream_files(files, scheme_ids, load_schemes, params, kind, today, fail_fast=fail_fast, progress=progress)) as each:
            for outcome in each:
                outcomes.append(outcome)
                if keeping:
                    gc.freeze()  # kept results are not garbage: spare the collector from walking them
    finally:
        gc.unfreeze()
    return outcomes


def stream_files(
    files: Sequence[Path],
    scheme_ids: list[str] | None,
    load_schemes: LoadSchemes,
    params: dict[str, Any] | None,
    kind: Keep = "full",
    today: Any = None,
    *,
    fail_fast: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Generator[Outcome, None, None]:
    """Every file's outcome in the order given, each as soon as it and every file before it are done.

    With ``fail_fast`` the first bad file (in order) is the last outcome.
    ``load_schemes`` turns the --scheme ids into schemes (a module-level
    function, so a spawned worker can be given it).  Bad --scheme ids fail at
    the first outcome asked for, before any work.  ``progress`` is called with
    the number of files done.  Close the iterator (``contextlib.closing``) if
    it is not run to its end: that stops the worker processes at once.
    """
    schemes = load_schemes(scheme_ids)
    paths = [str(f) for f in files]
    n = workers_for(len(paths))
    collecting = gc.isenabled()
    if len(paths) > 1:
        gc.enable()  # a batch makes garbage file after file: collect as it does (the command turns it off)
    try:
        if n > 1:
            yield from _Pool(n, paths, (scheme_ids, load_schemes, params, kind, today), fail_fast, progress).run()
        else:
            for done, path in enumerate(paths):
                if progress is not None:
                    progress(done)
                outcome = _one(path, schemes, params, kind, today)
                yield outcome
                if fail_fast and isinstance(outcome, Failed):
                    return
    finally:
        if not collecting:
            gc.disable()


# ------------------------------------------------------------------ worker processes


_Init = tuple[list[str] | None, LoadSchemes, dict[str, Any] | None, Keep, Any]


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies (Linux); in any case, leave if it is gone already."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass  # elsewhere the parent-id check in the loop does it, a little later
    if os.getppid() != parent:
        os._exit(0)


def _worker_main(conn: Connection, init: _Init, parent: int, inherited: Sequence[int] = ()) -> None:
    """A worker: assess each chunk of ``(index, path)`` it is sent, sending back ``(index, outcome)`` as each is done.

    Each outcome goes back at once rather than with its chunk: the worker holds
    one at a time, and if it dies, the files it had finished are not redone.

    ``inherited`` are the parent's ends of the pipes (this worker's and earlier
    workers') that a forked worker holds a copy of: closed at once, or a dead
    parent would never look dead (its pipes would stay open) and a worker could
    block for ever sending results nobody reads.
    """
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the parent's handler
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)  # held off by the parent while it started us
        for fd in inherited:
            try:
                os.close(fd)
            except OSError:
                pass
        _die_with_parent(parent)
        gc.enable()  # a forked worker inherits a parent's start-up setting; it assesses many files
        scheme_ids, load_schemes, params, kind, today = init
        schemes: list[Any] | None = None
        broken: BaseException | None = None
        try:
            schemes = load_schemes(scheme_ids)
        except Exception as exc:  # noqa: BLE001 - reported against every file this worker is given
            broken = exc
        settled = False
        while True:
            if not conn.poll(PARENT_CHECK_S):
                if os.getppid() != parent:
                    return  # the parent was killed outright: nobody wants the results
                continue
            chunk = conn.recv()
            if chunk is None:
                return
            for index, path in chunk:
                conn.send((index, _internal(path, broken) if broken is not None else _one(path, schemes, params, kind, today)))
                if not settled:
                    # After the first file, what lives on (schemes, rulesets, caches) is made: set it aside
                    # from the collector's walks, once.  Not after every file: a freeze also keeps any
                    # garbage not yet collected for ever, and the worker keeps nothing of a file.
                    gc.collect()
                    gc.freeze()
                    settled = True
    except (EOFError, OSError):
        return  # the parent went away mid-conversation
    finally:
        conn.close()


_Worker = tuple["Connection", "BaseProcess"]


class _Pool:
    """Worker processes over one batch: chunks handed out in order, outcomes given back in order, every worker stopped at the end.

    Outcomes that arrive before their turn wait in ``pending``; a chunk is
    handed out only if it ends within :attr:`window` files of the next
    outcome due, so ``pending`` never holds more than that many.
    """

    def __init__(self, n: int, paths: list[str], init: _Init, fail_fast: bool, progress: Callable[[int], None] | None):
        import multiprocessing
        import threading

        self.paths = paths
        self.init = init
        self.fail_fast = fail_fast
        self.progress = progress
        self.n = n
        # 'fork' is quickest (the workers inherit the imports); it is safe here because this
        # process has assessed nothing yet and runs no other thread.  Otherwise 'spawn'.
        default = "fork" if sys.platform.startswith("linux") and threading.active_count() == 1 else "spawn"
        self.context: Any = multiprocessing.get_context(os.environ.get("COMPLIANCE_MP", default))
        size = max(1, min(CHUNK_MAX, len(paths) // (n * 4)))
        self.todo: deque[list[int]] = deque(list(range(i, min(i + size, len(paths)))) for i in range(0, len(paths), size))
        #: Outcomes waiting for their turn: at most ``window`` of them (see :meth:`_may_hand_out`).
        self.window = REORDER_CHUNKS * n * size
        self.pending: dict[int, Outcome] = {}
        self.peak_pending = 0
        #: The index of the next outcome to give back.
        self.next = 0
        #: With fail_fast, the first bad file known: nothing after it is handed out.
        self.stop_at = len(paths)
        #: Each busy worker's files not yet sent back.
        self.busy: dict[Connection, tuple[BaseProcess, list[int]]] = {}
        self.idle: list[_Worker] = []
        #: Every worker ever started: all are stopped at the end, whatever state each is in.
        self.started: list[_Worker] = []
        self.done = 0
        self.lost_sends = 0
        self.finished = False

    def run(self) -> Generator[Outcome, None, None]:
        from multiprocessing.connection import wait

        try:
            self._fill()
            while self.next < len(self.paths):
                if not self.busy:
                    raise RuntimeError(f"the batch stalled at file {self.next + 1} of {len(self.paths)} with no worker busy")
                for conn in wait(list(self.busy)):
                    self._collect(conn)  # type: ignore[arg-type]
                while self.next in self.pending:
                    outcome = self.pending.pop(self.next)
                    self.next += 1
                    yield outcome
                    if self.fail_fast and isinstance(outcome, Failed):
                        return  # the first bad file in order: what is still running is not wanted
                self._fill()
            self.finished = True
        finally:
            self._stop_all()

    def _may_hand_out(self, chunk: list[int]) -> bool:
        return chunk[0] < self.stop_at and chunk[-1] < self.next + self.window

    def _fill(self) -> None:
        """Hand chunks to idle workers (starting workers up to ``n``) while the window and --fail-fast allow."""
        while self.todo and self._may_hand_out(self.todo[0]):
            if self.idle:
                worker = self.idle.pop()
            elif len(self.busy) + len(self.idle) < self.n:
                worker = self._start()
            else:
                return
            self._hand_out(worker)

    def _start(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        # A forked worker holds copies of this process's pipe ends, its own and earlier workers': it closes them.
        # (A spawned one inherits only what it is given.)
        inherited = [parent_end.fileno(), *(c.fileno() for c, _ in self.started if not c.closed)] if self.context.get_start_method() == "fork" else []
        proc = self.context.Process(target=_worker_main, args=(child_end, self.init, os.getpid(), inherited), daemon=True)
        # Held off while the worker starts: it must not run this process's handlers (a fork has
        # them until it sets its own), and it is on the list to stop before anything can interrupt.
        signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            proc.start()
            self.started.append((parent_end, proc))
        finally:
            child_end.close()
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
        return parent_end, proc

    def _hand_out(self, worker: _Worker) -> None:
        conn, proc = worker
        chunk = self.todo.popleft()
        try:
            conn.send([(i, self.paths[i]) for i in chunk])
        except OSError:  # it died before it was given any work: the chunk waits for another (it is stopped at the end)
            self.todo.appendleft(chunk)
            self.lost_sends += 1
            if self.lost_sends > 4 * self.n:
                raise RuntimeError("worker processes die as soon as they start") from None
            return
        self.busy[conn] = (proc, list(chunk))

    def _collect(self, conn: Connection) -> None:
        proc, remaining = self.busy[conn]
        try:
            index, outcome = conn.recv()
        except (EOFError, OSError):
            del self.busy[conn]
            self._died(conn, proc, remaining)
            return
        remaining.remove(index)
        self._settle(index, outcome)
        if not remaining:
            del self.busy[conn]
            self.idle.append((conn, proc))

    def _settle(self, index: int, outcome: Outcome) -> None:
        self.pending[index] = outcome
        self.peak_pending = max(self.peak_pending, len(self.pending))
        if self.fail_fast and isinstance(outcome, Failed):
            self.stop_at = min(self.stop_at, index)  # files before it are still handed out (a retry, say); none after
        self.done += 1
        if self.progress is not None:
            self.progress(self.done)

    def _died(self, conn: Connection, proc: BaseProcess, remaining: list[int]) -> None:
        """A worker died with ``remaining`` in hand: retry them one by one; a file that kills one alone failed."""
        conn.close()
        proc.join(STOP_GRACE_S)
        if len(remaining) > 1:
            self.todo.extendleft([i] for i in reversed(remaining))
        elif remaining:
            (index,) = remaining
            path = self.paths[index]
            code = proc.exitcode
            how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with status {code}"
            self._settle(
                index,
                Failed(
                    path,
                    f"{path}: internal error: the worker process assessing this file {how}\n"
                    "This is a bug in compliance, not in this file; it is assessed alone with COMPLIANCE_WORKERS=1.",
                    internal=True,
                ),
            )

    def _stop_all(self) -> None:
        """Stop every worker, whatever state the batch is in; nothing may interrupt this."""
        signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            workers = self.started
            self.started = []
            self.busy.clear()
            self.idle.clear()
            for conn, _ in workers:
                try:
                    conn.send(None)  # an idle worker stops at once
                except (OSError, ValueError):  # dead, or its end already closed
                    pass
            if self.finished:  # every worker is idle: each stops at its None
                for _, proc in workers:
                    proc.join(STOP_GRACE_S)
            for _, proc in workers:
                if proc.is_alive():
                    proc.terminate()  # stopped where it is: nobody wants its results now
            for _, proc in workers:
                proc.join(STOP_GRACE_S)
                if proc.is_alive():
                    proc.kill()
                    proc.join()
            for conn, _ in workers:
                conn.close()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
