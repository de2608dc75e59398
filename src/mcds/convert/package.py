"""Between the standard's own forms: CSV package (folder or .zip), workbook (.xlsx) and JSON.

In memory a submission is text cells (:class:`mcds.submission.Submission`), so every form
converts into every other with nothing lost.
"""

from __future__ import annotations

from pathlib import Path

from mcds.errors import InputError
from mcds.submission import Submission, read_submission, write_csv_package, write_json

__all__ = ["FORMS", "form_of", "read_any", "write_any"]

FORMS = ("csv", "xlsx", "json")


def form_of(path: Path) -> str:
    """The form a path names: ``.json`` and ``.xlsx`` files, otherwise a CSV package folder."""
    suffix = Path(path).suffix.lower()
    return {".json": "json", ".xlsx": "xlsx"}.get(suffix, "csv")


def _check_widths(path: Path) -> None:
    """Refuse a CSV package one of whose files is wider than the validator reads, in its words
    (:func:`mcds.readers.csvpkg.header_of` applies :func:`mcds.safety.check_columns`)."""
    from mcds.readers.csvpkg import header_of, read_descriptor, resource_path

    folder = path if path.is_dir() else path.parent
    if not (folder / "datapackage.json").is_file():
        return  # read_submission says what is missing
    folder, dp, desc = read_descriptor(folder)
    for res in desc.get("resources", []):
        file = resource_path(folder, dp, res)
        if file.is_file():
            header_of(file)


def read_any(path: Path) -> Submission:
    """Read a submission in any of the standard's forms."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if path.is_file() and path.suffix.lower() == ".xlsx":
        from mcds.workbook import read_workbook

        return read_workbook(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        from mcds.safety import extracted_zip

        # checked first (members that leave the folder or clash, symbolic links, ZIP bombs); removed after
        with extracted_zip(path) as folder:
            found = sorted(folder.rglob("datapackage.json"), key=lambda p: len(p.parts))
            if not found:
                raise InputError(path, "no datapackage.json in this zip file")
            _check_widths(found[0].parent)
            return read_submission(found[0].parent)
    if path.is_dir() or path.name == "datapackage.json":
        _check_widths(path)
    return read_submission(path)


def write_any(sub: Submission, out: Path, form: str | None = None) -> Path:
    """Write a submission in the form ``form`` (by default the one ``out`` names)."""
    form = form or form_of(out)
    if form == "json":
        return write_json(sub, out)
    if form == "xlsx":
        from mcds.workbook import write_workbook

        return write_workbook(sub, out)
    return write_csv_package(sub, out)
