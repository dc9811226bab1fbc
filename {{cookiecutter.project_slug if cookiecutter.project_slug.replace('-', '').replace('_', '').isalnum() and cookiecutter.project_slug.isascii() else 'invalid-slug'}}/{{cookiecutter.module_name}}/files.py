"""Write files so that a reader never sees half of one.

Every output goes to a temporary file beside its destination and is renamed over it in one step,
so a stage that fails or is interrupted leaves the previous good output in place.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; when the block succeeds, it replaces `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.chmod(mode)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> bool:
    """Write `text` to `path` unless the file already holds it; return whether it changed."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    with replacing(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="\n")
    return True


def write_json(path: Path, content: Any) -> bool:
    return write_text(path, json.dumps(content, indent=2, ensure_ascii=False) + "\n")
