"""Derive files of a version of the standard from its sources (the library behind ``python -m mcds.generate``).

Sources (hand-edited): ``standard.json``, ``metadata.json``, ``schemas/*.json`` and
``codelists/*.csv``. Derived (generated, committed, never hand-edited):

- ``datapackage.json``: the Data Package descriptor, with each closed codelist written
  into its fields as an ``enum`` constraint;
- ``submission.schema.json``: the JSON Schema (2020-12) of the JSON form of a submission.

Run ``python -m mcds.generate`` after editing a source; ``--check`` exits 1 if a committed
derived file differs from a fresh generation (CI runs it through the test suite).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from mcds import standard as std

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"
YEARMONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def dumps(obj: Any) -> str:
    """The one JSON style of every generated file: 2-space indent, UTF-8, final newline."""
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def _table_field(s: std.Standard, f: std.Field) -> dict[str, Any]:
    d = copy.deepcopy(f.descriptor)
    codes = s.allowed_codes(f)
    if codes is not None and not f.is_list:
        d.setdefault("constraints", {})["enum"] = list(codes)
    return d


def table_schema(s: std.Standard, table: std.Table) -> dict[str, Any]:
    schema: dict[str, Any] = {"fields": [_table_field(s, f) for f in table.fields]}
    for key in ("missingValues", "primaryKey", "foreignKeys"):
        if key in table.descriptor:
            schema[key] = copy.deepcopy(table.descriptor[key])
    return schema


def datapackage(s: std.Standard) -> dict[str, Any]:
    about = s.about
    base = std.canonical_url()
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": about["name"],
        "title": about["title"],
        "description": about["description"],
        "version": s.version,
        "homepage": base,
        "licenses": about["licenses"],
        "mcdsMetadata": {
            "description": s.metadata_description,
            "fields": [_table_field(s, f) for f in s.metadata_fields],
        },
        "resources": [
            {
                "name": t.name,
                "type": "table",
                "path": f"{t.name}.csv",
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "title": t.title,
                "description": t.description,
                "schema": table_schema(s, t),
            }
            for t in s.tables.values()
        ],
    }


def _json_type(s: std.Standard, f: std.Field) -> dict[str, Any]:
    c = f.constraints
    out: dict[str, Any] = {"title": f.title, "description": f.description}
    if f.type == "list":
        item: dict[str, Any] = {"type": "string"}
        codes = s.allowed_codes(f)
        if codes is not None:
            item["enum"] = list(codes)
        out.update({"type": "array", "items": item, "uniqueItems": True})
        return out
    if f.type == "boolean":
        out["type"] = "boolean"
    elif f.type == "integer":
        out["type"] = "integer"
    elif f.type == "number":
        out["type"] = "number"
    else:
        out["type"] = "string"
        pattern = {"date": DATE_PATTERN, "time": TIME_PATTERN, "datetime": DATETIME_PATTERN,
                   "yearmonth": YEARMONTH_PATTERN}.get(f.type, c.get("pattern"))
        fmt = {"date": "date", "time": "time", "datetime": "date-time"}.get(f.type)
        if fmt:
            out["format"] = fmt
        if pattern:
            out["pattern"] = pattern
        codes = s.allowed_codes(f)
        if codes is not None:
            out["enum"] = list(codes)
    for key in ("minimum", "maximum", "minLength", "maxLength"):
        if key in c:
            out[key] = c[key]
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    t = schema["type"]
    schema["type"] = [t, "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _object(s: std.Standard, fields: tuple[std.Field, ...], title: str, description: str) -> dict[str, Any]:
    props = {}
    for f in fields:
        t = _json_type(s, f)
        props[f.name] = t if f.required else _nullable(t)
    return {
        "title": title,
        "description": description,
        "type": "object",
        "properties": props,
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }


def json_schema(s: std.Standard) -> dict[str, Any]:
    base = std.canonical_url()
    tables = {
        t.name: {
            "title": t.title,
            "description": t.description,
            "type": "array",
            "items": {"$ref": f"#/$defs/{t.name}"},
        }
        for t in s.tables.values()
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base}schema/{s.version}/submission.schema.json",
        "title": f"{s.about['title']} {s.version}: a submission in JSON form",
        "description": "One council's submission for one reporting period: the metadata and every table, "
        "each table an array of rows. Generated from the standard's Table Schemas and codelists; do not edit.",
        "type": "object",
        "properties": {
            "metadata": {"$ref": "#/$defs/metadata"},
            **tables,
        },
        "required": ["metadata", *s.tables],
        "additionalProperties": False,
        "$defs": {
            "metadata": _object(s, s.metadata_fields, "Metadata", s.metadata_description),
            **{t.name: _object(s, t.fields, t.title, t.description) for t in s.tables.values()},
        },
    }


def generated_files(version: str) -> dict[str, str]:
    """Relative path within the version folder -> the text it should hold."""
    s = std.load(version)
    return {
        "datapackage.json": dumps(datapackage(s)),
        "submission.schema.json": dumps(json_schema(s)),
    }
