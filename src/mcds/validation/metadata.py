"""The submission's metadata: matched to the standard's metadata fields and checked by the same SQL
as the tables' cells (a one-row table), with locations in the user's own file."""

from __future__ import annotations

import duckdb

from mcds import standard as std
from mcds.issues import Location
from mcds.readers.base import RawMetadata

__all__ = ["METADATA_RELATION", "load_metadata", "metadata_location", "metadata_table", "metadata_values"]

METADATA_RELATION = "_raw_metadata"


def _norm(text: object) -> str:
    return " ".join(str(text or "").replace("_", " ").split()).casefold()


def metadata_table(s: std.Standard) -> std.Table:
    """The metadata fields as a table, so that cell checks apply to them unchanged."""
    return std.Table(name="metadata", title="Metadata", description=s.metadata_description,
                     fields=s.metadata_fields, primary_key=(), foreign_keys=(), descriptor={})


def metadata_values(meta: RawMetadata, s: std.Standard, by_title: bool) -> tuple[dict[str, str | None], dict[str, str]]:
    """Field name -> value, and field name -> the key the user wrote."""
    out: dict[str, str | None] = {}
    keys: dict[str, str] = {}
    for f in s.metadata_fields:
        for k, v in meta.values.items():
            if k == f.name or (by_title and _norm(k) in (_norm(f.name), _norm(f.title))):
                out[f.name], keys[f.name] = v, k
                break
    return out, keys


def load_metadata(con: duckdb.DuckDBPyConnection, meta: RawMetadata, s: std.Standard, *, by_title: bool) -> dict[str, str]:
    """Load the metadata as the one-row raw table; return field name -> the key the user wrote."""
    values, keys = metadata_values(meta, s, by_title)
    cols = ", ".join(f"c{i} VARCHAR" for i in range(1, len(s.metadata_fields) + 1))
    con.execute(f"CREATE OR REPLACE TABLE {METADATA_RELATION} (_row INTEGER, {cols})")
    con.execute(f"INSERT INTO {METADATA_RELATION} VALUES (0, {', '.join('?' * len(s.metadata_fields))})",
                [values.get(f.name) if values.get(f.name) not in ("",) else None for f in s.metadata_fields])
    return keys


def metadata_location(meta: RawMetadata, keys: dict[str, str], field: str | None) -> Location:
    row = meta.rows.get(keys.get(field or "", ""))
    return Location(table="metadata", file=meta.file, sheet=meta.sheet if meta.present else None, row=row,
                    column=meta.column if row else None, field=field)
