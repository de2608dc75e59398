"""A submission in memory, and its CSV-package and JSON forms.

In memory every cell is the text it has in the CSV form (``None`` when empty), so the
forms convert into one another with nothing lost. The JSON form types the values from
the Table Schema: booleans, integers, arrays for list fields, ``null`` for empty.

Writers are atomic and never write over what they did not write: see :mod:`mcds.writing`.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcds import standard as std
from mcds.derive import datapackage, dumps
from mcds.forms import excel_safe
from mcds.writing import atomic_files, atomic_path, guard_output

__all__ = [
    "Submission",
    "atomic_files",
    "atomic_path",
    "from_json_document",
    "guard_output",
    "read_csv_package",
    "to_json_document",
    "write_csv_package",
    "write_json",
]

Row = dict[str, str | None]
TRUE = ("true", "True", "TRUE", "1")
FALSE = ("false", "False", "FALSE", "0")


@dataclass
class Submission:
    metadata: dict[str, str | None]
    tables: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.metadata.get("standard_version") or std.current_version()

    @property
    def standard(self) -> std.Standard:
        return std.load(self.version)

    def rows(self, table: str) -> list[Row]:
        return self.tables.setdefault(table, [])


# ---------------------------------------------------------------- CSV package


def descriptor(sub: Submission) -> dict[str, Any]:
    """The datapackage.json of a submission: the standard's resources plus its metadata."""
    s = sub.standard
    d = datapackage(s)
    d.pop("mcdsMetadata")
    d["name"] = f"mcds-{sub.metadata.get('old_la_code') or 'council'}-{(sub.metadata.get('period_end') or '')[:4]}"
    d["title"] = f"{s.about['title']} submission"
    d["created"] = sub.metadata.get("created")
    d["mcds"] = {f.name: sub.metadata.get(f.name) for f in s.metadata_fields if sub.metadata.get(f.name) is not None}
    return d


def write_csv_package(sub: Submission, out_dir: Path) -> Path:
    """Write ``out_dir/datapackage.json`` and one CSV file per table (UTF-8, LF, header row)."""
    s = sub.standard
    with atomic_path(Path(out_dir), directory=True) as tmp:
        (tmp / "datapackage.json").write_text(dumps(descriptor(sub)), encoding="utf-8")
        for t in s.tables.values():
            with open(tmp / f"{t.name}.csv", "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(t.field_names)
                for row in sub.tables.get(t.name, []):
                    w.writerow(["" if row.get(n) is None else excel_safe(row[n]) for n in t.field_names])
    return Path(out_dir)


def read_csv_package(path: Path) -> Submission:
    """Read a CSV package written in the standard's layout (no checks: see ``mcds.validate``)."""
    from mcds.errors import InputError
    from mcds.readers.csvpkg import header_of, read_descriptor, resource_path
    from mcds.safety import MEMORY_FACTOR_IN_PYTHON, check_fits_in_memory, csv_field_limit, detect_encoding

    csv_field_limit()
    path = Path(path)
    folder, dp, desc = read_descriptor(path.parent if path.is_file() else path)
    meta = {k: _text(v) for k, v in (desc.get("mcds") or {}).items()}
    check_version(dp, meta.get("standard_version"))
    sub = Submission(meta)
    # every resource path checked before any is read: nothing outside the package, nothing fetched
    files = [(res, resource_path(folder, dp, res)) for res in desc.get("resources", [])]
    check_fits_in_memory([f for _, f in files if f.is_file()] or [dp], MEMORY_FACTOR_IN_PYTHON, name=folder)
    for _, file in files:  # a file wider than the readers read is refused before any rows, in their words
        if file.is_file():
            header_of(file)
    for res, file in files:
        with open(file, newline="", encoding=detect_encoding(file)) as fh:
            reader = csv.DictReader(fh)
            rows = []
            try:
                for r in reader:
                    if None in r:  # more cells than the header: nothing may be lost
                        raise InputError(file, "this row has more cells than the header; run `mcds validate` "
                                               "and correct it", where=f"line {reader.line_num}")
                    rows.append({k: (v if v != "" else None) for k, v in r.items()})
            except csv.Error as exc:
                raise InputError(file, f"not readable as CSV ({exc})", where=f"line {reader.reader.line_num}") from None
            sub.tables[res["name"]] = rows
    return sub


def json_value_text(v: Any) -> str | None:
    """A JSON value as the text of a CSV cell (``None`` for null or empty)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v)
    text = str(v)
    return text if text != "" else None


_text = json_value_text


# ---------------------------------------------------------------- JSON form


def _typed(f: std.Field, text: str | None) -> Any:
    if text is None or text == "":
        return None
    if f.type == "boolean":
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        return text
    if f.type == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if f.type == "list":
        return [p for p in text.split(f.descriptor.get("delimiter", ";")) if p]
    return text


def to_json_document(sub: Submission) -> dict[str, Any]:
    s = sub.standard
    doc: dict[str, Any] = {
        "metadata": {f.name: _typed(f, sub.metadata.get(f.name)) for f in s.metadata_fields
                     if sub.metadata.get(f.name) is not None},
    }
    for t in s.tables.values():
        doc[t.name] = [
            {f.name: _typed(f, row.get(f.name)) for f in t.fields} for row in sub.tables.get(t.name, [])
        ]
    return doc


def from_json_document(doc: dict[str, Any]) -> Submission:
    meta = {k: _text(v) for k, v in (doc.get("metadata") or {}).items()}
    sub = Submission(meta)
    for t in sub.standard.tables.values():
        sub.tables[t.name] = [{k: _text(v) for k, v in row.items()} for row in doc.get(t.name, [])]
    return sub


def write_json(sub: Submission, out: Path) -> Path:
    with atomic_path(Path(out)) as tmp:
        tmp.write_text(dumps(to_json_document(sub)), encoding="utf-8")
    return Path(out)


def read_json_form(path: Path) -> Submission:
    from mcds.safety import load_json

    doc = load_json(Path(path))  # repeated keys, NaN and runaway nesting refused; numbers kept as written
    if not isinstance(doc, dict):
        from mcds.errors import InputError

        raise InputError(path, "a submission in JSON form must be an object with metadata and tables")
    from mcds.errors import InputError

    if not isinstance(doc.get("metadata", {}), dict):
        raise InputError(path, "'metadata' must be an object", where="/metadata")
    for key, records in doc.items():
        if key != "metadata" and (not isinstance(records, list) or not all(isinstance(r, dict) for r in records)):
            raise InputError(path, f"'{key[:100]}' must be an array of objects, one per row", where=f"/{key[:100]}")
    check_version(path, _text(doc.get("metadata", {}).get("standard_version")))
    return from_json_document(doc)


def check_version(path: Path, version: str | None) -> None:
    """Refuse a submission that says it follows a version of the standard this toolkit does not know."""
    if version and version not in std.supported_versions():
        from mcds.errors import InputError

        raise InputError(path, f"the data says it follows version '{version[:20]}' of the standard, which this toolkit "
                               f"does not support (supported: {', '.join(std.supported_versions())})")


def read_submission(path: Path) -> Submission:
    """Read a submission in any form this module knows, detected by content."""
    from mcds.errors import InputError

    path = Path(path)
    if path.is_dir() or path.name == "datapackage.json":
        folder = path if path.is_dir() else path.parent
        if not (folder / "datapackage.json").is_file():
            raise InputError(path, "no datapackage.json in this folder")
        try:
            return read_csv_package(folder)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError) as exc:
            raise InputError(path, f"not readable as a CSV package ({exc})") from None
    if not path.exists():
        raise InputError(path, "no such file or folder")
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return read_json_form(path)
    raise InputError(path, "not a submission this command can read (expected a CSV package folder or JSON form)")
