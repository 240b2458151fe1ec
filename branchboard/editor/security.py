"""Who may use the editor, and which requests may change anything.

    Sessions                 a random id in a cookie (HttpOnly, SameSite=Strict), a CSRF token each
    LoginThrottle            after a few wrong passwords from one address, a wait that doubles
    is_same_origin           a POST's Origin (or Referer) must name this server
    set_password / check_password   the password for other computers, hashed with scrypt
    run_password             the `password` command: asked twice on the terminal, then set

On this computer (a client at 127.0.0.1 or ::1) the editor needs no
password.  Another computer may use it only after logging in with the
password set by ``python build.py password``; without one it is refused.
127.0.0.2 and the rest of 127.0.0.0/8 count as other computers: nothing the
secretary runs uses them, and the tests stand in for a second machine there.

The password file holds no password, only scrypt's hash of it with a random
salt: scrypt is in Python's standard library (no compiler, no wheel for
Windows 7) and memory-hard, so a stolen file is slow to guess on any hardware.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from branchboard.errors import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, describe_os_error

PASSWORD_FILE = ".branchboard-password"  # hidden: never content, never published
COOKIE = "branchboard_editor"
SESSION_HOURS = 12  # a session unused this long is forgotten
MAX_SESSIONS = 200  # the oldest go first: a flood of visits cannot fill the memory
# scrypt's cost: 16 MiB and about 50 ms per try on the secretary's PC
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
LOCAL_CLIENTS = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
MIN_PASSWORD = 6


class Session(NamedTuple):
    csrf: str  # the token every form of this session carries
    logged_in: bool  # with the password (a client on this computer needs none)
    used: float  # time.monotonic() of its last request


class Sessions:
    """The editor's sessions, in memory: a restart logs everyone out."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_id: dict[str, Session] = {}

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        now = time.monotonic()
        with self._lock:
            found = self._by_id.get(session_id)
            if found is None or now - found.used > SESSION_HOURS * 3600:
                self._by_id.pop(session_id, None)
                return None
            found = found._replace(used=now)
            self._by_id[session_id] = found
            return found

    def new(self, logged_in: bool = False) -> tuple[str, Session]:
        session_id = secrets.token_urlsafe(32)
        session = Session(secrets.token_urlsafe(32), logged_in, time.monotonic())
        with self._lock:
            while len(self._by_id) >= MAX_SESSIONS:
                oldest = min(self._by_id, key=lambda k: self._by_id[k].used)
                del self._by_id[oldest]
            self._by_id[session_id] = session
        return session_id, session

    def drop(self, session_id: str | None) -> None:
        with self._lock:
            self._by_id.pop(session_id or "", None)


def is_valid_token(session: Session | None, given: str | None) -> bool:
    """Whether a form's CSRF token is its session's (compared in constant time)."""
    if session is None or not given:
        return False
    return hmac.compare_digest(session.csrf.encode(), given.encode("utf-8", "replace"))


def is_same_origin(host: str | None, origin: str | None, referer: str | None) -> bool:
    """Whether a POST comes from a page of this server: its Origin header (or,
    when a browser sends none, its Referer) names the host the request was sent
    to.  Without either the request is refused: every browser the secretary
    uses sends Origin with a form."""
    if not host:
        return False
    source = origin if origin is not None else referer
    if not source or source == "null":
        return False
    parts = urlsplit(source)
    return parts.scheme == "http" and parts.netloc.lower() == host.strip().lower()


def is_local_client(address: str | None) -> bool:
    return address in LOCAL_CLIENTS


def cookie_options() -> dict:
    return {"httponly": True, "samesite": "Strict", "path": "/admin/"}


class LoginThrottle:
    """Wrong passwords from one address: after FREE_TRIES, each further try
    waits first (30 s, doubling to 15 min), so guessing even a short
    password takes years; the right password resets the count.  (scrypt's
    50 ms a try slows a guesser; this stops one.)"""

    FREE_TRIES = 5
    FIRST_WAIT, LONGEST_WAIT = 30.0, 900.0

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._by_address: dict[str, tuple[int, float]] = {}  # address -> (wrong tries, may try again at)

    def wait(self, address: str | None) -> int:
        """Seconds this address must wait before it may try (0: now)."""
        with self._lock:
            _tries, at = self._by_address.get(address or "", (0, 0.0))
        return max(0, int(at - self._clock() + 0.999))

    def failed(self, address: str | None) -> None:
        with self._lock:
            tries, _at = self._by_address.get(address or "", (0, 0.0))
            tries += 1
            over = tries - self.FREE_TRIES
            wait = 0.0 if over < 0 else min(self.LONGEST_WAIT, self.FIRST_WAIT * 2 ** over)
            self._by_address[address or ""] = (tries, self._clock() + wait)
            if len(self._by_address) > MAX_SESSIONS * 10:  # a flood of addresses: forget the oldest
                self._by_address.pop(next(iter(self._by_address)))

    def succeeded(self, address: str | None) -> None:
        with self._lock:
            self._by_address.pop(address or "", None)


# -- the password --------------------------------------------------------------------

def password_path(site_dir: Path) -> Path:
    return Path(site_dir) / PASSWORD_FILE


def has_password(site_dir: Path) -> bool:
    return password_path(site_dir).is_file()


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def is_right_password(stored: str, password: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.strip().split("$")
        if kind != "scrypt":
            return False
        given = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                               p=int(p), maxmem=256 * 1024 * 1024)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(given.hex(), digest)


def set_password(site_dir: Path, password: str) -> None:
    path = password_path(site_dir)
    tmp = path.with_name(f"{PASSWORD_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # only its owner reads the hash
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(hash_password(password) + "\n")
    os.replace(tmp, path)


def run_password(site: Path) -> int:
    """Set the editor's password, asked twice without showing it."""
    import getpass  # here: the editor, which imports this module, asks for no password

    try:
        first = getpass.getpass("编辑后台的新密码（输入时不显示）：")
        if len(first) < MIN_PASSWORD:
            print(f"密码太短，至少要 {MIN_PASSWORD} 个字符。密码没有改动。", file=sys.stderr)
            return EXIT_USAGE
        if getpass.getpass("再输入一次：") != first:
            print("两次输入的密码不一样。密码没有改动。", file=sys.stderr)
            return EXIT_USAGE
    except EOFError:
        print("\n没有输入密码。密码没有改动。", file=sys.stderr)
        return EXIT_USAGE
    try:
        set_password(site, first)
    except OSError as exc:
        print(f"没能保存密码：{describe_os_error(exc, site)}", file=sys.stderr)
        return EXIT_CONTENT
    print(f"密码已设置（只保存了它的校验值，在网站文件夹的 {PASSWORD_FILE} 文件里，不会发布到网站上）。"
          "用 --host 0.0.0.0 运行 serve 时，局域网里的其他电脑输入这个密码就能使用编辑后台。")
    return EXIT_OK


def check_password(site_dir: Path, password: str) -> bool:
    try:
        stored = password_path(site_dir).read_text(encoding="ascii")
    except (OSError, UnicodeError):
        return False
    return is_right_password(stored, password)
