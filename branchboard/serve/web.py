"""The web server under `serve`: waitress, started and stopped with it.

waitress is a pure-Python WSGI server that runs alike on Windows and Linux.
One thread reads and writes every connection; a fixed pool of worker threads
runs the application.  A request reaches a worker only once it has arrived
whole, and a worker hands its answer to a buffer and is free again, so a
slow phone on the Wi-Fi holds no thread; connections the server has no room
for yet wait in a long listen queue; a connection that stays silent is closed.

Stopping ends everything in order: the workers finish what they are
answering (the caller ends the event streams first), then every connection
and the listening socket close in the server's own thread, which then ends.
This module is the one place that knows waitress (its version is capped in
requirements.txt for that).
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from waitress import wasyncore
from waitress.server import create_server

BACKLOG = 1024  # the listen queue: a screen and a room of phones reloading at once are never turned away
# Connections open at once; more wait in the listen queue.  Below the 512
# sockets Windows' select() can watch (Linux uses poll(), without that limit).
CONNECTIONS = 400
IDLE_TIMEOUT = 30  # seconds: a connection that says nothing is closed (checked every CLEANUP_EVERY)
CLEANUP_EVERY = 10
STOP_WAIT = 5.0  # seconds stop() waits for the workers, then for the server's thread


class WebServer:
    """Serves a WSGI application on host:port with ``threads`` workers.

    The port is taken when the object is made (OSError when it cannot be);
    start() begins answering; stop() ends every thread it started.  Port 0
    picks a free port (tests)."""

    def __init__(self, app, host: str, port: int, threads: int):
        # waitress says in English what the secretary's terminal need not show
        # (a client gone, the connection limit reached); our own faults are errors
        logging.getLogger("waitress").setLevel(logging.ERROR)
        self._map: dict = {}  # the server's sockets, each with its handler
        sock = listening_socket(host, port)
        try:
            self._server = create_server(
                app, map=self._map, sockets=[sock], threads=threads, backlog=BACKLOG,
                connection_limit=CONNECTIONS, channel_timeout=IDLE_TIMEOUT,
                cleanup_interval=CLEANUP_EVERY, asyncore_use_poll=True, ident="branchboard",
                log_socket_errors=False)
        except BaseException:
            sock.close()
            raise
        self.port: int = sock.getsockname()[1]
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.run, name="branchboard-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Let the workers finish, then close every connection and the port."""
        self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=STOP_WAIT)
        if self._thread is None or not self._thread.is_alive():
            wasyncore.close_all(self._map)
            return
        # closed in the server's own thread, between two of its polls; with
        # nothing left to watch its loop ends
        try:
            self._server.trigger.pull_trigger(lambda: wasyncore.close_all(self._map))
        except OSError:  # its trigger is closed already: the loop is ending; close what is left here
            wasyncore.close_all(self._map)
        self._thread.join(timeout=STOP_WAIT)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, refusing a port another program holds.

    On Windows SO_REUSEADDR would let a second `serve` bind the port the
    first one listens on and take half its requests: a port in use must be
    an error there, so Windows gets SO_EXCLUSIVEADDRUSE.  Elsewhere
    SO_REUSEADDR only lets `serve` start again at once after Ctrl-C."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if os.name == "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock
