"""Reference data built by rasd's code from files under data/, kept pickled between runs.

The gazetteer takes about 0.6 s of CPU to build, and a run builds it on the way to the
workers' start; unpickling it takes about half of that. A kept copy is named by a digest
of everything its build reads (the data files and rasd's own code) and of the Python and
library versions, so a change to any of them builds it afresh: a stale copy is never read.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def inputs_digest(inputs: Iterable[Path], libraries: Iterable[str] = ()) -> str:
    """One hash of every file under `inputs` (names and bytes, in a fixed order), the
    Python version and the named libraries' versions."""
    digest = hashlib.sha256(sys.version.encode())
    for library in libraries:
        digest.update(f"\0{library}={metadata.version(library)}".encode())
    for root in inputs:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"\0{path.relative_to(root.parent).as_posix()}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def kept(name: str, build: Callable[[], T], digest: str, folder: Path) -> T:
    """What `build` returns, read from `folder` when a copy of the same digest is kept
    there, else built and kept (replacing copies of other digests)."""
    path = folder / f"{name}-{digest[:20]}.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - a damaged copy is built again, not fatal
        log.warning("kept %s could not be read (%s); building it again", path, exc)
    value = build()
    if _keep(path, value):
        for other in folder.glob(f"{name}-*.pickle"):
            if other != path:
                other.unlink(missing_ok=True)
    return value


def _keep(path: Path, value: object) -> bool:
    """Written whole or not at all; a folder that cannot be written costs only the time."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        log.warning("could not keep %s: %s", path, exc)
        return False
    return True
