"""Who is acting on the review site: one local user (--user), a users file of scrypt password
hashes (--users), or a header set by a trusted reverse proxy (--trust-header); who may approve;
signed session cookies and CSRF tokens.

The users file has one person per line, tab-separated: `Name <email>`, the password's scrypt
hash (`scrypt$N$r$p$salt$hash`, base64), and roles (comma-separated; `approver`). Lines
starting with `#` are comments. `facts users add FILE 'Name <email>'` writes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from factstore.authors import check_author
from factstore.errors import InvalidInput, Refused

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SESSION_COOKIE = "facts_session"
CSRF_COOKIE = "facts_csrf"
APPROVER = "approver"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, salt: bytes | None = None) -> str:
    """scrypt (hashlib) with a random 16-byte salt, as `scrypt$N$r$p$salt$hash`."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        found = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r),
                               p=int(p), dklen=len(_unb64(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, _unb64(digest))


def email_of(author: str) -> str:
    return author[author.rfind("<") + 1:].rstrip(">").strip().casefold()


@dataclass(frozen=True)
class User:
    author: str  # Name <email>
    password: str  # its scrypt hash
    roles: frozenset[str] = frozenset()


def read_users(path: Path) -> dict[str, User]:
    """The users file, by email (case-folded); a malformed line is an error naming it."""
    users: dict[str, User] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) not in (2, 3) or not parts[1].startswith("scrypt$"):
            raise InvalidInput(f"users: {path}:{number}: expected 'Name <email>', TAB, a "
                               "scrypt hash, optionally TAB and roles")
        author = check_author(parts[0])
        roles = frozenset(r.strip() for r in (parts[2] if len(parts) == 3 else "").split(",")
                          if r.strip())
        users[email_of(author)] = User(author, parts[1], roles)
    return users


def add_user(path: Path, author: str, password: str, roles: list[str]) -> None:
    """Add or replace one person in the users file (created, readable by its owner only)."""
    author = check_author(author)
    if len(password) < 8:
        raise InvalidInput("password: at least 8 characters")
    users = read_users(path) if path.exists() else {}
    users[email_of(author)] = User(author, hash_password(password), frozenset(roles))
    lines = [f"{u.author}\t{u.password}\t{','.join(sorted(u.roles))}".rstrip("\t")
             for u in users.values()]
    path.touch(mode=0o600, exist_ok=True)
    path.write_text("# factstore users: Name <email> TAB scrypt hash TAB roles\n"
                    + "\n".join(lines) + "\n", encoding="utf-8")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Auth:
    """How the site knows who is acting, and who may approve."""

    user: str | None = None  # --user: everyone is this person (local use)
    users: dict[str, User] = field(default_factory=dict)  # --users: sign in with a password
    trust_header: str | None = None  # --trust-header: the proxy says who it is
    approvers: frozenset[str] | None = None  # emails; None: anyone signed in (not the author)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def __post_init__(self) -> None:
        if self.user:
            self.user = check_author(self.user)
        if self.trust_header and not self.trust_header.replace("-", "").isalnum():
            raise InvalidInput(f"trust-header: {self.trust_header!r} is not a header name")

    @property
    def authenticates(self) -> bool:
        """Whether anyone reaching the site has to prove who they are."""
        return bool(self.users or self.trust_header)

    def check_host(self, host: str) -> None:
        if not is_loopback(host) and not self.authenticates:
            raise Refused(f"host: serving on {host} (not loopback) needs authentication: "
                          "pass --users FILE or --trust-header HEADER")

    def may_approve(self, author: str) -> bool:
        email = email_of(author)
        if self.approvers is not None:
            return email in self.approvers
        if self.users and any(APPROVER in u.roles for u in self.users.values()):
            return APPROVER in self.users.get(email, User("", "")).roles
        return True

    # -- who is asking --------------------------------------------------------------------

    def who(self, headers: dict[str, str], cookies: dict[str, str]) -> str | None:
        """The author a request acts as, or None (signed out)."""
        if self.trust_header:
            said = headers.get(self.trust_header.lower(), "").strip()
            if said:
                return self._from_proxy(said)
            return None
        if self.users:
            email = self.unsign(cookies.get(SESSION_COOKIE, ""))
            user = self.users.get(email or "")
            return user.author if user else None
        return self.user

    def _from_proxy(self, said: str) -> str | None:
        known = self.users.get(said.casefold()) or self.users.get(email_of(said))
        if known:
            return known.author
        try:
            if "<" in said:
                return check_author(said)
            if "@" in said:
                return check_author(f"{said.split('@')[0]} <{said}>")
        except InvalidInput:
            return None
        return None

    def sign_in(self, email: str, password: str) -> str | None:
        """A session cookie value when the password is right."""
        user = self.users.get(email.strip().casefold())
        if user is None:
            check_password(password, hash_password("x", b"0" * 16))  # the same time either way
            return None
        return self.sign(email_of(user.author)) if check_password(password, user.password) \
            else None

    def sign(self, value: str) -> str:
        mac = hmac.new(self.secret, value.encode(), hashlib.sha256).digest()
        return f"{_b64(value.encode())}.{_b64(mac)}"

    def unsign(self, signed: str) -> str | None:
        try:
            value, _ = signed.split(".")
            text = _unb64(value).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        return text if hmac.compare_digest(self.sign(text), signed) else None

    # -- CSRF: the form carries a MAC of the cookie's nonce (a signed double submit) --------

    def csrf_token(self, nonce: str) -> str:
        return _b64(hmac.new(self.secret, b"csrf:" + nonce.encode(), hashlib.sha256).digest())

    def csrf_ok(self, nonce: str, token: str) -> bool:
        return bool(nonce and token) and hmac.compare_digest(self.csrf_token(nonce), token)


__all__ = [
    "APPROVER", "CSRF_COOKIE", "SCRYPT_N", "SCRYPT_P", "SCRYPT_R", "SESSION_COOKIE", "Auth",
    "User", "add_user", "check_password", "email_of", "hash_password", "is_loopback",
    "read_users"
]
