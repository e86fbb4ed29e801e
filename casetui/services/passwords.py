"""Salted slow password hashes (hashlib's scrypt), compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

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
