"""Stable fingerprints of plain data, for deciding what has to be made again.

``repr`` is not enough: a set of strings is printed in a different order in
every process (hash randomisation).  ``stable`` walks dataclasses, mappings,
sequences and sets, sorting what has no order of its own.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib


def stable(obj) -> str:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        inner = ",".join(f"{f.name}={stable(getattr(obj, f.name))}"
                         for f in dataclasses.fields(obj) if f.compare)
        return f"{type(obj).__name__}({inner})"
    if isinstance(obj, dict):
        return "{" + ",".join(f"{stable(k)}:{stable(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(stable(v) for v in obj) + "]"
    if isinstance(obj, (set, frozenset)):
        return "{" + ",".join(sorted(stable(v) for v in obj)) + "}"
    if callable(obj) and hasattr(obj, "__qualname__"):
        return f"<{obj.__module__}.{obj.__qualname__}>"
    return repr(obj)


_PLAIN = (int, float, bool, type(None))


class Fingerprinter:
    """Short, stable digests of values, remembering each frozen dataclass seen.

    Pages share most of what they show (an article appears in its own page,
    its neighbours', its listing and its tags), so each object is walked once.
    A long-running process keeps one Fingerprinter across builds: an article
    whose file did not change is the same object in the next build and is not
    walked again.  ``new_build`` forgets what the previous build did not use.
    The objects are kept alive so that their ids stay theirs.
    """

    def __init__(self):
        self._seen: dict[int, tuple[object, str]] = {}
        self._older: dict[int, tuple[object, str]] = {}

    def new_build(self) -> None:
        self._older, self._seen = self._seen, {}

    def of(self, obj) -> str:
        kind = type(obj)
        if kind is str:
            return digest(obj)[:24] if len(obj) > 64 else repr(obj)
        if kind in _PLAIN:
            return repr(obj)
        hit = self._seen.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        known = getattr(obj, "fingerprint", None)
        if isinstance(known, str):  # a value that carries its own (e.g. a cached body)
            return known
        if isinstance(obj, dict):
            return "{" + ",".join(f"{self.of(k)}:{self.of(v)}" for k, v in obj.items()) + "}"
        if isinstance(obj, (list, tuple)):
            return "[" + ",".join(self.of(v) for v in obj) + "]"
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return self._of_dataclass(obj)
        if isinstance(obj, (set, frozenset)):
            return "{" + ",".join(sorted(self.of(v) for v in obj)) + "}"
        if isinstance(obj, str):  # Markup is not the same page as the same text escaped
            return f"{kind.__name__}:{self.of(str(obj))}"
        return stable(obj)

    def _of_dataclass(self, obj) -> str:
        if not obj.__dataclass_params__.frozen:  # may change between builds: walked each time
            return self._walk(obj)
        hit = self._older.get(id(obj))  # (this build's own were looked at by of())
        if hit is not None and hit[0] is obj:
            self._seen[id(obj)] = hit
            return hit[1]
        value = self._walk(obj)
        self._seen[id(obj)] = (obj, value)
        return value

    def _walk(self, obj) -> str:
        if getattr(type(obj), "_repr_is_stable", False):  # plain fields only: repr is fast
            return digest(repr(obj))[:24]
        inner = ",".join(f"{name}={self.of(getattr(obj, name))}" for name in compared_fields(type(obj)))
        return digest(type(obj).__name__, inner)[:24]


@functools.lru_cache(maxsize=None)
def compared_fields(cls) -> tuple[str, ...]:
    """The fields of a dataclass that make its value (asked for thousands of times a build)."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.compare)


def digest(*parts: str | bytes) -> str:
    """sha256 of the parts, each followed by a NUL byte."""
    try:  # most often all text: one join, one encode, one update
        return hashlib.sha256(("\0".join(parts) + "\0").encode("utf-8")).hexdigest() if parts else _EMPTY
    except TypeError:  # bytes among them
        pass
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


_EMPTY = hashlib.sha256().hexdigest()
