"""A disk cache of checked schemes, in the spirit of Python's own bytecode cache.

Parsing, validating and checking a bundled scheme costs tens of milliseconds
every time a command starts, for YAML that rarely changes.  A checked scheme
(a :class:`~compliance.schemes.checker.CheckedScheme`, which carries its checked leaves) is
therefore kept on disk, keyed by:

* the exact bytes of the scheme file;
* the code that checks it: the package version and the size and modification
  time of every module of the package, so editing the checker (or a measure
  kind) invalidates every entry;
* the Python and pydantic versions (pickles hold their classes' state);
* the ids of the bundled schemes (a scheme's references are checked against them).

Only schemes that passed every check are stored, so every error is still
found, with its position, by the full loader.  The cache is an optimisation and
never an input: an unreadable, corrupt or stale entry is ignored and rebuilt,
and a cache directory that cannot be written is simply not used.

Where: ``$COMPLIANCE_CACHE_DIR``, else ``$XDG_CACHE_HOME/compliance/schemes``,
else ``~/.cache/compliance/schemes``.  ``COMPLIANCE_NO_CACHE=1`` turns it off.  Entries are
pickles, so the directory is created private to the user (mode 0700), like the
rest of a user's cache.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .checker import CheckedScheme

__all__ = ["cache_dir", "fetch", "store", "MAX_ENTRIES"]

#: Entries kept; the oldest are removed when a new one is written.  Scheme authors
#: editing a file make a new entry per saved version, and nobody needs the old ones.
MAX_ENTRIES = 64
_FORMAT = b"compliance-scheme-cache-2"  # 2: one CheckedScheme per entry


def cache_dir() -> Path | None:
    """The directory for cached schemes, or None when caching is turned off."""
    if os.environ.get("COMPLIANCE_NO_CACHE"):
        return None
    explicit = os.environ.get("COMPLIANCE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "compliance" / "schemes"


@functools.lru_cache(maxsize=1)
def _code_stamp() -> bytes:
    """What the package's code looks like: any edit to a module changes it."""
    from ..version import __version__

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(_FORMAT)
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


def fetch(source: bytes, known_schemes: Sequence[str]) -> CheckedScheme | None:
    """The checked scheme stored for these file bytes, or None."""
    where = cache_dir()
    if where is None:
        return None
    try:
        blob = (where / f"{_key(source, known_schemes)}.pickle").read_bytes()
    except OSError:
        return None
    try:
        found: Any = pickle.loads(blob)
    except Exception:  # a truncated or foreign file: rebuild, and overwrite it
        return None
    from .checker import CheckedScheme

    if not (isinstance(found, CheckedScheme) and found._leaves is not None):
        return None
    return found


def store(source: bytes, known_schemes: Sequence[str], scheme: CheckedScheme) -> None:
    """Remember a checked scheme; silently does nothing if the cache cannot be written."""
    where = cache_dir()
    if where is None:
        return
    target = where / f"{_key(source, known_schemes)}.pickle"
    try:
        blob = pickle.dumps(scheme, protocol=pickle.HIGHEST_PROTOCOL)
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written whole then renamed, so a concurrent reader never sees half an entry.
        fd, tmp = tempfile.mkstemp(dir=where, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(where)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return


def _prune(where: Path) -> None:
    entries = sorted(where.glob("*.pickle"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    for old in entries[:-MAX_ENTRIES]:
        try:
            old.unlink()
        except OSError:
            pass
