"""The pseudonymisation key: read from a file or an environment variable, and refused when weak.

Every message here names where the key was looked for and what is wrong with it, and never
includes any byte of the key, nor the value given where a variable's name was expected (a key
pasted there by mistake).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path

from mcds.errors import InputError, MCDSError

__all__ = ["MIN_KEY_BYTES", "UnusableKeyError", "check_key", "key_from_env", "key_from_file", "refuse_key_as_argument"]

MIN_KEY_BYTES = 32
MIN_DISTINCT = 8  # different characters (bytes) a key must hold at least
MAX_STEP_SHARE = 0.75  # share of neighbouring characters one apart ("abcd", "9876") above which a key is a run
ADVICE = "make one with: python3 -c \"import secrets; print(secrets.token_hex(32))\""
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WHITESPACE = frozenset(b" \t\r\n\x0b\x0c")
_MAGIC = {b"PK\x03\x04": "a zip file (an Excel .xlsx file, or a zipped folder)", b"PK\x05\x06": "a zip file",
          b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Word file", b"%PDF": "a PDF file", b"\x1f\x8b": "a gzip file",
          b"<?xml": "an XML file", b"\xef\xbb\xbf<?xml": "an XML file"}


class UnusableKeyError(MCDSError):
    """The key is unusable (too short, weak, unreadable). The message never contains the key."""


def _is_periodic(key: bytes) -> bool:
    """The key is one shorter sequence repeated (``abcabcabc``)."""
    return (key + key).find(key, 1) < len(key)


def _is_run(key: bytes) -> bool:
    steps = sum(abs(a - b) == 1 for a, b in itertools.pairwise(key))
    return steps > MAX_STEP_SHARE * (len(key) - 1)


def check_key(key: bytes, where: str) -> bytes:
    """``key`` if it is strong enough to pseudonymise with, else :class:`UnusableKeyError`.

    Refused: shorter than :data:`MIN_KEY_BYTES`; whitespace in a key of text; fewer than :data:`MIN_DISTINCT`
    different characters; one short sequence repeated; a run of neighbouring characters."""
    if len(key) < MIN_KEY_BYTES:
        raise UnusableKeyError(f"{where}: the key is {len(key)} bytes; at least {MIN_KEY_BYTES} are needed ({ADVICE})")
    if _WHITESPACE & set(key) and _looks_like_text(key):  # a binary key (random bytes) may hold any byte
        raise UnusableKeyError(f"{where}: the key contains whitespace (a space, tab or line break); "
                               f"a key is one unbroken string of characters ({ADVICE})")
    if len(set(key)) < MIN_DISTINCT or _is_periodic(key) or _is_run(key):
        raise UnusableKeyError(f"{where}: the key is too easy to guess (a character or a short sequence repeated, "
                               f"or a run such as abcd or 1234); use a random key ({ADVICE})")
    return key


def _looks_like_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        printable = sum(32 <= b < 127 or b in b"\t\r\n" for b in data)
        return printable >= 0.9 * len(data)
    return True


def _data_file(data: bytes) -> str | None:
    """What kind of data file ``data`` is, if it is clearly one rather than a key."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    if not _looks_like_text(data):
        return None  # a binary key (random bytes): nothing more to tell
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.rstrip("\r\n").splitlines()
    if text.lstrip()[:1] in ("{", "["):
        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            return "a JSON document"
    if sum("," in line for line in lines) >= 2 or (lines and _is_csv_header(lines[0])):
        return "a CSV file"
    if len(lines) > 1:
        return f"a file of {len(lines)} lines"
    return None


def _is_csv_header(line: str) -> bool:
    from mcds import standard as std

    cells = {c.strip().strip('"').lower() for c in line.split(",")}
    if len(cells) < 2:
        return False
    names = {f.name for t in std.load().tables.values() for f in t.fields} | set(std.load().tables)
    return bool(cells & names)


def key_from_file(path: Path) -> bytes:
    """The key in a file: its bytes, without a final line ending. A data file is refused."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:  # the value may be a key pasted in place of the file's name: never repeat it
        raise InputError("--key-file", "no such file (the name given is not repeated here, in case it is the key "
                         "itself: --key-file takes the name of the file that holds the key)") from None
    except OSError as exc:
        raise InputError(path, f"cannot read the key file ({exc.strerror or type(exc).__name__})") from None
    kind = _data_file(data)
    if kind:
        raise UnusableKeyError(f"key file {path}: this is {kind}, not a key; a key file holds only the key, "
                               f"on one line ({ADVICE})")
    return check_key(data.rstrip(b"\r\n"), f"key file {path}")


def key_from_env(name: str) -> bytes:
    """The key in the environment variable ``name``, as UTF-8 bytes. The name is never repeated in a
    message either: a key pasted where the name was expected must not be echoed."""
    if not _ENV_NAME.fullmatch(name):
        raise UnusableKeyError("--key-env takes the name of an environment variable (such as MCDS_KEY), not the key "
                               "itself; put the key in that variable, or in a file for --key-file")
    value: bytes | None
    if os.supports_bytes_environ:
        value = os.environb.get(name.encode("ascii"))
    else:  # Windows: the environment is text; a lone surrogate cannot be UTF-8
        text = os.environ.get(name)
        try:
            value = None if text is None else text.encode("utf-8")
        except UnicodeEncodeError:
            value = b"\xff"
    if not value:
        raise UnusableKeyError("the environment variable named by --key-env is not set, or is empty")
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        raise UnusableKeyError("the environment variable named by --key-env does not hold UTF-8 text; "
                               f"put a key of letters and digits in it ({ADVICE})") from None
    return check_key(value, "the environment variable named by --key-env")


def refuse_key_as_argument(key: bytes, arguments: dict[str, object]) -> None:
    """Refuse a run one of whose ``arguments`` ({name as in the usage line: value}) holds the key: the
    key pasted where a file's name was expected would be echoed in the next message, and written into
    the name of the output. The message names the argument, never its value."""
    for name, value in arguments.items():
        if value is not None and key in os.fsencode(str(value)):
            raise UnusableKeyError(f"{name} holds the key itself (not repeated here); give the name of a file or "
                                   "folder there, and the key only through --key-file or --key-env")
