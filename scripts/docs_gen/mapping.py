"""The mapping file's keys for people, from its JSON Schema (``mcds mapping schema``): nothing typed here.

Each object of the schema (the file, ``council``, a source, a table, ``when``, a field) is a section
with a row per key: what it is (the schema's description), its type and default, and an example (the
schema's first example), written as it would be in YAML.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml

from .markdown import code, md_table

# Where each object of the schema sits in a mapping file, as its keys are written in the reference,
# and what one is called.
PLACES = {"": "", "Council": "council.", "Source": "sources[].", "TableMap": "sources[].tables.TABLE.",
          "When": "sources[].tables.TABLE.when.", "FieldMap": "sources[].tables.TABLE.fields.FIELD."}
NAMES = {"Council": "the council", "Source": "a source", "TableMap": "a table", "When": "a condition",
         "FieldMap": "a field's map"}


def anchor(name: str) -> str:
    return "mapping-" + (name.lower() or "file")


def mapping_schema() -> dict[str, Any]:
    from mcds.convert.mapped import Mapping

    return Mapping.model_json_schema()


def _ref(schema: dict[str, Any]) -> str | None:
    return schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None


def _kinds(schema: dict[str, Any], *, top: bool = False) -> list[str]:
    """The kinds of value a key takes, in words (at the top, without `null`: a key left out)."""
    if "anyOf" in schema:
        kinds = [k for alt in schema["anyOf"] for k in _kinds(alt)]
        return [k for k in kinds if not (top and k == "`null`")]
    ref = _ref(schema)
    if ref:
        return [f"[{NAMES[ref]}](#{anchor(ref)})"]
    if "const" in schema:
        return [code(json.dumps(schema["const"]))]
    kind = schema.get("type")
    if kind == "array":
        return [f"list of {' or '.join(_kinds(schema.get('items', {})))}"]
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return [f"map of {' or '.join(_kinds(schema['additionalProperties']))}"]
    return {"string": ["text"], "integer": ["whole number"], "boolean": ["`true` or `false`"], "null": ["`null`"],
            "object": ["object"]}.get(str(kind), [str(kind)])


def _yaml(key: str, value: Any) -> str:
    """``key: value`` as one line of YAML (flow style)."""
    text = yaml.safe_dump({key: value}, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10**6)
    return text.strip()[1:-1]


def objects(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(name in $defs, or "" for the file itself; its schema; what the key that holds it says), in file order."""
    defs = schema.get("$defs", {})
    seen: set[str] = set()

    def walk(name: str, obj: dict[str, Any], said: str) -> Iterator[tuple[str, dict[str, Any], str]]:
        seen.add(name)
        yield name, obj, said
        for prop in obj.get("properties", {}).values():
            for inner in _nested(prop):
                ref = _ref(inner)
                if ref and ref not in seen:
                    yield from walk(ref, defs[ref], prop.get("description", ""))

    yield from walk("", schema, "")


def _nested(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every sub-schema that may hold an object: alternatives, list items, map values."""
    yield schema
    for alt in schema.get("anyOf", []):
        yield from _nested(alt)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _nested(schema[key])


def keys(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    """(the key's path in a mapping file, its schema, whether it is required) for every key."""
    return [(PLACES[name] + key, prop, key in obj.get("required", []))
            for name, obj, _ in objects(schema) for key, prop in obj.get("properties", {}).items()]


def mapping_reference(page: str) -> str:
    schema = mapping_schema()
    parts = []
    for name, obj, said in objects(schema):
        place = PLACES[name]
        title = f"`{place.rstrip('.')}`" if place else "The file"
        intro = obj.get("description") or said
        rows = []
        for key, prop in obj.get("properties", {}).items():
            kinds = " or ".join(dict.fromkeys(_kinds(prop, top=True)))
            if key in obj.get("required", []):
                kinds += "; required"
            elif "default" in prop and not isinstance(prop["default"], dict | list | None):
                kinds += f"; default {code(json.dumps(prop['default']))}"
            shorthand = [alt for alt in prop.get("additionalProperties", {}).get("anyOf", []) if alt.get("description")]
            what = prop.get("description", "")
            for alt in shorthand:  # a field given as just its column's name
                what += f" A field given as text: {alt['description'][:1].lower()}{alt['description'][1:]}"
            example = prop.get("examples", [None])[0]
            rows.append([code(key), what, kinds, code(_yaml(key, example)) if "examples" in prop else ""])
        parts.append(f"### {title} {{#{anchor(name)}}}\n\n" + (f"{intro}\n\n" if intro else "")
                     + md_table(["Key", "What it is", "Takes", "Example"], rows))
    return "\n".join(parts) + "\nGenerated from the mapping's JSON Schema (`mcds mapping schema`).\n"
