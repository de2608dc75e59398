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
import re
from pathlib import Path

from mcds.errors import InputError, MCDSError
from mcds.submission import Submission

__all__ = ["MIN_KEY_BYTES", "UnusableKeyError", "identifier_fields", "key_from_env", "key_from_file", "pseudonym",
           "pseudonymise", "record_id_fields"]

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


EMBEDDED_LENGTH = 16  # hexadecimal characters of the pseudonym put in place of a child id inside another id
_DELIMITERS = re.compile(r"([-_.])")


def record_id_fields(sub: Submission) -> dict[str, list[str]]:
    """Per table, the other identifier fields (placement, episode, interview), which a council's
    system may have built from the child's identifier (``C123-1``)."""
    return {t.name: [f.name for f in t.fields if f.name.endswith("_id") and f.sensitivity != IDENTIFIER_SENSITIVITY]
            for t in sub.standard.tables.values()}


def pseudonymise(sub: Submission, key: bytes) -> Submission:
    """A copy of ``sub`` with every child identifier replaced by its pseudonym; metadata says so.

    A child identifier inside another identifier (a part between ``-``, ``_`` or ``.``, as in
    ``C123-1``) is replaced too, by the start of its pseudonym, in every table alike so the links
    between tables still hold."""
    _check(key, "key")
    fields = identifier_fields(sub)
    others = record_id_fields(sub)
    children = {row[f] for name, names in fields.items() for row in sub.tables.get(name, []) for f in names if row.get(f)}
    cache: dict[str, str] = {}

    def p(value: str | None) -> str | None:
        if value is None:
            return None
        if value not in cache:
            cache[value] = pseudonym(key, value)
        return cache[value]

    def inside(value: str | None) -> str | None:
        if value is None:
            return None
        parts = _DELIMITERS.split(value)
        if not any(part in children for part in parts):
            return value
        return "".join((p(part) or "")[:EMBEDDED_LENGTH] if part in children else part for part in parts)

    out = Submission({**sub.metadata, "pseudonymised": "true"})
    for name, rows in sub.tables.items():
        names, embedded = fields.get(name, []), others.get(name, [])
        out.tables[name] = [{k: (p(v) if k in names else inside(v) if k in embedded else v) for k, v in row.items()}
                            for row in rows]
    return out
