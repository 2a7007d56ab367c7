"""Writing a file without ever harming what was there (no Qt, no torch).

:func:`atomic_write` writes into a temporary file beside the target and renames it over the target only
when the writing succeeded, so a crash or ``kill -9`` leaves either the old file or the new one. It
refuses a target that exists and is not a regular file (a device, a FIFO, a directory, a socket: the
rename would replace it), keeps an existing target's permission bits (a new file gets the usual
``0666 & ~umask``), and removes the temporary files that a killed writer left beside the target (their
names carry the writer's process id).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable


class WriteError(OSError):
    """The target cannot be written; ``str()`` names the target and why."""


def _temp_prefix(path: Path, pid: int) -> str:
    return f".{path.name}.{pid}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(path: Path) -> list[Path]:
    """Remove ``.NAME.PID.*.tmp`` files beside ``path`` whose writer ``PID`` is gone; returns them."""
    removed = []
    try:
        candidates = list(path.parent.glob(f".{path.name}.*.tmp"))
    except OSError:
        return removed
    for tmp in candidates:
        parts = tmp.name[len(path.name) + 2:].split(".")
        if parts and parts[0].isdigit() and int(parts[0]) != os.getpid() and not _alive(int(parts[0])):
            try:
                tmp.unlink()
                removed.append(tmp)
            except OSError:
                pass
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it to ``path``.

    Raises :class:`WriteError` (the target named) when the target is not a regular file or its folder
    cannot be written; whatever ``write`` raises propagates after the temporary file is removed."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise WriteError(f"{path}: cannot write here ({exc.strerror})") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, FIFO or socket)"
        raise WriteError(f"{path}: is {kind}; refused, nothing was written")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WriteError(f"{path}: the folder {folder} does not exist")
    clean_leftovers(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path, os.getpid()), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteError(f"{path}: cannot write in {folder} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
