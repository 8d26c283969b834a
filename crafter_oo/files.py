"""Writing files atomically: a temporary file in the same folder, flushed, then renamed over the target.

A crash, a full disk or an exception half way leaves whatever was at the target untouched, which is
what "a partial fit never overwrites a good saved model" needs. The result gets the permissions a
plain ``open(path, "w")`` would give (``mkstemp`` alone makes files private).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], write: Callable[[TextIO], None]) -> None:
    """Call ``write(handle)`` on a temporary file, then replace ``path`` with it."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=str(p.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
