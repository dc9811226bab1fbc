"""Write files so that a reader never sees half of one, and a stage never leaves half of its outputs.

Every output goes to a temporary file beside its destination and is renamed over it in one step.
Inside `all_or_nothing()` the renames wait until the whole block succeeds, so a stage that fails
or is interrupted leaves every previous good output in place, and no temporary file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .messages import messages_here

# Temporary files `replacing` makes: `.<name>.<random>.tmp`.
TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
# Folders whose files the project's commands write.
OUTPUT_FOLDERS = ("data", "models", "reports")
# Held by the command that writes outputs; it holds that command's process id.
LOCK_FILE = ".run.lock"

# While a stage runs: (temporary file or None to delete, destination), put in place when it succeeds.
_held: list[tuple[Path | None, Path]] | None = None


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; when the block succeeds, it replaces `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    held = False
    try:
        yield temporary
        temporary.chmod(mode)
        if _held is None:
            os.replace(temporary, path)
        else:
            _held.append((temporary, path))
            held = True
    finally:
        if not held:
            temporary.unlink(missing_ok=True)


def remove(path: Path) -> None:
    """Delete an output that no longer applies, when the stage succeeds."""
    if _held is None:
        path.unlink(missing_ok=True)
    else:
        _held.append((None, path))


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """Hold back every write and removal until the block succeeds, then do them all at once."""
    global _held
    if _held is not None:
        raise RuntimeError("all_or_nothing() blocks do not nest; run one stage at a time.")
    _held = []
    try:
        yield
        _put_in_place(_held)
    finally:
        for temporary, _ in _held:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
        _held = None


def _put_in_place(held: list[tuple[Path | None, Path]]) -> None:
    """Rename every held file over its destination, with Ctrl+C held off until all are done."""
    mask = hasattr(signal, "pthread_sigmask")  # not on Windows, where the renames go unguarded
    if mask:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        for temporary, path in held:
            if temporary is None:
                path.unlink(missing_ok=True)
            else:
                os.replace(temporary, path)
    finally:
        if mask:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_text(path: Path, text: str) -> bool:
    """Write `text` to `path` unless the file already holds it; return whether it changed."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    with replacing(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="\n")
    return True


def write_json(path: Path, content: Any) -> bool:
    return write_text(path, json.dumps(content, indent=2, ensure_ascii=False) + "\n")


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes: by it, later code tells whether a file is the one it knows."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


# File fingerprints by (path, size, modification time): a run hashes each large file once.
_fingerprints: dict[tuple[str, int, int], str] = {}


def fingerprint(path: Path) -> str:
    """The SHA-256 of a file, or "" when there is none."""
    if not path.is_file():
        return ""
    status = path.stat()
    key = (str(path.resolve()), status.st_size, status.st_mtime_ns)
    if key not in _fingerprints:
        _fingerprints[key] = sha256(path)
    return _fingerprints[key]


class ProjectBusyError(RuntimeError):
    """Another command is writing this project's outputs."""


@contextmanager
def exclusive(root: Path) -> Iterator[None]:
    """Let one command at a time write the project's outputs, and clean up after one that was killed.

    The operating system drops the lock when its process ends, however it ends, so a lock is never
    left behind; the temporary files of a killed run are removed once the lock is held.
    """
    with (root / LOCK_FILE).open("a+", encoding="utf-8") as handle:
        try:
            _lock(handle)
        except OSError:
            say = messages_here(__file__)
            holder = _holder(handle) or say("files.unknown_process")
            raise ProjectBusyError(say("files.busy", process=holder)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            remove_leftovers(root)
            yield
        finally:
            handle.seek(0)
            handle.truncate()


def _lock(handle: Any) -> None:
    """Lock an open file, or raise OSError at once if another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _holder(handle: Any) -> str:
    """The process id the lock holder wrote, where the system lets a second process read it; else empty."""
    try:
        handle.seek(0)
        return handle.read().strip()
    except OSError:  # Windows keeps a locked byte unreadable to others
        return ""


def remove_leftovers(root: Path) -> None:
    """Delete the temporary files a killed command left in the output folders."""
    for folder in OUTPUT_FOLDERS:
        for path in (root / folder).rglob(".*.tmp"):
            if TEMPORARY.fullmatch(path.name) and path.is_file():
                path.unlink(missing_ok=True)
