"""A disk cache of checked schemes: data only, in a directory only the user can write.

Stage: scheme loading.  Artifact: one JSON file per checked scheme.

Reading, validating and checking a bundled scheme's YAML costs 35-155 ms a
scheme every time a command starts (benchmarks/scheme_cache.py); an entry
here costs a few milliseconds.  An entry is the scheme *model* as JSON, and
only data: loading it is ``json`` and pydantic validation -- never pickle, so
nothing in the file can run code -- and then the checker again (without
source positions), which derives the checked leaves as the full loader
does.  An entry whose data does not come back validated and checked is a miss.

Entries are keyed by:

* the exact bytes of the scheme file;
* the code that checks it: the package version and the size and modification
  time of every module of the package, so editing the checker (or a measure
  kind) invalidates every entry;
* the Python and pydantic versions;
* the ids of the bundled schemes (a scheme's references are checked against them).

Only schemes that passed every check, and that come back from their JSON
equal in every field and leaf, are stored, so every error is still found, with
its position, by the full loader.  The cache is an optimisation and never an
input: an unreadable, corrupt or stale entry is ignored and rebuilt.

Where: ``$COMPLIANCE_CACHE_DIR``, else the platform's user cache directory
(``platformdirs``: ``$XDG_CACHE_HOME/compliance/schemes`` or
``~/.cache/compliance/schemes`` on Linux, ``~/Library/Caches/compliance/schemes``
on macOS, ``%LOCALAPPDATA%\\compliance\\Cache\\schemes`` on Windows).
``COMPLIANCE_NO_CACHE=1`` turns it off.

The directory must be the user's own: owned by the current user and writable
by nobody else (checked on the open directory itself, so renaming a parent
cannot swap another in; missing directories are made 0700).  Any other is not
used at all, with a one-line notice through :data:`notify` (the command line
prints it under ``--debug``).  Entries must be regular files the user owns.
Pruning removes only files named as this cache names its entries.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import secrets
import stat
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .checker import CheckedScheme

__all__ = ["cache_dir", "fetch", "store", "notify", "MAX_ENTRIES", "MAX_ENTRY_BYTES"]

#: Entries kept; the oldest are removed when a new one is written.  Scheme authors
#: editing a file make a new entry per saved version, and nobody needs the old ones.
MAX_ENTRIES = 64
#: An entry larger than this is not read (the largest bundled scheme's is about 90 KB).
MAX_ENTRY_BYTES = 16 * 1024 * 1024
_FORMAT = "compliance-scheme-cache-3"  # 3: JSON of the scheme model (2 was a pickle: never read)
#: The names this cache gives its entries and their temporary files: pruning touches nothing else.
_ENTRY = re.compile(r"scheme-[0-9a-f]{64}\.json")
_TEMPORARY = re.compile(r"\.scheme-[0-9a-f]{64}\.[0-9a-f]{16}\.tmp")
#: A temporary file older than this was left by a process that died while writing it.
_STALE_TEMPORARY_S = 3600

#: Called with a one-line notice when a cache directory is refused (the CLI sets it under --debug).
notify: Callable[[str], None] | None = None
_NOTICED: set[str] = set()

# Ownership and permissions are checked where the platform has them (POSIX); elsewhere
# (Windows) the user's cache directory is guarded by its ACLs and paths are used as they are.
_POSIX = hasattr(os, "geteuid") and os.open in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def cache_dir() -> Path | None:
    """The directory for cached schemes, or None when caching is turned off."""
    if os.environ.get("COMPLIANCE_NO_CACHE"):
        return None
    explicit = os.environ.get("COMPLIANCE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_cache_dir("compliance", appauthor=False)) / "schemes"


@functools.lru_cache(maxsize=1)
def _code_stamp() -> bytes:
    """What the package's code looks like: any edit to a module changes it."""
    from ..version import __version__

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(_FORMAT.encode())
    h.update(f"{__version__}|{sys.version}|{_pydantic_version()}".encode())
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                st = os.stat(os.path.join(dirpath, name))
                h.update(f"{os.path.relpath(os.path.join(dirpath, name), root)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.digest()


def _pydantic_version() -> str:
    from pydantic.version import VERSION

    return VERSION


def _key(source: bytes, known_schemes: Sequence[str]) -> str:
    h = hashlib.sha256(_code_stamp())
    h.update("\n".join(known_schemes).encode())
    h.update(b"\0")
    h.update(source)
    return h.hexdigest()


def _entry_name(key: str) -> str:
    return f"scheme-{key}.json"


def _notice(text: str) -> None:
    if text in _NOTICED:
        return
    _NOTICED.add(text)
    if notify is not None:
        notify(text)


# ------------------------------------------------------------------ the directory


class _Dir:
    """The cache directory, opened and checked once: every later access goes through it."""

    def __init__(self, path: Path, fd: int | None):
        self.path = path
        self.fd = fd  # POSIX: the checked directory itself, so a renamed path cannot swap another in

    def open(self, name: str, flags: int, mode: int = 0o600) -> int:
        if self.fd is not None:
            return os.open(name, flags | _NOFOLLOW, mode, dir_fd=self.fd)
        return os.open(self.path / name, flags | getattr(os, "O_BINARY", 0), mode)

    def replace(self, old: str, new: str) -> None:
        if self.fd is not None:
            os.replace(old, new, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        else:
            os.replace(self.path / old, self.path / new)

    def unlink(self, name: str) -> None:
        if self.fd is not None:
            os.unlink(name, dir_fd=self.fd)
        else:
            os.unlink(self.path / name)

    def names(self) -> Iterator[tuple[str, os.stat_result]]:
        """(name, lstat) of every file here (a symbolic link is reported as one, never followed)."""
        with os.scandir(self.fd if self.fd is not None else self.path) as it:
            for entry in it:
                try:
                    yield entry.name, entry.stat(follow_symlinks=False)
                except OSError:
                    continue


def _make_private(path: Path) -> None:
    """Make ``path`` and any missing parent, each 0700 whatever the umask (so ``umask 000`` leaves none open)."""
    missing: list[Path] = []
    here = path
    while not os.path.lexists(here) and here.parent != here:
        missing.append(here)
        here = here.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            pass


def _refusal(st: os.stat_result) -> str | None:
    """Why a cache directory with this status may not be used, or None."""
    if not stat.S_ISDIR(st.st_mode):
        return "is not a directory"
    if st.st_uid != os.geteuid():
        return f"is owned by user id {st.st_uid}, not by the user running compliance (id {os.geteuid()})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"can be written by other users (mode {stat.S_IMODE(st.st_mode):04o})"
    return None


@contextmanager
def _opened(create: bool) -> Iterator[_Dir | None]:
    """The cache directory if it may be used (made if ``create``), else None."""
    where = cache_dir()
    if where is None:
        yield None
        return
    if not _POSIX:
        if create:
            try:
                where.mkdir(parents=True, exist_ok=True)
            except OSError:
                yield None
                return
        yield _Dir(where, None) if where.is_dir() else None
        return
    try:
        fd = os.open(where, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        if not create:
            yield None
            return
        try:
            _make_private(where)
            fd = os.open(where, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            yield None
            return
    except OSError:
        yield None
        return
    try:
        why = _refusal(os.fstat(fd))
        if why is not None:
            _notice(f"not using the scheme cache {where}: it {why}")
            yield None
            return
        yield _Dir(where, fd)
    finally:
        os.close(fd)


# ------------------------------------------------------------------ entries


def fetch(source: bytes, known_schemes: Sequence[str]) -> CheckedScheme | None:
    """The checked scheme stored for these file bytes, or None."""
    with _opened(create=False) as where:
        if where is None:
            return None
        key = _key(source, known_schemes)
        try:
            fd = where.open(_entry_name(key), os.O_RDONLY)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or (_POSIX and st.st_uid != os.geteuid()) or st.st_size > MAX_ENTRY_BYTES:
                return None
            try:
                blob = f.read(MAX_ENTRY_BYTES + 1)
            except OSError:
                return None
    return _decode(blob, key, known_schemes)


def _decode(blob: bytes, key: str, known_schemes: Sequence[str]) -> CheckedScheme | None:
    """An entry's bytes as a checked scheme: its header must name this format and key, its scheme validate and check."""
    from .checker import check
    from .model import Scheme

    head, sep, body = blob.partition(b"\n")
    try:
        header = json.loads(head)
        if not sep or not isinstance(header, dict) or header.get("format") != _FORMAT or header.get("key") != key:
            return None
        scheme = Scheme.model_validate_json(body)
        result, problems = check(scheme, None, known_schemes=known_schemes)
    except Exception:  # noqa: BLE001 - truncated, foreign or hand-edited: a miss, rebuilt and overwritten
        return None
    return result if not problems else None


def _encode(scheme: CheckedScheme, key: str, known_schemes: Sequence[str]) -> bytes | None:
    """The entry for ``scheme``, or None if its data would not come back as the same checked scheme."""
    from .checker import check
    from .model import Scheme

    body = scheme.model_dump_json(exclude_unset=True).encode()
    # Scheme fields typed loosely (a parameter's default, say) could come back from JSON as
    # another type: such a scheme is simply not cached, so a hit always equals a full load.
    try:
        back, problems = check(Scheme.model_validate_json(body), None, known_schemes=known_schemes)
    except Exception:  # noqa: BLE001 - not representable as data: not cached
        return None
    if problems or back is None or back.leaves != scheme.leaves:
        return None
    if any(getattr(back, name) != getattr(scheme, name) for name in Scheme.model_fields):
        return None
    header = json.dumps({"format": _FORMAT, "key": key}).encode()
    return header + b"\n" + body


def store(source: bytes, known_schemes: Sequence[str], scheme: CheckedScheme) -> None:
    """Remember a checked scheme; silently does nothing if the cache cannot be used or written."""
    with _opened(create=True) as where:
        if where is None:
            return
        key = _key(source, known_schemes)
        blob = _encode(scheme, key, known_schemes)
        if blob is None:
            return
        # Written whole then renamed, so a concurrent reader never sees half an entry.
        tmp = f".scheme-{key}.{secrets.token_hex(8)}.tmp"
        try:
            fd = where.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            where.replace(tmp, _entry_name(key))
        except OSError:
            try:
                where.unlink(tmp)
            except OSError:
                pass
            return
        _prune(where)


def _prune(where: _Dir) -> None:
    """Keep the newest MAX_ENTRIES entries and remove stale temporary files -- only files this cache names so."""
    uid = os.geteuid() if _POSIX else None
    now = time.time()
    entries: list[tuple[int, str]] = []
    doomed: list[str] = []
    try:
        listed = list(where.names())
    except OSError:
        return
    for name, st in listed:
        if not stat.S_ISREG(st.st_mode) or (uid is not None and st.st_uid != uid):
            continue
        if _ENTRY.fullmatch(name):
            entries.append((st.st_mtime_ns, name))
        elif _TEMPORARY.fullmatch(name) and now - st.st_mtime > _STALE_TEMPORARY_S:
            doomed.append(name)
    entries.sort()
    doomed += [name for _, name in entries[: max(0, len(entries) - MAX_ENTRIES)]]
    for name in doomed:
        try:
            where.unlink(name)
        except OSError:
            pass
