"""Hardening shared by every reader: the limits, in one place, and the checks that enforce them.

Councils' systems export whatever they export, and these files are records of vulnerable
children, so every reader refuses what it cannot read safely with an :class:`~mcds.errors.InputError`
(exit 2, a message naming the file and the place) instead of crashing, running out of memory,
or reading or fetching anything outside what it was given:

- :func:`check_zip`: ZIP files (XLSX workbooks, zipped CSV packages) are checked before anything
  is decompressed for real: member names that would leave the folder, symbolic links, too many
  members, a declared size or compression ratio of a ZIP bomb; then every member is streamed once
  through the decompressor (which stops at the declared size and checks the CRC), so a member that
  lies about its size is refused too. For workbooks the same pass measures each sheet's used area,
  because the XLSX reader allocates the whole rectangle from A1 to the farthest cell.
- :func:`detect_encoding`: one policy for every CSV reader (the validator's fast DuckDB path and its
  Python path, and every converter): UTF-8 with or without BOM is read as it is; UTF-16 and UTF-32
  (with a byte-order mark, or UTF-16 without one, recognised by its zero bytes) are decoded; any
  other encoding (Excel's "CSV" is Windows-1252) is detected with charset-normalizer and read; NUL
  bytes in 8-bit text, and text no encoding explains, are refused with a message saying to save the
  file as "CSV UTF-8".
- :func:`load_json`: JSON without surprises: a key repeated in an object is refused (no silent
  last-wins), numbers are kept as the text they were written as (``1e400`` and a 5,000-digit
  integer are values for the validator to report, not a crash), ``NaN``/``Infinity`` and nesting
  too deep for the parser (the JSON form needs 3 levels) are refused, naming the place where the
  nesting passes :data:`MAX_JSON_DEPTH` levels.
- :func:`load_yaml`: YAML (mapping files, explanations) without bombs: aliases (``*name``) may
  repeat what their anchor names, but only until they add :data:`MAX_YAML_ALIAS_EXPANSION` values
  and characters to the file as written (a 553-byte "billion laughs" expands to gigabytes); an alias
  inside the value it names, and nesting too deep for the parser, are refused too.
- :func:`extracted_zip`: a zipped package is checked (:func:`check_zip`: also members that clash as
  file and folder, and names too long for a file system) and extracted into a fresh folder under the
  temporary folder, removed whatever happens (an error, Ctrl-C); a folder left by a run that was
  killed outright is removed by the next run.
- :func:`check_fits_in_memory` and :func:`memory_guard`: files far larger than the memory the
  process may use are refused up front with a message; running out of memory anyway becomes the
  same message rather than a crash.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import json
import os
import re
import resource
import shutil
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from mcds.errors import InputError

__all__ = [
    "MAX_CSV_COLUMNS",
    "MAX_CSV_FIELD",
    "MAX_JSON_DEPTH",
    "MAX_MEMBER_NAME",
    "MAX_NAME_COMPONENT",
    "MAX_RESOURCES",
    "MAX_SHARED_TEXT",
    "MAX_SHEET_CELLS",
    "MAX_YAML_ALIAS_EXPANSION",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_RATIO",
    "MAX_ZIP_UNCOMPRESSED",
    "XLSX_MARK",
    "ZIP_RATIO_FLOOR",
    "ZIP_TEMP_PREFIX",
    "ZipSummary",
    "check_columns",
    "check_fits_in_memory",
    "check_zip",
    "csv_field_limit",
    "detect_encoding",
    "extracted_zip",
    "load_json",
    "load_yaml",
    "memory_available",
    "memory_guard",
    "normalise_xlsx",
    "physical_lines",
    "safe_member_name",
    "source_date",
    "xlsx_written_by_mcds",
]

# ---------------------------------------------------------------- the limits (all of them)

MAX_ZIP_MEMBERS = 10_000
"""Members of one ZIP file. A workbook has a few dozen; a zipped package about ten."""

MAX_ZIP_UNCOMPRESSED = 2 * 1024**3
"""Total uncompressed size of one ZIP file (2 GiB): far above any council's return."""

MAX_ZIP_RATIO = 200
"""Largest compression ratio of a member bigger than :data:`ZIP_RATIO_FLOOR`. Spreadsheet XML
compresses 10 to 30 times; a ZIP bomb compresses 1,000 times or more."""

ZIP_RATIO_FLOOR = 8 * 1024**2
"""Members smaller than this (8 MiB) are never refused for their ratio."""

MAX_SHEET_CELLS = 10_000_000
"""Largest used area of a worksheet (rows x columns from its first to its farthest cell with
content). The largest council's SSDA903 episodes sheet is under 2 million cells; a stray cell at
XFD1048576 makes 17 billion, which no reader can hold."""

MAX_SHARED_TEXT = 512 * 1024**2
"""Most text (512 MiB) a workbook's cells may expand to from its shared strings: a 20 KB workbook
whose 3,000 cells all point at one 2 MB shared string expands to 6 GB."""

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects in a JSON file (the JSON form needs 3)."""

MAX_YAML_ALIAS_EXPANSION = 100_000
"""Most that aliases (``*name``) may add to a YAML file, in values and characters, each alias
counted as a copy of what its anchor names. Reusing a value map a few times adds hundreds; a
"billion laughs" of 553 bytes adds billions."""

MAX_MEMBER_NAME = 1024
"""Longest ZIP member name, in UTF-8 bytes (a package's members are a few dozen characters)."""

MAX_NAME_COMPONENT = 255
"""Longest part of a ZIP member name between slashes, in UTF-8 bytes: the most a file system takes."""

MAX_RESOURCES = 200
"""Most resources one ``datapackage.json`` may list. An MCDS package has five tables; the Data
Package standard sets no limit, and each resource costs a file check, a read and a report."""

MAX_CSV_COLUMNS = 1_000
"""Most columns a CSV file of a package may have. The standard's widest table has 19 fields; reading
costs time and memory per column for every row (16,384 columns, Excel's most, take seconds for a
few rows; 100,000 columns exhaust the memory in a file of under 1 MB)."""



def check_columns(path: Path, count: int, *, what: str = "the header", where: str | None = "row 1") -> None:
    """Refuse a table of more than :data:`MAX_CSV_COLUMNS` columns, by every reader in the same words:
    a CSV file's header, a worksheet (``what="the sheet"``), the keys of a JSON form's records."""
    if count > MAX_CSV_COLUMNS:
        raise InputError(path, f"too many columns: {what} has {count:,} (at most {MAX_CSV_COLUMNS:,} are read; the "
                               "standard's widest table has a few dozen); refused", where=where)


MEMORY_FACTOR_STREAMED = 6
"""Memory needed per byte of a CSV file the validator loads into DuckDB (text cells at 16 bytes
each, plus working space)."""

MEMORY_FACTOR_IN_PYTHON = 16
"""Memory needed per byte of a file read whole into Python objects (converters, JSON)."""

_CHUNK = 1 << 20


# ---------------------------------------------------------------- paths


def safe_member_name(name: str) -> bool:
    """Is a ZIP member or resource path a plain relative path that stays inside its folder?"""
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name or "\x00" in name:
        return False
    return ".." not in PurePosixPath(name).parts


def _name_too_long(name: str) -> str | None:
    """Why a (safe) member name cannot be written by a file system, or None."""
    size = len(name.encode("utf-8", "surrogateescape"))
    if size > MAX_MEMBER_NAME:
        return f"a name of {size:,} bytes (at most {MAX_MEMBER_NAME:,})"
    longest = max((p for p in PurePosixPath(name).parts), key=lambda p: len(p.encode("utf-8", "surrogateescape")),
                  default="")
    size = len(longest.encode("utf-8", "surrogateescape"))
    if size > MAX_NAME_COMPONENT:
        return f"a file or folder name of {size:,} bytes (at most {MAX_NAME_COMPONENT} on any file system)"
    return None


def _clashes(names: list[str]) -> tuple[str, str] | None:
    """Two members that cannot both be extracted: the same path twice (ignoring case, as Windows
    and macOS do), or a file that another member needs as its folder (``a`` and ``a/b``)."""
    files: dict[tuple[str, ...], str] = {}
    folders: dict[tuple[str, ...], str] = {}
    for name in names:
        parts = tuple(p.casefold() for p in PurePosixPath(name).parts)
        if not parts:
            continue
        for i in range(1, len(parts)):
            folder = parts[:i]
            if folder in files:
                return files[folder], name
            folders.setdefault(folder, name)
        if name.endswith("/"):
            if parts in files:
                return files[parts], name
            folders.setdefault(parts, name)
            continue
        if parts in files:
            return files[parts], name
        if parts in folders:
            return folders[parts], name
        files[parts] = name
    return None


# ---------------------------------------------------------------- ZIP files


class ZipSummary:
    """What :func:`check_zip` learnt: the member names and each worksheet's used area."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.sheet_areas: dict[str, tuple[int, int]] = {}  # member -> (farthest row, farthest column), at most
        self.shared_uses: Counter[bytes] = Counter()         # shared string index -> cells using it
        self.shared_lengths: list[int] = []                  # bytes of each shared string, in order


# A cell with content: ' r="B7"' in a start tag that is not self-closed (<c r="B7" s="1"/> is
# formatting only and costs the reader nothing). Plain patterns, one for the rows and one for the
# column letters, so the scan runs at C speed (about 60 MB of sheet XML a second).
_CELL_ROW = re.compile(rb' r="[A-Z]{1,3}([0-9]{1,7})"[^>/]*>')
_CELL_COLUMN = re.compile(rb' r="([A-Z]{1,3})[0-9]{1,7}"[^>/]*>')
_SHARED_REF = re.compile(rb't="s"[^>]*>\s*<(?:\w+:)?v>\s*([0-9]{1,10})')  # a cell showing shared string N


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _col_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def check_zip(path: Path, *, scan_sheets: bool = False) -> ZipSummary:
    """Refuse a ZIP file that is damaged, escapes its folder, holds symbolic links or is a ZIP bomb.

    Every member is decompressed once, in chunks, and thrown away: nothing is held in memory and
    nothing is written. With ``scan_sheets`` (XLSX), each worksheet's used area is measured and
    a sheet larger than :data:`MAX_SHEET_CELLS` is refused, naming the sheet's farthest cell."""
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(path, f"a damaged ZIP file ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise InputError(path, f"the ZIP file has {len(infos):,} members (at most {MAX_ZIP_MEMBERS:,} are read); refused")
        declared = 0
        for info in infos:
            name = info.filename
            if not safe_member_name(name):
                raise InputError(path, f"the ZIP member '{name[:200]}' would be written outside its folder; refused")
            if info.external_attr >> 28 == 0xA:
                raise InputError(path, f"the ZIP member '{name[:200]}' is a symbolic link; refused")
            too_long = _name_too_long(name)
            if too_long:
                shown = name if len(name) <= 100 else name[:100] + "..."
                raise InputError(path, f"the ZIP member '{shown}' has {too_long}, which cannot be "
                                       "extracted; refused")
            declared += info.file_size
            if declared > MAX_ZIP_UNCOMPRESSED:
                raise InputError(path, f"the ZIP file would decompress to more than {MAX_ZIP_UNCOMPRESSED // 1024**2:,} MB "
                                       "(a ZIP bomb?); refused before decompressing")
            ratio = info.file_size // max(info.compress_size, 1)
            if info.file_size > ZIP_RATIO_FLOOR and ratio > MAX_ZIP_RATIO:
                raise InputError(path, f"the ZIP member '{name[:200]}' is compressed {ratio:,} times (more than "
                                       f"{MAX_ZIP_RATIO}: a ZIP bomb?); refused before decompressing")
        clash = _clashes([i.filename for i in infos])
        if clash:
            first, second = (n[:200] for n in clash)
            raise InputError(path, f"the ZIP members '{first}' and '{second}' cannot both be extracted (the same "
                                   "name twice, or a file where a folder is needed); refused")
        summary = ZipSummary([i.filename for i in infos])
        sheet_names = _sheet_names(zf) if scan_sheets else {}
        for info in infos:
            if info.is_dir():
                continue
            # every XML member, not only xl/worksheets/: the workbook's index may put a sheet anywhere
            sheet = scan_sheets and info.filename.endswith(".xml")
            if sheet and info.filename.lower().endswith("sharedstrings.xml"):
                _shared_lengths(path, zf, info, summary)
                continue
            try:
                _stream_member(path, zf, info, summary if sheet else None, sheet_names.get(info.filename))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError,
                    NotImplementedError, RuntimeError) as exc:
                raise InputError(path, f"the ZIP member '{info.filename[:200]}' is damaged or not readable ({exc})") from None
        if scan_sheets:
            lengths = summary.shared_lengths
            expanded = sum(n * lengths[int(i)] for i, n in summary.shared_uses.items() if int(i) < len(lengths))
            if expanded > MAX_SHARED_TEXT:
                raise InputError(path, f"its cells repeat the workbook's shared text until it comes to {expanded / 1024**2:,.0f} "
                                       f"MB (at most {MAX_SHARED_TEXT // 1024**2:,} MB are read: a decompression bomb?); refused")
    return summary


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """{worksheet member: sheet name} from the workbook's own index (empty if it cannot be read)."""
    import defusedxml.ElementTree as ET

    try:
        wb = ET.fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except Exception:  # a damaged index: the reader will say so; here we only lose the names
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels if r.tag.endswith("Relationship")}
    out = {}
    for sheet in wb.iter():
        if sheet.tag.endswith("}sheet"):
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "").lstrip("/")
            member = target if target.startswith("xl/") else f"xl/{target}"
            out[member] = sheet.get("name", "")
    return out


def _shared_lengths(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, summary: ZipSummary) -> None:
    """The length in bytes of every shared string (each <si> item), streamed."""
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK * 8):
            pieces = (tail + chunk).split(b"</si>")
            tail = pieces.pop()
            summary.shared_lengths.extend(len(p) - p.find(b"<si") for p in pieces)
            if len(tail) > MAX_SHARED_TEXT:
                raise InputError(path, "a shared string of more than 512 MB; refused")


def _cell_tags(data: bytes, prefixed: bool) -> int:
    """Cell start tags (<c ...>, <c>; also <x:c ...> when the sheet's tags carry a namespace prefix)."""
    tags = (b"<c ", b"<c>", b":c ", b":c>") if prefixed else (b"<c ", b"<c>")
    return sum(data.count(t) for t in tags)


def _stream_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, summary: ZipSummary | None,
                   sheet: str | None = None) -> None:
    """Decompress one member in chunks (checking its size and CRC); for a worksheet, measure the area
    from A1 to its farthest cell with content, which is what the XLSX reader allocates.

    Cells normally carry their reference (r="B7"). The format lets a writer leave it out, the cell
    then following the one before it; when some cells have no reference, the area is bounded by
    the number of rows times the most cells in one row, counted from the tags."""
    max_row = max_col = 0
    row_tags = widest = 0
    unreferenced = False
    prefixed: bool | None = None
    tail = b""
    with zf.open(info) as fh:  # reads at most the declared size, then checks the CRC
        while chunk := fh.read(_CHUNK * 8):
            if summary is None:
                continue
            data = tail + chunk
            if prefixed is None:
                prefixed = b"<sheetData" not in data and b"<worksheet" not in data
            summary.shared_uses.update(_SHARED_REF.findall(chunk))
            rows = _CELL_ROW.findall(data)
            if rows:
                max_row = max(max_row, *map(int, rows))
                max_col = max(max_col, *map(_col_number, set(_CELL_COLUMN.findall(data))))
            end = data.rfind(b"</row>") + len(b"</row>") if b"</row>" in data else 0
            whole, tail = data[:end], data[end:]
            if len(tail) > _CHUNK * 64:  # one row of 64 MB: far beyond any real sheet
                raise InputError(path, "a row of more than 64 MB; refused",
                                 where=f"sheet {sheet}" if sheet else f"sheet file {info.filename}")
            # references: every ' r="', less the rows' own (counted in C, no list built)
            unreferenced = unreferenced or _cell_tags(whole, prefixed) > whole.count(b' r="') - whole.count(b'row r="')
            if unreferenced:
                row_tags += whole.count(b"<row") + whole.count(b":row")
                widest = max(widest, *(_cell_tags(r, prefixed) for r in whole.split(b"</row>")))
            far_row, far_col = max(max_row, max_row + row_tags if unreferenced else 0), max(max_col, widest)
            if far_row * far_col > MAX_SHEET_CELLS:
                raise InputError(path, f"the sheet has content as far as cell {_col_letters(min(far_col, 16384))}"
                                       f"{far_row} or beyond, {far_row * far_col:,} cells from A1 (at most "
                                       f"{MAX_SHEET_CELLS:,} are read); delete the stray cells beyond the data",
                                 where=f"sheet {sheet}" if sheet else f"sheet file {info.filename}")
    if summary is not None:
        check_columns(path, max(max_col, widest), what="the sheet",
                      where=f"sheet {sheet}" if sheet else f"sheet file {info.filename}")
    if summary is not None and max_row:
        summary.sheet_areas[info.filename] = (max_row, max_col)


ZIP_TEMP_PREFIX = "mcds-zip-"
_STALE_MINUTE, _STALE_DAY = 60, 24 * 3600


def _lock(fh: Any, *, wait: bool) -> bool | None:
    """An exclusive lock on an open file, held until it is closed or the process ends: True if taken,
    False if another process holds it, None where there are no such locks (Windows)."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def _remove_stale_extractions() -> None:
    """Remove the folders of :func:`extracted_zip` whose run ended without removing them (it was
    killed outright): their lock is free (and they are a minute old, so not one being set up), or,
    without locks, they are a day old. Best effort: anything that cannot be checked is left alone."""
    import time

    with contextlib.suppress(OSError):
        for folder in Path(tempfile.gettempdir()).glob(f"{ZIP_TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
                    continue
                age = time.time() - folder.stat().st_mtime
                with open(folder / "lock", "a") as fh:
                    free = _lock(fh, wait=False)
                    if (free is None and age > _STALE_DAY) or (free and age > _STALE_MINUTE):
                        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def extracted_zip(path: Path) -> Iterator[Path]:
    """Check a ZIP file (:func:`check_zip`) and extract it into a fresh folder under the temporary
    folder; yield that folder. It is removed on the way out whatever happens (an error, Ctrl-C); one
    left by a run killed outright is removed by the next run (its lock is free)."""
    path = Path(path)
    check_zip(path)
    _remove_stale_extractions()
    work = Path(tempfile.mkdtemp(prefix=f"{ZIP_TEMP_PREFIX}{os.getpid()}-"))
    try:
        with open(work / "lock", "w") as lock:
            _lock(lock, wait=True)
            dest = work / "files"
            try:
                with zipfile.ZipFile(path) as zf:
                    zf.extractall(dest)
            except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
                raise InputError(path, f"the ZIP file cannot be extracted ({exc})") from None
            except OSError as exc:
                raise InputError(path, f"the ZIP file cannot be extracted into {tempfile.gettempdir()} "
                                       f"({exc.strerror})") from None
            yield dest
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- text encodings

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

SAVE_AS_UTF8 = 'save it from Excel as "CSV UTF-8 (Comma delimited)"'


def _line_of(path: Path, offset: int) -> int:
    line = 1
    with open(path, "rb") as fh:
        done = 0
        while done < offset and (chunk := fh.read(min(_CHUNK, offset - done))):
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


def detect_encoding(path: Path) -> str:
    """The encoding to read a CSV file with (a Python codec name); see the module's docstring.

    The file is streamed, never read whole. ``utf-8-sig`` means UTF-8 (with or without BOM)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
            for bom, enc in _BOMS:
                if head.startswith(bom):
                    return enc
            if len(head) >= 4 and head.count(b"\x00") * 4 >= len(head):  # UTF-16 without a byte-order mark
                odd, even = head[1::2].count(0), head[0::2].count(0)
                return "utf-16-le" if odd > even else "utf-16-be"
            decoder = codecs.getincrementaldecoder("utf-8")()
            fh.seek(0)
            offset = 0
            utf8 = True
            while chunk := fh.read(_CHUNK):
                nul = chunk.find(b"\x00")
                if nul >= 0:
                    raise InputError(path, "holds a NUL byte, so it is not a text file (or it is UTF-16 damaged); "
                                           + SAVE_AS_UTF8, where=f"line {_line_of(path, offset + nul)}")
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        utf8 = False
                        bad = offset + exc.start
                offset += len(chunk)
            if utf8:
                decoder.decode(b"", final=True)
                return "utf-8-sig"
            fh.seek(max(0, bad - 32768))
            sample = head + fh.read(65536)
    except UnicodeDecodeError:  # truncated UTF-8 at the very end
        raise InputError(path, "ends in the middle of a UTF-8 character; " + SAVE_AS_UTF8) from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    encoding = best.encoding if best else None
    if encoding is None or not _decodes(path, encoding):
        raise InputError(path, "is not UTF-8 and its encoding cannot be recognised; " + SAVE_AS_UTF8,
                         where=f"line {_line_of(path, bad)}")
    return encoding


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


# ---------------------------------------------------------------- JSON


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _Duplicate(k)
        out[k] = v
    return out


def _constant(name: str) -> Any:
    raise ValueError(name)


def _depth_exceeded(text: str) -> int | None:
    """The offset where nesting first passes :data:`MAX_JSON_DEPTH` (outside strings), or None."""
    depth = 0
    # Fast path: drop strings, keep only brackets.
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        ch = m.group()
        if ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return m.start()
        elif ch in "]}":
            depth -= 1
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")
_HALVES = re.compile("[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]")  # a pair, else a lone half
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # \uD800 to \uDFFF written in a JSON string
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
LONE_SURROGATE = ("holds {escape}, half of a UTF-16 surrogate pair without its other half, which is no character "
                  "(the program that wrote the file split a character in two); write the character itself, "
                  "or remove the escape")


def _lone(surrogate: str) -> str:
    return LONE_SURROGATE.format(escape=f"\\u{ord(surrogate):04x}")


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - text.rfind(chr(10), 0, offset)}"


def _lone_surrogate_json(path: Path, text: str) -> None:
    """Refuse a JSON text (parsed already, so valid) one of whose strings, key or value, decodes to a
    lone surrogate (``"a\\ud800b"``): no UTF-8 writer, DuckDB included, can take it."""
    if not _SURROGATE_ESCAPE.search(text):
        return
    for m in _JSON_STRING.finditer(text):
        token = m.group()
        bad = _SURROGATE.search(json.loads(token)) if _SURROGATE_ESCAPE.search(token) else None
        if bad:
            raise InputError(path, _lone(bad.group()), where=_where(text, m.start()))


def _surrogates_yaml(path: Path, root: Any) -> None:
    """The same for a composed YAML document: refuse a scalar (``"a\\ud800b"``, ``"\\U0000dfff"``) holding a
    lone surrogate; join the pairs PyYAML leaves as two halves (``"\\ud83d\\ude00"``, as JSON writes them)
    into the character they stand for."""
    import yaml

    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode) and _SURROGATE.search(node.value):
            try:
                node.value = node.value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            except UnicodeDecodeError:
                half = next(m.group() for m in _HALVES.finditer(node.value) if len(m.group()) == 1)
                mark = node.start_mark
                raise InputError(path, _lone(half), where=f"line {mark.line + 1}, column {mark.column + 1}") from None
        elif isinstance(node, yaml.MappingNode):
            stack.extend(reversed([n for pair in node.value for n in pair]))  # the first in the file is found first
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


def read_text(path: Path) -> str:
    """A file people write (JSON, YAML) as text: UTF-8 (a BOM allowed), within memory; errors name
    the file and, for bad bytes, where."""
    check_fits_in_memory([path], MEMORY_FACTOR_IN_PYTHON)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, "not UTF-8 text; save it as UTF-8", where=f"byte {exc.start}") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None


def load_json(path: Path, text: str | None = None) -> Any:
    """Parse a JSON file (or ``text`` read from it) by the rules in the module's docstring; numbers
    come back as their text (``"1e400"``), which is how every form holds cells."""
    path = Path(path)
    if text is None:
        text = read_text(path)
    elif text.startswith("\ufeff"):
        text = text[1:]
    try:
        doc = json.loads(text, object_pairs_hook=_pairs, parse_int=str, parse_float=str, parse_constant=_constant)
    except _Duplicate as exc:
        raise InputError(path, f"the key '{exc.key[:100]}' appears twice in one object; a JSON object must not repeat "
                               "a key (which value is meant?)") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON ({exc.msg})", where=f"line {exc.lineno}, column {exc.colno}") from None
    except ValueError as exc:
        raise InputError(path, f"'{exc}' is not a JSON number; write the value as text or leave it out") from None
    except RecursionError:
        offset = _depth_exceeded(text)
        where = None if offset is None else _where(text, offset)
        raise InputError(path, f"nested too deeply (arrays or objects more than {MAX_JSON_DEPTH} levels inside one "
                               "another; the JSON form needs 3); refused", where=where) from None
    _lone_surrogate_json(path, text)
    return doc


# ---------------------------------------------------------------- YAML


class _Cycle(Exception):
    def __init__(self, node: Any) -> None:
        self.node = node


def _alias_expansion(root: Any) -> tuple[int, int]:
    """(size as written, size with every alias taken as a copy of what it names) of a composed YAML
    document, in values and characters; one pass over the nodes, not over the copies."""
    import yaml

    def weight(node: Any) -> int:
        return 1 + len(node.value) if isinstance(node, yaml.ScalarNode) else 1

    def children(node: Any) -> list[Any]:
        if isinstance(node, yaml.MappingNode):
            return [n for pair in node.value for n in pair]
        return list(node.value) if isinstance(node, yaml.SequenceNode) else []

    expanded: dict[int, int] = {}
    open_: set[int] = set()
    written = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            expanded[key] = weight(node) + sum(expanded[id(c)] for c in children(node))
            open_.discard(key)
            continue
        if key in expanded:
            continue
        if key in open_:
            raise _Cycle(node)
        open_.add(key)
        written += weight(node)
        stack.append((node, True))
        stack.extend((c, False) for c in children(node))
    return written, expanded[id(root)]


def load_yaml(path: Path, text: str | None = None, *, loader: Any = None) -> Any:
    """Parse a YAML file (or ``text`` read from it) with ``loader`` (a subclass of
    ``yaml.SafeLoader``; that class by default), refusing what the module's docstring says: aliases
    that add more than :data:`MAX_YAML_ALIAS_EXPANSION`, an alias inside the value it names, nesting
    too deep to parse. Errors name the file and the line, and never quote the file's lines."""
    import yaml

    path = Path(path)
    if text is None:
        text = read_text(path)
    try:
        parser = (loader or yaml.SafeLoader)(text)  # refuses characters YAML does not allow at once
    except yaml.reader.ReaderError as exc:
        raise InputError(path, f"holds a character YAML does not allow (U+{exc.character:04X}); remove it",
                         where=_where(text, exc.position)) from None
    try:
        node = parser.get_single_node()
        if node is None:
            return None
        written, expanded = _alias_expansion(node)
        if expanded - written > MAX_YAML_ALIAS_EXPANSION:
            raise InputError(path, f"its aliases (*name) repeat what they name until the file comes to {expanded:,} "
                                   f"values and characters, {expanded - written:,} more than written (at most "
                                   f"{MAX_YAML_ALIAS_EXPANSION:,} more are read: a YAML bomb?); refused")
        _surrogates_yaml(path, node)
        return parser.construct_document(node)
    except _Cycle as exc:
        raise InputError(path, "an alias (*name) is inside the value it names, which never ends; refused",
                         where=f"line {exc.node.start_mark.line + 1}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = ", ".join(x for x in (exc.context, exc.problem) if x)
        if "unknown escape character" in problem:  # a Windows path in double quotes: "C:\Exports\..."
            problem += ("; a backslash in double quotes starts an escape: write a Windows path in single quotes "
                        "('C:\\Exports\\export.csv') or with no quotes")
        raise InputError(path, f"not valid YAML ({problem})", where=where) from None
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML ({type(exc).__name__})") from None
    except RecursionError:
        raise InputError(path, "nested too deeply (lists or mappings inside one another further than the parser "
                               "can follow); refused") from None
    finally:
        parser.dispose()


# ---------------------------------------------------------------- memory


def memory_available() -> int:
    """Bytes this process may still use: the least of its address-space limit, its cgroup's
    limit and the machine's available memory."""
    limits = []
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(soft)
    for f in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with contextlib.suppress(OSError, ValueError):
            limits.append(int(Path(f).read_text().strip()))
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                limits.append(int(line.split()[1]) * 1024)
    if not limits:
        with contextlib.suppress(ValueError, OSError, AttributeError):
            limits.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    return min(limits) if limits else 1 << 62


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB"


def check_fits_in_memory(paths: list[Path], factor: int, *, name: Path | None = None) -> None:
    """Refuse files whose total size times ``factor`` exceeds :func:`memory_available`."""
    total = 0
    for p in paths:
        with contextlib.suppress(OSError):
            total += Path(p).stat().st_size
    available = memory_available()
    if total * factor > available:
        raise InputError(name or paths[0], f"{_mb(total)} is too large to read in the memory available "
                                           f"({_mb(available)}); split it (by year or by table) or run on a "
                                           "machine with more memory")


def _is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
        return True
    with contextlib.suppress(ImportError):
        import duckdb

        return isinstance(exc, duckdb.OutOfMemoryException)
    return False


@contextlib.contextmanager
def memory_guard(path: Path) -> Iterator[None]:
    """Turn running out of memory while reading ``path`` into an :class:`InputError`."""
    try:
        yield
    except InputError:
        raise
    except Exception as exc:
        if _is_out_of_memory(exc):
            raise InputError(path, f"too large to read in the memory available ({_mb(memory_available())}); split it "
                                   "or run on a machine with more memory") from None
        raise


# ---------------------------------------------------------------- reproducible output

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def source_date() -> str | None:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds.org) as an ISO 8601 UTC time, if it is set."""
    import datetime as dt

    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(value), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


XLSX_MARK = "mcds-sha256:"
"""How a workbook mcds wrote says so: its document identifier (``dc:identifier`` of
``docProps/core.xml``) is this and the SHA-256 of every other member, so a copy saved again by Excel
or anything else (which rewrites the members) no longer carries a mark that holds."""

_CORE = "docProps/core.xml"
_IDENTIFIER = re.compile(rb"<dc:identifier>([^<]*)</dc:identifier>")


def _members_digest(zf: zipfile.ZipFile) -> str:
    import hashlib

    digest = hashlib.sha256()
    for info in zf.infolist():
        if info.filename == _CORE:
            continue
        digest.update(info.filename.encode("utf-8", "surrogateescape") + b"\x00")
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
        digest.update(b"\x00")
    return digest.hexdigest()


def xlsx_written_by_mcds(path: Path) -> bool:
    """Whether the workbook at ``path`` is one mcds wrote (:func:`normalise_xlsx`) and nothing changed
    since: its mark (:data:`XLSX_MARK`) holds. Anything unreadable, or too large to check, is not."""
    try:
        if Path(path).stat().st_size > MAX_ZIP_UNCOMPRESSED or not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_ZIP_UNCOMPRESSED:
                return False
            core = zf.read(_CORE) if _CORE in zf.namelist() else b""
            mark = _IDENTIFIER.search(core)
            return bool(mark) and mark.group(1).decode("ascii", "replace") == XLSX_MARK + _members_digest(zf)
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError):
        return False


def _marked_core(core: bytes, stamp: str, digest: str | None) -> bytes:
    core = re.sub(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)",
                  lambda m: m.group(1) + stamp.encode() + m.group(3), core)
    if digest is None:  # not mcds's output (or no longer): a mark kept from an earlier write is dropped
        return re.sub(rb"<dc:identifier>" + re.escape(XLSX_MARK.encode()) + rb"[^<]*</dc:identifier>", b"", core)
    identifier = f"<dc:identifier>{XLSX_MARK}{digest}</dc:identifier>".encode()
    core, found = _IDENTIFIER.subn(lambda m: identifier, core)
    return core if found else core.replace(b"</cp:coreProperties>", identifier + b"</cp:coreProperties>")


def normalise_xlsx(path: Path, created: str | None = None, *, mark: bool | None = None) -> None:
    """Make a workbook just written by openpyxl the same bytes for the same content: every ZIP
    member dated 1980-01-01 and the document's created and modified times set to ``created``
    (the submission's own ``created``, else ``SOURCE_DATE_EPOCH``, else 1980-01-01); and, when
    ``mark`` (by default: when ``path`` is an output :mod:`mcds.writing` is writing now, see
    :func:`mcds.writing.in_progress`), mark it as mcds's (:data:`XLSX_MARK`), so that a later run
    may replace it. A script making a council's workbook as a fixture leaves it unmarked.

    Call it on the temporary file inside :func:`mcds.submission.atomic_path`, before it is moved."""
    if mark is None:
        from mcds.writing import in_progress

        mark = in_progress(path)
    stamp = (created or source_date() or "1980-01-01T00:00:00Z").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", stamp):
        stamp = f"{stamp[:10]}T00:00:00Z" if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", stamp) else "1980-01-01T00:00:00Z"
    path = Path(path)
    with zipfile.ZipFile(path) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
        digest = _members_digest(zf) if mark else None
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            if name == _CORE:
                data = _marked_core(data, stamp, digest if mark else None)
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, data)


def physical_lines(path: Path) -> int:
    """Lines in a file (a last line without a line end counts), streamed. DuckDB's fast CSV path
    is trusted only when it read one record per line: it silently drops a last line longer than
    its buffer, so a file it read differently is read again by the Python path."""
    lines = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


# ---------------------------------------------------------------- CSV cells

MAX_CSV_FIELD = 131_072
"""Longest CSV cell (128 KiB; Python's own default). The standard holds codes, dates and identifiers,
never free text, so a longer cell is a broken file (an unclosed quote, a binary file). The limit is
process-wide in Python's csv module and other libraries raise it, so every reader sets it again."""


def csv_field_limit() -> None:
    """Set the csv module's cell limit to :data:`MAX_CSV_FIELD` (call before reading)."""
    import csv

    csv.field_size_limit(MAX_CSV_FIELD)
