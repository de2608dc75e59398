"""What to do with an input that is not a submission yet: the conversion that makes it one.

A council's first try is often ``mcds validate`` on what it already has: the SSDA903 return's
folder, Ofsted's Annex A workbook, a folder of its case-management system's export.
:func:`conversion_hint` recognises each (by content, as the converters do: a 903 table by its
columns, Annex A by its List 8 sheet) and says which command turns it into a submission.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

__all__ = ["conversion_hint"]

HEAD = 64 * 1024  # enough of a file to read its header row or its XML root


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            return next(csv.reader([fh.readline(HEAD)]), [])
    except OSError:
        return []


def _is_903_xml(path: Path) -> bool:
    from mcds.convert.ssda903 import _spec

    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD)
    except OSError:
        return False
    return re.search(rb"<\s*" + _spec()["xml"]["root"].encode("ascii") + rb"[\s>]", head) is not None


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        try:
            return sorted(p for p in path.iterdir() if p.is_file())
        except OSError:
            return []
    return [path] if path.is_file() else []


def _is_annex_a(path: Path) -> bool:
    from mcds.convert.annex_a import _spec

    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        names = list(wb.sheetnames)
        wb.close()
    except Exception:  # not a workbook openpyxl reads: nothing to suggest
        return False
    return any(re.search(_spec()["sheet"], n, re.I) for n in names)


def conversion_hint(path: Path | str) -> str | None:
    """The command that converts ``path`` into a submission, as a sentence, or None when it is none of
    the inputs the converters read."""
    from mcds.convert.ssda903 import _recognise

    path = Path(path)
    files = _files(path)
    csvs = [f for f in files if f.suffix.lower() == ".csv"]
    tables = {t for f in csvs if (t := _recognise(_header(f))[0])}
    shown = f'"{path}"' if " " in str(path) else str(path)
    if tables or any(f.suffix.lower() == ".xml" and _is_903_xml(f) for f in files):
        return (f"This looks like an SSDA903 return{' (' + ', '.join(sorted(tables)) + ')' if tables else ''}: "
                f"convert it first with `mcds convert ssda903 {shown} --la CODE --year YEAR --out FOLDER`, "
                "then give FOLDER instead.")
    if any(f.suffix.lower() == ".xlsx" and _is_annex_a(f) for f in files):
        return (f"This looks like Ofsted's Annex A (a List 8 sheet): convert it with `mcds convert annex-a {shown} "
                "--la CODE --year YEAR --out FOLDER`, or compare it with a submission with `mcds reconcile`.")
    if path.is_dir() and (csvs or any(f.suffix.lower() == ".xlsx" for f in files)):
        return (f"If this is an export of your case-management system, draft a mapping with `mcds mapping init "
                f"{shown} --out mapping.yaml`, fill in its gaps, then `mcds convert mapped {shown} --mapping "
                "mapping.yaml --out FOLDER`.")
    return None
