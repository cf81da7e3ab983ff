"""Files kept beside a warehouse version for every web worker (exports, boundaries), each written whole or not."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_whole(path: Path, content: bytes) -> bool:
    """Write content to path, aside then renamed into place, so a reader (another worker) sees the whole file or none.
    False where the folder cannot be written (a read-only mount), leaving nothing behind."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temp, path)
        return True
    except OSError:
        Path(temp).unlink(missing_ok=True)
        return False
