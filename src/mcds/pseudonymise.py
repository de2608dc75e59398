"""Replace child identifiers with keyed pseudonyms: HMAC-SHA-256 under a key only the council holds.

The same key gives the same pseudonym for the same identifier in every table and every run,
so submissions from different years still link; without the key a pseudonym cannot be turned
back into the identifier. The key is never written anywhere: not to the output, not to the
report, not to an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from mcds.errors import InputError, MCDSError
from mcds.submission import Submission

__all__ = ["MIN_KEY_BYTES", "UnusableKeyError", "identifier_fields", "key_from_env", "key_from_file", "pseudonym",
           "pseudonymise"]

MIN_KEY_BYTES = 32
IDENTIFIER_SENSITIVITY = "direct_identifier"


class UnusableKeyError(MCDSError):
    """The key is unusable (too short, unreadable). The message never contains the key."""


def _check(key: bytes, where: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise UnusableKeyError(f"{where}: the key is {len(key)} bytes; at least {MIN_KEY_BYTES} are needed "
                        "(for example 64 random hexadecimal characters from a password manager)")
    return key


def key_from_file(path: Path) -> bytes:
    """The key in a file: its bytes, without a final line ending."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the key file ({exc.strerror})") from None
    return _check(data.rstrip(b"\r\n"), f"key file {path}")


def key_from_env(name: str) -> bytes:
    value = os.environ.get(name)
    if not value:
        raise UnusableKeyError(f"the environment variable {name} is not set or empty")
    return _check(value.encode("utf-8"), f"environment variable {name}")


def pseudonym(key: bytes, identifier: str) -> str:
    """The pseudonym of an identifier: 64 lower-case hexadecimal characters."""
    return hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()


def identifier_fields(sub: Submission) -> dict[str, list[str]]:
    """Per table, the fields that hold child identifiers (sensitivity ``direct_identifier``)."""
    return {t.name: [f.name for f in t.fields if f.sensitivity == IDENTIFIER_SENSITIVITY]
            for t in sub.standard.tables.values()}


def pseudonymise(sub: Submission, key: bytes) -> Submission:
    """A copy of ``sub`` with every child identifier replaced by its pseudonym; metadata says so."""
    _check(key, "key")
    fields = identifier_fields(sub)
    cache: dict[str, str] = {}

    def p(value: str | None) -> str | None:
        if value is None:
            return None
        if value not in cache:
            cache[value] = pseudonym(key, value)
        return cache[value]

    out = Submission({**sub.metadata, "pseudonymised": "true"})
    for name, rows in sub.tables.items():
        names = fields.get(name, [])
        out.tables[name] = [{k: (p(v) if k in names else v) for k, v in row.items()} for row in rows]
    return out
