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


def read_any(path: Path) -> Submission:
    """Read a submission in any of the standard's forms, told by its content as the validator tells it
    (:func:`mcds.readers.detect_form`), whatever its name ends with."""
    from mcds.readers import detect_form

    path = Path(path)
    form = detect_form(path)  # also says when there is nothing at ``path``
    if form == "xlsx":
        from mcds.workbook import read_workbook

        return read_workbook(path)
    if form == "zip":
        from mcds.safety import extracted_zip

        # checked first (members that leave the folder or clash, symbolic links, ZIP bombs); removed after
        with extracted_zip(path) as folder:
            found = sorted(folder.rglob("datapackage.json"), key=lambda p: len(p.parts))
            if not found:
                raise InputError(path, "no datapackage.json in this zip file")
            return read_submission(found[0].parent)
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
