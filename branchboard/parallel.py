"""Work spread over processes: the one place that starts them.

A cold build parses front matter, converts Markdown and renders pages in
processes, one per core, and reads the board's data in a helper process
while the articles are parsed.  Every stage does it through this module, so
the rule for when and how is written once:

* below a stage's own ``min_items``, or on one core, the work runs in this
  process (starting processes would cost more than they save);
* where the platform can fork (Linux, macOS), workers are forked: they
  start at once and see the parent's memory as it was;
* elsewhere (Windows) they are spawned, which pickles what they are given:
  a job that shares unpicklable state with its workers (``shares_memory``)
  runs in this process there instead.

``START_METHOD`` forces a method ("fork", "spawn"), for tests.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import sys
from typing import Callable, Iterator, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_WORKERS = 8
START_METHOD: str | None = None  # None: fork where the platform has it, else spawn

_STATE: object = None  # a worker's state, set once when it starts


def workers() -> int:
    return min(os.cpu_count() or 1, MAX_WORKERS)


def start_method(shares_memory: bool = False) -> str | None:
    """How to start workers here, or None when the work should stay in
    this process (a job that shares memory, on a platform without fork)."""
    method = START_METHOD or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    if shares_memory and method != "fork":
        return None
    return method


def map_in_processes(fn: Callable[[object, Item], Result], items: list[Item], *, min_items: int,
                     chunk: int = 1, state: object = None, setup: Callable | None = None,
                     last_first: bool = False, shares_memory: bool = False) -> Iterator[Result]:
    """``fn(state, item)`` for each item, yielded in the order of ``items`` as
    they come.  ``fn`` and ``setup`` must be module-level functions.

    ``setup(state)``, when given, runs once in each process that does the
    work (this one, when it stays here) and its result is the state ``fn``
    gets.  ``chunk``: items handed to a worker at a time (small chunks keep
    the processes ending together).  ``last_first``: the items at the end
    are the slowest; they are started first, so that no process is left
    doing them alone at the end."""
    count = workers()
    method = start_method(shares_memory) if count > 1 and len(items) >= min_items else None
    if method is None:
        own = setup(state) if setup is not None else state
        yield from (fn(own, item) for item in items)
        return
    from concurrent.futures import ProcessPoolExecutor

    order = list(range(len(items) - 1, -1, -1)) if last_first else None
    todo = [items[i] for i in order] if order else items
    pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context(method),
                               initializer=_start_worker, initargs=(os.getpid(), setup, state))
    try:
        results = pool.map(functools.partial(_call, fn), todo, chunksize=chunk)
        if order is None:
            yield from results
        else:
            done = [None] * len(items)
            for index, result in zip(order, results):
                done[index] = result
            yield from done
    except BaseException:  # a fault, Ctrl-C, or the caller stopped asking: nothing more is started
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _start_worker(parent: int, setup: Callable | None, state: object) -> None:
    global _STATE
    _follow_parent(parent)
    _STATE = setup(state) if setup is not None else state


def _follow_parent(parent: int) -> None:
    """In a worker: Ctrl-C is the parent's to handle (it stops the workers),
    and the worker ends when the parent does, however it ends (on Linux,
    where the kernel can tell it; elsewhere a worker waiting for work finds
    its pipe closed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            return
        if os.getppid() != parent:  # the parent died before the request was made
            os._exit(1)


_PR_SET_PDEATHSIG = 1


def _call(fn: Callable, item):
    return fn(_STATE, item)


class Background:
    """``fn(*args)`` started in a helper process where the platform can fork
    and there is a second core; elsewhere it runs in this process when its
    result is first asked for (a spawned helper would spend longer importing
    than it saves).  Use it as a context manager: leaving it stops a helper
    whose result was never asked for (the build failed first)."""

    def __init__(self, fn: Callable, *args):
        self._fn, self._args = fn, args
        self._helper = None
        self._answer = None  # the parent's end of the pipe
        self._asked = False

    def __enter__(self) -> "Background":
        if workers() > 1 and start_method(shares_memory=True) == "fork":
            fork = multiprocessing.get_context("fork")
            self._answer, child_end = fork.Pipe(duplex=False)
            self._helper = fork.Process(target=_answer_for, args=(os.getpid(), child_end, self._fn, self._args),
                                        daemon=True)
            self._helper.start()
            child_end.close()
        return self

    def __exit__(self, *exc) -> None:
        if self._helper is not None:
            if not self._asked:
                self._helper.terminate()
            self._helper.join()
            self._answer.close()

    def result(self):
        """What ``fn`` returned; an exception it raised is raised here."""
        self._asked = True
        if self._helper is None:
            return self._fn(*self._args)
        outcome, value = self._answer.recv()
        if outcome == "failed":
            raise value
        return value


def _answer_for(parent_pid: int, parent, fn: Callable, args: tuple) -> None:
    """In the helper: what ``fn`` made, or what went wrong, sent to the parent."""
    _follow_parent(parent_pid)
    try:
        answer = ("made", fn(*args))
    except Exception as exc:  # a fault in branchboard: raised again in the parent
        answer = ("failed", exc)
    parent.send(answer)
    parent.close()
