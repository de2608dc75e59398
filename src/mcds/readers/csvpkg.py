"""The CSV package form: ``datapackage.json`` (metadata in its ``mcds`` object) and one CSV file
per table.

CSV files are read by DuckDB (all columns VARCHAR, strict), numbering rows as the file shows them
(header = 1). A file DuckDB will not take as it is (rows with too many or too few cells, blank
lines, an encoding other than UTF-8) is read again by Python's csv module, which numbers every
record, blank lines included, and notes the ragged rows; the cells end in the same raw shape.
"""

from __future__ import annotations

import csv
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb

from mcds.errors import InputError
from mcds.readers.base import RawMetadata, RawSubmission, RawTable, load_rows
from mcds.safety import MAX_RESOURCES, check_columns
from mcds.submission import json_value_text as _text

__all__ = ["fast_rows", "header_of", "read_options", "read_package", "read_table", "resource_path",
           "survey_package"]


def resource_path(folder: Path, descriptor_path: Path, res: dict[str, Any]) -> Path:
    """The local file of a resource; refuse anything that leaves the package (nothing is fetched)."""
    p = res.get("path")
    name = res.get("name", "?")
    if isinstance(p, list):
        raise InputError(descriptor_path, f"resource '{name}' is split over several files; give one file per table")
    if not isinstance(p, str) or not p:
        raise InputError(descriptor_path, f"resource '{name}' has no path")
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", p) or p.startswith(("/", "\\")) or "\\" in p:
        raise InputError(descriptor_path, f"resource '{name}' points outside the package ('{p}'); "
                                          "only files inside the package are read, and nothing is fetched")
    parts = Path(p).parts
    if ".." in parts:
        raise InputError(descriptor_path, f"resource '{name}' points outside the package ('{p}')")
    full = (folder / p).resolve()
    if not full.is_relative_to(folder.resolve()):
        raise InputError(descriptor_path, f"resource '{name}' points outside the package ('{p}')")
    return full


def read_descriptor(path: Path) -> tuple[Path, Path, dict[str, Any]]:
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    dp = folder / "datapackage.json"
    if not dp.is_file():
        raise InputError(path, "no datapackage.json in this folder: not a CSV package")
    from mcds.safety import load_json

    desc = load_json(dp)  # repeated keys, NaN and runaway nesting refused
    if not isinstance(desc, dict):
        raise InputError(dp, "a Data Package descriptor must be a JSON object")
    resources = desc.get("resources", [])
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise InputError(dp, "'resources' must be a list of objects")
    if len(resources) > MAX_RESOURCES:
        raise InputError(dp, f"'resources' lists {len(resources):,} files (at most {MAX_RESOURCES} are read; an MCDS "
                             "package has one per table of the standard); refused")
    return folder, dp, desc


def _first_record(path: Path) -> tuple[list[str], str]:
    from mcds.safety import csv_field_limit, detect_encoding

    csv_field_limit()
    enc = detect_encoding(path)  # one policy for every CSV reader: see mcds.safety
    try:
        with open(path, newline="", encoding=enc, errors="replace") as fh:
            header = next(csv.reader(fh), [])
    except csv.Error as exc:
        raise InputError(path, f"not readable as CSV ({exc})", where="row 1") from None
    check_columns(path, len(header))  # before any row is read: too wide a file, in every reader's words
    return header, enc


def _needs_python(path: Path, enc: str) -> bool:
    """Files DuckDB's fast path cannot take: not UTF-8. (Blank lines, cells over several lines and
    lines DuckDB drops are caught after the fast read, by counting lines: see :func:`read_table`.)"""
    return enc != "utf-8-sig"


def _line_ends(path: Path, chunk: int = 1 << 24) -> tuple[int, bool]:
    """The number of lines (a last line without a line end counts), and whether every line ends the
    same way (all LF, or all CRLF, with no other carriage return), in one streamed pass."""
    lf = cr = crlf = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            if last == b"\r" and block[:1] == b"\n":
                crlf += 1
            lf += block.count(b"\n")
            n = block.count(b"\r")
            if n:  # most files end lines with LF alone: no third pass over them
                cr += n
                crlf += block.count(b"\r\n")
            last = block[-1:]
    uniform = cr == 0 or (cr == crlf == lf)
    return lf + (last != b"\n"), uniform


def read_options(width: int, *, parallel: bool = True) -> str:
    """DuckDB's ``read_csv`` options of the fast path for a file of ``width`` columns (``c1`` ..)."""
    columns = {f"c{i}": "VARCHAR" for i in range(1, width + 1)}
    return (f"header=true, columns={columns!r}, auto_detect=false, delim=',', quote='\"', escape='\"', "
            f"strict_mode=true, null_padding=false, encoding='utf-8', parallel={str(parallel).lower()}")


def _read_duckdb(con: duckdb.DuckDBPyConnection, path: Path, relation: str, width: int, *, parallel: bool = True) -> bool:
    """Fast path. The cells go to ``<relation>_data``; ``relation`` is a view adding ``_row``."""
    try:
        con.execute(f"CREATE OR REPLACE TABLE {relation}_data AS SELECT * FROM read_csv(?, "
                    f"{read_options(width, parallel=parallel)})", [str(path)])
    except duckdb.OutOfMemoryException:
        raise  # not a reason to try again more slowly: mcds.safety.memory_guard names the file
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {relation}_data")
        return False
    # rowid follows the file's order (insertion order is preserved), so the user's row is rowid + 2.
    con.execute(f"CREATE OR REPLACE VIEW {relation} AS SELECT CAST(rowid + 2 AS INTEGER) AS _row, * FROM {relation}_data")
    return True


def _read_python(con: duckdb.DuckDBPyConnection, path: Path, relation: str, width: int, enc: str) -> list[tuple[str, int]]:
    problems: list[tuple[str, int]] = []

    def rows():  # type: ignore[no-untyped-def]
        with open(path, newline="", encoding=enc, errors="replace") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            try:
                for number, rec in enumerate(reader, start=2):
                    if len(rec) > width:
                        problems.append(("row-extra-cells", number))
                    elif 0 < len(rec) < width:
                        problems.append(("row-missing-cells", number))
                    yield number, [c if c != "" else None for c in rec[:width]]
            except csv.Error as exc:
                raise InputError(path, f"not readable as CSV ({exc})", where=f"line {reader.line_num}") from None

    load_rows(con, relation, width, rows())
    return problems


def header_of(path: Path) -> tuple[list[str | None], bool]:
    """A CSV file's header (blank cells as None), and whether DuckDB's fast path may read it (see
    :func:`fast_rows`)."""
    header, enc = _first_record(path)
    return [h if h.strip() else None for h in header], bool(header) and not _needs_python(path, enc)


def fast_rows(path: Path) -> int | None:
    """The number of records DuckDB's fast path must find in a file for its read to stand: one per
    line after the header. None when it cannot stand whatever DuckDB finds (line ends that are
    mixed, or a carriage return inside a cell)."""
    lines, uniform = _line_ends(path)
    return lines - 1 if uniform else None


def read_table(con: duckdb.DuckDBPyConnection, path: Path, relation: str, *,
               parallel: bool = True) -> tuple[list[str | None], list[tuple[str, int]]]:
    """Load one CSV file into ``relation`` (raw shape); return its header and row problems."""
    header, enc = _first_record(path)
    width = len(header)
    if width == 0:
        load_rows(con, relation, 0, [])
        return [], []
    if not _needs_python(path, enc) and _read_duckdb(con, path, relation, width, parallel=parallel):
        # one record per line, or DuckDB lost or merged some (it drops a last line longer than its
        # buffer without a word, and skips blank lines): then the Python path reads it, and says what
        # is wrong. Files whose line ends are mixed, or with a carriage return inside a cell, too.
        expected = fast_rows(path)
        if expected is not None and con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0] == expected:  # type: ignore[index]
            return [h if h.strip() else None for h in header], []
        con.execute(f"DROP VIEW IF EXISTS {relation}")
        con.execute(f"DROP TABLE IF EXISTS {relation}_data")
    problems = _read_python(con, path, relation, width, enc)
    return [h if h.strip() else None for h in header], problems


def survey_package(path: Path, *, display_root: Path | None = None,
                   prefix: str = "_raw") -> tuple[RawSubmission, list[tuple[RawTable, Path, str]]]:
    """A package's metadata and tables, without reading any file: with each file present, the
    relation ``<prefix>_<n>`` it is to be read into (:func:`read_package` reads them)."""
    folder, dp, desc = read_descriptor(path)
    meta = desc.get("mcds")
    metadata = RawMetadata(
        values={k: _text(v) for k, v in meta.items()} if isinstance(meta, dict) else {},
        present=isinstance(meta, dict),
        file="datapackage.json",
    )
    from mcds.safety import MEMORY_FACTOR_STREAMED, check_fits_in_memory

    # every path checked before any file is read: nothing outside the package, nothing fetched
    files = [resource_path(folder, dp, res) for res in desc.get("resources", [])]
    check_fits_in_memory([f for f in files if f.is_file()] or [dp], MEMORY_FACTOR_STREAMED, name=folder)
    tables: list[RawTable] = []
    jobs: list[tuple[RawTable, Path, str]] = []
    for n, (res, file) in enumerate(zip(desc.get("resources", []), files, strict=True), start=1):
        name = str(res.get("name") or Path(str(res.get("path", ""))).stem)
        rel = str(res.get("path"))
        raw = RawTable(name=name, table=None, header=[], fields=[], file=rel, positional=True, kind="resource")
        tables.append(raw)
        if file.is_file():  # else listed but absent: reported as a missing table
            jobs.append((raw, file, f"{prefix}_{n}"))
    return RawSubmission(form="csv", source=str(display_root or path), metadata=metadata, tables=tables), jobs


def read_package(path: Path, con: duckdb.DuckDBPyConnection, *, display_root: Path | None = None,
                 prefix: str = "_raw") -> RawSubmission:
    raw, jobs = survey_package(path, display_root=display_root, prefix=prefix)
    _read_all(con, jobs)
    return raw


def _read_all(con: duckdb.DuckDBPyConnection, jobs: list[tuple[RawTable, Path, str]]) -> None:
    """Read the files two at a time, each by one DuckDB thread: parsing one file with one thread costs
    about a third less CPU than splitting it between threads, and the files keep both cores busy. One
    at a time when DuckDB is given one thread (a worker process with a core of its own)."""
    one_thread = con.execute("SELECT current_setting('threads')").fetchone()[0] == 1  # type: ignore[index]
    if len(jobs) < 2 or (os.cpu_count() or 1) < 2 or one_thread:
        for raw, file, relation in jobs:
            raw.header, raw.row_problems = read_table(con, file, relation)
            raw.relation = relation
        return

    def one(job: tuple[RawTable, Path, str]) -> None:
        raw, file, relation = job
        cur = con.cursor()
        try:
            raw.header, raw.row_problems = read_table(cur, file, relation, parallel=False)
            raw.relation = relation
        finally:
            cur.close()

    biggest_first = sorted(jobs, key=lambda j: -j[1].stat().st_size)
    with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 2)) as pool:
        for future in [pool.submit(one, j) for j in biggest_first]:
            future.result()
