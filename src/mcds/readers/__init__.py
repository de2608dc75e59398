"""Raw readers of the standard's three forms, for validation.

A reader turns a submission into a :class:`RawSubmission`: the metadata as text, and each table
as text cells in a DuckDB table ``_raw_<n>`` (by default) with the columns ``_row`` (the row as the user sees
it, header = 1) and ``c1 .. cN`` (the header's columns, by position, all VARCHAR, NULL when
empty). Nothing is checked here: every check is made by :mod:`mcds.validation` on this shape, so
the three forms are validated by the same SQL.

The form is detected by content (:func:`open_submission`): a folder or ``datapackage.json``
(CSV package), a ZIP file holding a CSV package or an XLSX workbook, or a JSON document.
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from mcds.errors import InputError
from mcds.readers.base import RawMetadata, RawSubmission, RawTable

__all__ = ["RawMetadata", "RawSubmission", "RawTable", "detect_form", "open_submission"]

ZIP_MAGIC = b"PK\x03\x04"


def detect_form(path: Path) -> str:
    """``csv``, ``zip`` (a zipped CSV package), ``xlsx`` or ``json``, from the content of ``path``."""
    path = Path(path)
    if path.is_dir() or path.name == "datapackage.json":
        return "csv"
    if not path.exists():
        raise InputError(path, "no such file or folder")
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(path, f"a damaged ZIP file ({exc})") from None
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n == "datapackage.json" or n.endswith("/datapackage.json") for n in names):
            return "zip"
        raise InputError(path, "a ZIP file that holds neither a CSV package (datapackage.json) nor an XLSX workbook")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "json"
    if stripped.startswith(b"[") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(path, "not a submission: expected a CSV package, an XLSX workbook (not the old .xls) "
                               "or a JSON document with metadata and tables")
    raise InputError(path, "not a submission this toolkit can read: expected a CSV package folder, its "
                           "datapackage.json or a .zip of it, an XLSX workbook, or the JSON form")


@contextlib.contextmanager
def _safe_extract(path: Path) -> Iterator[Path]:
    """Extract a zipped CSV package under the temporary folder and yield its package folder (the one
    holding the outermost datapackage.json). :func:`mcds.safety.extracted_zip` refuses members that
    would land outside it, clash or cannot be written, symbolic links and ZIP bombs before anything
    is written, and removes the folder whatever happens."""
    from mcds.safety import extracted_zip

    with extracted_zip(path) as dest:
        descriptors = sorted(dest.rglob("datapackage.json"), key=lambda p: len(p.parts))
        if not descriptors:
            raise InputError(path, "no datapackage.json in this ZIP file")
        yield descriptors[0].parent


@contextlib.contextmanager
def open_submission(path: Path, con: duckdb.DuckDBPyConnection, *, prefix: str = "_raw") -> Iterator[RawSubmission]:
    """Read the submission at ``path`` into ``con`` in the raw shape; detect its form by content. Its
    tables are the relations ``<prefix>_<n>`` (another prefix keeps several submissions apart)."""
    from mcds.safety import memory_guard

    path = Path(path)
    form = detect_form(path)
    with memory_guard(path):  # running out of memory, here or in the checks, names the file
        if form == "csv":
            from mcds.readers.csvpkg import read_package

            yield read_package(path, con, prefix=prefix)
        elif form == "zip":
            from mcds.readers.csvpkg import read_package

            with _safe_extract(path) as folder:
                yield read_package(folder, con, display_root=path, prefix=prefix)
        elif form == "xlsx":
            from mcds.readers.workbook import read_workbook

            yield read_workbook(path, con, prefix=prefix)
        else:
            from mcds.readers.jsonform import read_json

            yield read_json(path, con, prefix=prefix)
