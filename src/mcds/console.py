"""What ``mcds`` prints reaches a console or file of any encoding, never crashing on a character.

A Windows console or a report redirected to a file under a code page (cp1252, cp850), or a shell
set to ASCII, cannot encode every character the toolkit prints: a tick in the verdict, a dash in
the standard's titles, a letter of a code's name. :func:`setup` gives the standard streams an
error handler (:data:`ERRORS`) that writes a plain equivalent instead: the symbols in
:data:`PLAIN` by their ASCII spelling (``✓`` as ``OK``), an accented letter by its letter (``é``
as ``e``), and anything else as its escape (``\\u0142``), which loses nothing. Text that the
stream can encode is written unchanged.

Machine-readable output keeps values exact: :func:`json_text` escapes every character the
stream cannot encode as JSON does (``\\u00e9``), so the JSON read back is the same.
"""

from __future__ import annotations

import codecs
import json
import sys
import unicodedata
from typing import Any, TextIO

__all__ = ["ERRORS", "PLAIN", "can_encode", "json_text", "plain", "setup", "unicode_stream"]

ERRORS = "mcds.plain"

#: Symbols the toolkit or the standard's texts use, and how they are written where they cannot be.
PLAIN = {
    "✓": "OK", "✗": "X", "…": "...", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
    "→": "->", "←": "<-", "≤": "<=", "≥": ">=", "≠": "!=", "×": "x", "•": "*", "£": "GBP", "€": "EUR",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
}


def can_encode(text: str, encoding: str | None) -> bool:
    try:
        text.encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def plain(ch: str, encoding: str) -> str:
    """A plain equivalent of the character ``ch`` that ``encoding`` can write."""
    if ch in PLAIN and can_encode(PLAIN[ch], encoding):
        return PLAIN[ch]
    letters = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if letters and letters != ch and can_encode(letters, encoding):
        return letters
    return ch.encode("ascii", "backslashreplace").decode("ascii")


def _handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(plain(ch, exc.encoding) for ch in exc.object[exc.start:exc.end]), exc.end


codecs.register_error(ERRORS, _handler)


def setup(streams: tuple[TextIO | None, ...] | None = None) -> None:
    """Give the standard output and error streams the plain fallbacks (:data:`ERRORS`).

    Only streams left with Python's defaults (``strict`` for output, ``backslashreplace`` for
    errors) are changed: an error handler the user chose (``PYTHONIOENCODING=cp1252:replace``) is
    kept, and so is ``surrogateescape`` (file names that are not text, written back as they were)."""
    for stream in streams if streams is not None else (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", None) in ("strict", "backslashreplace"):
            reconfigure(errors=ERRORS)


def unicode_stream(stream: TextIO | None = None) -> bool:
    """Can the stream (default: standard output) write every character (a UTF encoding)?"""
    encoding = getattr(stream or sys.stdout, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def json_text(doc: Any, stream: TextIO | None = None) -> str:
    """``doc`` as indented JSON, with every character written as it is where the stream (default:
    standard output) is Unicode, and as a JSON escape (exact when read back) where it is not."""
    return json.dumps(doc, indent=2, ensure_ascii=not unicode_stream(stream))
