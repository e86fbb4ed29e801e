"""Salted slow password hashes (hashlib's scrypt), compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from casetui.domain.limits import PASSWORD_MAX
from casetui.domain.storable import unstorable

# About 50 ms and 16 MiB a hash on a small server: slow for guessing, fine for signing in.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1


def _bytes(password: str) -> bytes:
    # A lone surrogate (typed bytes that were not UTF-8) is kept, never a crash; no password
    # that can be set encodes to the same bytes, so such a guess is simply wrong.
    return password.encode("utf-8", "surrogatepass")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(
        _bytes(password), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    encoded = base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encoded}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored``; with no stored hash, burns the same time."""
    if stored is None:
        # Unknown users cost as much as known ones, so timing does not say who exists.
        hash_password(password, salt=b"\0" * 16)
        return False
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(digest_b64)
    except ValueError:
        return False
    actual = hashlib.scrypt(
        _bytes(password),
        salt=salt,
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(expected),
    )
    return hmac.compare_digest(actual, expected)


# A password someone chooses (or an administrator hands out) from now on; older accounts keep
# theirs until changed.
NEW_PASSWORD_MIN = 8
# Easy to read aloud and type: no 0/O, 1/l/I.
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"


def password_problem(password: str, username: str) -> str | None:
    """Why ``password`` may not be someone's new password; None when it may."""
    if len(password) < NEW_PASSWORD_MIN:
        return f"must be at least {NEW_PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"must be at most {PASSWORD_MAX} characters"
    problem = unstorable(password)
    if problem:
        return problem
    if username and username.casefold() in password.casefold():
        return "must not contain the username"
    return None


def temporary_password() -> str:
    """Three groups of four readable characters, e.g. ``kq7m-2xhp-t9dz``: said once, typed once."""
    return "-".join("".join(secrets.choice(_READABLE) for _ in range(4)) for _ in range(3))
