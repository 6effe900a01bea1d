"""Files that appear whole or not at all: every report the command line writes goes through here.

A reader (or the next stage of a pipeline) sees the old file or the whole new
one, never half of it, whatever stops the writing: a full disk, Ctrl-C,
SIGTERM, or ``kill -9``.  This module prints nothing and raises ``OSError``;
the command line says what went wrong.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["AtomicFile", "write_atomically"]


class AtomicFile:
    """A file written in parts that appears at ``path`` whole, flushed to disk, or not at all.

    The new file is made in the target's directory (so the rename stays on one
    file system) as an unnamed file (Linux's ``O_TMPFILE``): a process killed
    outright, however long the writing took, leaves nothing behind.  Only when
    it is whole and flushed to disk (a full disk shows up here, not after) is it
    given a name and renamed over the target.  Where unnamed files are not to
    be had, it is a hidden ``.NAME.XXXX.tmp`` beside the target instead, which
    only ``kill -9`` can leave behind.  :meth:`discard` (after an interrupt or
    a write error) leaves the old file as it was.  Anything that is not a
    regular file (``/dev/stdout``, a pipe) is written in place.
    """

    def __init__(self, path: Path):
        import secrets

        self.target = path.resolve()  # through a symbolic link: replace the file it points at, not the link
        self.tmp: Path | None = None
        self.unnamed = False
        if self.target.exists() and not self.target.is_file():
            self.file = open(path, "wb")  # noqa: SIM115 - closed by commit() or discard()
            return
        # 0o666 and the umask, as a plain write makes; an existing file keeps its own mode (see commit).
        fd = -1
        if hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd"):  # naming it later goes through /proc
            try:
                fd = os.open(self.target.parent, os.O_TMPFILE | os.O_WRONLY, 0o666)
                self.unnamed = True
            except OSError:  # a file system without unnamed files (or a missing directory: said below)
                pass
        if fd < 0:
            self.tmp = self.target.with_name(f".{self.target.name}.{secrets.token_hex(6)}.tmp")
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self.file = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def commit(self) -> None:
        """Flush the file to disk and put it in the target's place."""
        import secrets
        import signal

        self.file.flush()
        if not self.unnamed and self.tmp is None:  # written in place
            self.file.close()
            return
        os.fsync(self.file.fileno())
        if self.target.exists():
            os.fchmod(self.file.fileno(), self.target.stat().st_mode & 0o7777)
        # Named and renamed with interrupts held off: between the two, a name exists that must not be left.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            if self.unnamed:
                name = f".{self.target.name}.{secrets.token_hex(6)}.tmp"
                where = os.open(self.target.parent, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    # linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N names an unnamed file (the dir fds make
                    # os.link use linkat; plain link() would try to link the /proc entry itself).
                    os.link(f"/proc/self/fd/{self.file.fileno()}", name, src_dir_fd=where, dst_dir_fd=where, follow_symlinks=True)
                finally:
                    os.close(where)
                self.tmp = self.target.with_name(name)
            assert self.tmp is not None
            os.replace(self.tmp, self.target)
            self.tmp = None
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
        self.file.close()

    def discard(self) -> None:
        """Leave the target as it was (after :meth:`commit`, nothing to do)."""
        if not self.file.closed:
            try:
                self.file.close()
            except OSError:
                pass  # what it failed to write is being thrown away
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)
            self.tmp = None


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a reader sees the old file or the whole new one, never half of it (:class:`AtomicFile`)."""
    out = AtomicFile(path)
    try:
        out.write(data)
        out.commit()
    finally:
        out.discard()
