"""Between the standard's own forms: CSV package (folder or .zip), workbook (.xlsx) and JSON.

In memory a submission is text cells (:class:`mcds.submission.Submission`), so every form
converts into every other with nothing lost.
"""

from __future__ import annotations

import tempfile
import zipfile
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
    """Read a submission in any of the standard's forms."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if path.is_file() and path.suffix.lower() == ".xlsx":
        from mcds.workbook import read_workbook

        return read_workbook(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        from mcds.safety import check_zip

        check_zip(path)  # members that leave the folder, symbolic links and ZIP bombs refused first
        try:
            with zipfile.ZipFile(path) as z, tempfile.TemporaryDirectory() as tmp:
                names = [n for n in z.namelist() if n.endswith("datapackage.json")]
                if not names:
                    raise InputError(path, "no datapackage.json in this zip file")
                inner = min(names, key=len)
                prefix = inner[: -len("datapackage.json")]
                for n in z.namelist():
                    if n.startswith(prefix) and not n.endswith("/") and ".." not in n:
                        target = Path(tmp) / n[len(prefix):]
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(z.read(n))
                return read_submission(Path(tmp))
        except zipfile.BadZipFile as exc:
            raise InputError(path, f"not a readable zip file ({exc})") from None
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
