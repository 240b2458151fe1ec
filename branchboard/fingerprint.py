"""Stable fingerprints of plain data, for deciding what has to be made again.

``repr`` is not enough: a set of strings is printed in a different order in
every process (hash randomisation).  ``stable`` walks dataclasses, mappings,
sequences and sets, sorting what has no order of its own.
"""

from __future__ import annotations

import dataclasses
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


class Fingerprinter:
    """Short, stable digests of values, remembering each frozen dataclass seen.

    Pages share most of what they show (an article appears in its own page,
    its neighbours', its listing and its tags), so each object is walked once
    per build.  The objects are kept alive so that their ids stay theirs.
    """

    def __init__(self):
        self._seen: dict[int, tuple[object, str]] = {}

    def of(self, obj) -> str:
        known = getattr(obj, "fingerprint", None)
        if isinstance(known, str):  # a value that carries its own (e.g. a cached body)
            return known
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            hit = self._seen.get(id(obj))
            if hit is not None and hit[0] is obj:
                return hit[1]
            if getattr(type(obj), "_repr_is_stable", False):  # plain fields only: repr is fast
                value = digest(repr(obj))[:24]
            else:
                inner = ",".join(f"{f.name}={self.of(getattr(obj, f.name))}"
                                 for f in dataclasses.fields(obj) if f.compare)
                value = digest(type(obj).__name__, inner)[:24]
            self._seen[id(obj)] = (obj, value)
            return value
        if isinstance(obj, dict):
            return "{" + ",".join(f"{self.of(k)}:{self.of(v)}" for k, v in obj.items()) + "}"
        if isinstance(obj, (list, tuple)):
            return "[" + ",".join(self.of(v) for v in obj) + "]"
        if isinstance(obj, (set, frozenset)):
            return "{" + ",".join(sorted(self.of(v) for v in obj)) + "}"
        if isinstance(obj, str) and len(obj) > 64:
            return digest(obj)[:24]
        return stable(obj)


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()
