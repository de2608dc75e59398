"""The JSON form: ``{"metadata": {...}, "<table>": [{...}, ...], ...}``.

Values are turned into the text they have in the CSV form (booleans ``true``/``false``, arrays
joined with ``;``), so every check is the same SQL as for the other forms. A record's row is its
position in its array plus one, as it would be in the CSV form (the first record is row 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from mcds.errors import InputError
from mcds.readers.base import RawMetadata, RawSubmission, RawTable, load_rows
from mcds.readers.csvpkg import _text

__all__ = ["read_json"]

METADATA_KEY = "metadata"


def read_json(path: Path, con: duckdb.DuckDBPyConnection, *, prefix: str = "_raw") -> RawSubmission:
    from mcds.safety import check_columns, load_json

    path = Path(path)
    doc = load_json(path)  # repeated keys, NaN and runaway nesting refused; numbers kept as written
    if not isinstance(doc, dict):
        raise InputError(path, "a submission in JSON form must be an object with metadata and one array per table")
    file = path.name
    meta = doc.get(METADATA_KEY)
    metadata = RawMetadata(
        values={k: _text(v) for k, v in meta.items()} if isinstance(meta, dict) else {},
        present=isinstance(meta, dict), file=file,
    )
    tables = []
    for n, (key, records) in enumerate(((k, v) for k, v in doc.items() if k != METADATA_KEY), start=1):
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise InputError(path, f"'{key}' must be an array of objects, one per row", where=f"/{key}")
        header: dict[str, None] = {}
        for r in records:
            for k in r:
                header.setdefault(k, None)
        names = list(header)
        check_columns(path, len(names), what=f"the table '{key[:100]}' (the keys of its records)", where=f"/{key[:100]}")
        relation = f"{prefix}_{n}"

        def rows(records: list[dict[str, Any]] = records, names: list[str] = names):  # type: ignore[no-untyped-def]
            for i, r in enumerate(records, start=2):
                yield i, [_text(r.get(k)) for k in names]

        load_rows(con, relation, len(names), rows())
        tables.append(RawTable(name=key, table=None, header=list(names), fields=[], relation=relation, file=file,
                               has_columns=False, kind="key"))
    return RawSubmission(form="json", source=str(path), metadata=metadata, tables=tables)
