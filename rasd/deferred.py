"""Modules that load on their first use rather than when a library imports them.

Great Expectations imports SciPy's statistics and Altair as it is imported, for the
expectations that test distributions and draw their charts. rasd's suites use neither, and
the two imports cost about 1.5 s of CPU, half of Great Expectations' import and a tenth of
a night's work in the run process. `defer` stands a placeholder in for such a module: code
that imports it binds the placeholder, and the first attribute read on it imports the
real module, which the placeholder then mirrors. A suite that does use them still works,
it just pays for the import when it first needs it.

`importlib.util.LazyLoader` would be the standard tool, but Python 3.11's import system
reads `__spec__` of a module it finds already imported, and that read loads a
LazyLoader module at once, so nothing would be deferred.

`hidden` goes further for an optional integration a library probes for at import: the
probe, made by this thread, finds the module missing, as if it were not installed.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys
import threading
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

_LOADING = threading.RLock()


class DeferredModule(types.ModuleType):
    """A stand-in in `sys.modules` that imports the real module on first attribute read.

    `__spec__` and the other attributes every module has are set on the instance (to
    None), so the import system's own look-ups find them without loading anything.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(self._load(), name)

    def _load(self) -> types.ModuleType:
        with _LOADING:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
            # Later reads go straight to the real module's attributes.
            self.__dict__.update(real.__dict__)
            return real


def defer(*names: str) -> list[str]:
    """Put a `DeferredModule` in place of each named module not yet imported; returns
    the names deferred."""
    deferred = []
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = DeferredModule(name)
            deferred.append(name)
    return deferred


def is_loaded(name: str) -> bool:
    """Whether the real module `name` has been imported (not just deferred)."""
    module = sys.modules.get(name)
    return module is not None and not isinstance(module, DeferredModule)


class _HiddenFromThread(importlib.abc.MetaPathFinder):
    """Fails the imports of some top-level packages made by one thread."""

    def __init__(self, packages: Sequence[str], thread: int) -> None:
        self.packages = frozenset(packages)
        self.thread = thread

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if threading.get_ident() == self.thread and fullname.partition(".")[0] in self.packages:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None  # not ours to hide: the usual finders look for it


@contextmanager
def hidden(*packages: str) -> Iterator[None]:
    """Inside, imports of `packages` and their submodules made by this thread fail with
    ModuleNotFoundError unless already imported; other threads import them as usual, so a
    thread importing them meanwhile gets the real module."""
    finder = _HiddenFromThread(packages, threading.get_ident())
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
