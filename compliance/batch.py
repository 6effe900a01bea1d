"""Assessing a batch of evidence files so that no file's work is lost.

Stage: the command line's ``assess`` over several files.  Artifact: one
outcome per file, in the order given -- :class:`Done` (what the report needs
of its assessment) or :class:`Failed` (its error, rendered, naming the file,
even for an internal error).  The caller reports every good file and lists
every bad one; with ``fail_fast`` the batch stops at the first bad file.

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
* a worker that dies (a crash in the rules engine) loses no other file: its
  files are retried one by one in a new worker, and a file that kills a
  worker on its own is reported as failed, by name.

This module prints nothing; progress is reported through a callback.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from .results import Assessment

__all__ = ["Done", "Failed", "Outcome", "assess_files", "workers_for", "shape", "PARALLEL_MIN"]

#: Batches at least this large are spread over worker processes (one per core, at most 8).
PARALLEL_MIN = 64
#: How long a worker may take to stop on SIGTERM before it is killed.
STOP_GRACE_S = 2.0
#: How often an idle worker checks that its parent is still there.
PARENT_CHECK_S = 0.5

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


# ------------------------------------------------------------------ one file


def _slim(a: Assessment) -> Assessment:
    """The assessment without its requirements: all an overview across trusts reads."""
    schemes = [
        s.model_copy(update={"sections": [sec.model_copy(update={"requirements": []}) for sec in s.sections], "parameter_overrides": []})
        for s in a.schemes
    ]
    return a.model_copy(update={"schemes": schemes})


def shape(a: Assessment, kind: str) -> tuple[bool, Any]:
    """What a batch keeps of each assessment: the whole tree, an overview's slice, or its JSON text.

    Keeping less matters for a thousand trusts: less to send back from a
    worker, less for the garbage collector to walk.
    """
    if kind == "json":
        return a.all_met, a.model_dump_json(indent=2)
    if kind == "summary":
        return a.all_met, _slim(a)
    return a.all_met, a


def _assess_path(path: Path, schemes: Sequence[Any] | None, params: dict[str, Any] | None, today: Any = None) -> Assessment:
    """Assess one evidence file (the library indexes JSON positions only when a problem needs them)."""
    from . import assess

    return assess(str(path), schemes=schemes, params=params, today=today)


def _named(path: str, text: str) -> str:
    """``text``, led by the file's name unless it names the file already."""
    return text if path in text else f"{path}: {text}"


def _internal(path: str, exc: BaseException) -> Failed:
    text = (
        f"{path}: internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in compliance, not in this file; rerun with --debug for the traceback."
    )
    return Failed(path, text, internal=True, detail="".join(traceback.format_exception(exc)))


def _one(path: str, schemes: Sequence[Any] | None, params: dict[str, Any] | None, kind: str, today: Any) -> Outcome:
    """One file's outcome; never raises but for an interrupt."""
    try:
        all_met, value = shape(_assess_path(Path(path), schemes, params, today), kind)
    except InputError as err:
        return Failed(path, _named(path, err.render()), detail="".join(traceback.format_exception(err)))
    except Exception as exc:  # noqa: BLE001 - a bug, reported against the file that found it
        return _internal(path, exc)
    return Done(path, all_met, value)


# ------------------------------------------------------------------ the batch


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
    kind: str = "full",
    today: Any = None,
    *,
    fail_fast: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Every file's outcome, in order.  With ``fail_fast``, the outcomes up to the first bad file (in order).

    ``load_schemes`` turns the --scheme ids into schemes (a module-level
    function, so a spawned worker can be given it).  Bad --scheme ids fail
    here, before any work.  ``progress`` is called with the number of files done.
    """
    schemes = load_schemes(scheme_ids)
    paths = [str(f) for f in files]
    n = workers_for(len(paths))
    collecting = gc.isenabled()
    if len(paths) > 1:
        gc.enable()  # results pile up over a batch: collect as they do (the command turns it off)
    try:
        if n > 1:
            outcomes = _Pool(n, paths, (scheme_ids, load_schemes, params, kind, today), fail_fast, progress).run()
        else:
            outcomes = []
            for path in paths:
                if progress is not None:
                    progress(len(outcomes))
                outcomes.append(_one(path, schemes, params, kind, today))
                if len(paths) > 1:
                    gc.freeze()  # kept results are not garbage: spare the collector from walking them
                if fail_fast and isinstance(outcomes[-1], Failed):
                    break
    finally:
        gc.unfreeze()
        if not collecting:
            gc.disable()
    return outcomes


# ------------------------------------------------------------------ worker processes


_Init = tuple[list[str] | None, LoadSchemes, dict[str, Any] | None, str, Any]


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
    """A worker: assess each chunk of ``(index, path)`` it is sent, send back ``(index, outcome)`` for each.

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
        while True:
            if not conn.poll(PARENT_CHECK_S):
                if os.getppid() != parent:
                    return  # the parent was killed outright: nobody wants the results
                continue
            chunk = conn.recv()
            if chunk is None:
                return
            done: list[tuple[int, Outcome]] = []
            for index, path in chunk:
                done.append((index, _internal(path, broken) if broken is not None else _one(path, schemes, params, kind, today)))
            conn.send(done)
            gc.freeze()  # what is kept is not garbage: stop the collector walking it again and again
    except (EOFError, OSError):
        return  # the parent went away mid-conversation
    finally:
        conn.close()


class _Pool:
    """Worker processes over one batch: chunks handed out in order, every worker stopped at the end."""

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
        size = max(1, min(32, len(paths) // (n * 4)))
        self.todo: deque[list[int]] = deque(list(range(i, min(i + size, len(paths)))) for i in range(0, len(paths), size))
        self.outcomes: list[Outcome | None] = [None] * len(paths)
        self.busy: dict[Connection, tuple[BaseProcess, list[int]]] = {}
        self.idle: list[tuple[Connection, BaseProcess]] = []
        #: Every worker ever started: all are stopped at the end, whatever state each is in.
        self.started: list[tuple[Connection, BaseProcess]] = []
        self.done = 0
        self.stopping = False
        self.finished = False

    def run(self) -> list[Outcome]:
        from multiprocessing.connection import wait

        try:
            for _ in range(min(self.n, len(self.todo))):
                self._hand_out(self._start())
            while self.busy:
                for conn in wait(list(self.busy)):
                    self._collect(conn)  # type: ignore[arg-type]
            self.finished = True
        finally:
            self._stop_all()
        out = [o for o in self.outcomes if o is not None]
        assert self.fail_fast or len(out) == len(self.paths), "every file has its outcome"
        if self.fail_fast:
            first_bad = next((i for i, o in enumerate(out) if isinstance(o, Failed)), None)
            if first_bad is not None:
                return out[: first_bad + 1]
        return out

    def _start(self) -> tuple[Connection, BaseProcess]:
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

    def _hand_out(self, worker: tuple[Connection, BaseProcess]) -> None:
        conn, proc = worker
        if self.todo and not self.stopping:
            chunk = self.todo.popleft()
            try:
                conn.send([(i, self.paths[i]) for i in chunk])
            except OSError:  # it died before it was given any work
                self.todo.appendleft(chunk)
                self.idle.append(worker)
                self._replace()
                return
            self.busy[conn] = (proc, chunk)
        else:
            self.idle.append(worker)

    def _replace(self) -> None:
        if self.todo and not self.stopping:
            self._hand_out(self._start())

    def _collect(self, conn: Connection) -> None:
        proc, chunk = self.busy.pop(conn)
        try:
            results: list[tuple[int, Outcome]] = conn.recv()
        except (EOFError, OSError):
            self._died(conn, proc, chunk)
            return
        for index, outcome in results:
            self.outcomes[index] = outcome
            if self.fail_fast and isinstance(outcome, Failed):
                self.stopping = True  # what is handed out is finished, so every file before this one is known
        self.done += len(results)
        if self.progress is not None:
            self.progress(self.done)
        self._hand_out((conn, proc))

    def _died(self, conn: Connection, proc: BaseProcess, chunk: list[int]) -> None:
        """A worker died with ``chunk`` in hand: retry its files one by one; a file that kills one alone failed."""
        conn.close()
        proc.join(STOP_GRACE_S)
        if len(chunk) > 1:
            self.todo.extendleft([i] for i in reversed(chunk))
        else:
            (index,) = chunk
            path = self.paths[index]
            code = proc.exitcode
            how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with status {code}"
            self.outcomes[index] = Failed(
                path,
                f"{path}: internal error: the worker process assessing this file {how}\n"
                "This is a bug in compliance, not in this file; it is assessed alone with COMPLIANCE_WORKERS=1.",
                internal=True,
            )
            self.done += 1
            if self.fail_fast:
                self.stopping = True
        self._replace()

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
