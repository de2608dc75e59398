"""``mcds upgrade`` writes the form it read: a CSV package folder, a ZIP of one, a workbook or the
JSON form, through the shared writers (atomic, never over what mcds did not write: :mod:`mcds.writing`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from mcds.errors import InputError
from mcds.submission import Submission, write_csv_package
from mcds.writing import write_zip

__all__ = ["SUFFIXES", "check_out", "write_form"]

SUFFIXES = {"zip": ".zip", "xlsx": ".xlsx", "json": ".json"}
NAMES = {"csv": "a CSV package folder", "zip": "a ZIP of a CSV package", "xlsx": "a workbook", "json": "the JSON form"}


def check_out(form: str, out: Path) -> None:
    """Refuse an ``--out`` that names another form than the input's."""
    suffix = Path(out).suffix.lower()
    wanted = SUFFIXES.get(form)
    if wanted and suffix != wanted:
        raise InputError(out, f"the input is {NAMES[form]} and the upgrade is written in the same form: give --out a "
                              f"name ending {wanted} (`mcds convert package` changes the form afterwards)")
    if not wanted and suffix in SUFFIXES.values():
        raise InputError(out, f"the input is {NAMES[form]} and the upgrade is written in the same form: give --out a "
                              "folder name, not a .zip, .xlsx or .json file")


def _write_zip(sub: Submission, out: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="mcds-upgrade-") as folder:
        package = write_csv_package(sub, Path(folder) / "package")
        return write_zip(out, [(file.name, file.read_bytes()) for file in sorted(package.iterdir())])


def write_form(sub: Submission, out: Path, form: str) -> Path:
    out = Path(out)
    if form == "zip":
        return _write_zip(sub, out)
    if form == "xlsx":
        from mcds.workbook import write_workbook

        return write_workbook(sub, out)
    if form == "json":
        from mcds.submission import write_json

        return write_json(sub, out)
    return write_csv_package(sub, out)
