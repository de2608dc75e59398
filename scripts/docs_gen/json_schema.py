"""The JSON Schema of a submission (``submission.schema.json``) as a page to browse: the submission
object, then one section per definition (the metadata and each table) with every property's type,
whether it is required, and what it allows (pattern, format, codes, bounds)."""

from __future__ import annotations

import json
from typing import Any

from mcds import standard as std

from .markdown import DOWNLOADS, Links, code, find_field, header, md_table, rel

SHOWN_CODES = 12  # a longer enum is summarised, with a link to its codelist
DESCRIBED = ("title", "description", "type", "$ref", "items", "enum", "format", "pattern")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _ref_of(prop: dict[str, Any]) -> str:
    """The definition a property is, or is an array of ('' if neither)."""
    ref = prop.get("$ref") or (prop.get("items") if isinstance(prop.get("items"), dict) else {}).get("$ref")
    return _ref_name(ref) if ref else ""


def type_text(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = _ref_name(prop["$ref"])
        return f"object [{code(name)}](#{name})"
    typ = prop.get("type", "")
    text = " or ".join(code(t) for t in typ) if isinstance(typ, list) else code(typ) if typ else "any"
    items = prop.get("items")
    if isinstance(items, dict):
        text += " of " + type_text(items)
    if prop.get("format"):
        text += f", format {code(prop['format'])}"
    return text


def _json(value: Any) -> str:
    return code(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def allowed_text(prop: dict[str, Any], codelist_link: str = "") -> str:
    """What a property allows beyond its type: its pattern, codes and every other keyword."""
    parts = []
    if "pattern" in prop:
        parts.append(f"matches {code(prop['pattern'])}")
    if "enum" in prop:
        values = [v for v in prop["enum"] if v is not None]
        nulls = " (or `null`)" if None in prop["enum"] else ""
        if len(values) <= SHOWN_CODES:
            parts.append("one of " + ", ".join(_json(v) for v in values) + nulls)
        else:
            where = f" of the codelist {codelist_link}" if codelist_link else ""
            shown = ", ".join(_json(v) for v in values[:5])
            parts.append(f"one of {len(values)} codes{where} ({shown}, ...){nulls}")
    parts += [f"{code(k)}: {_json(v)}" for k, v in prop.items() if k not in DESCRIBED]
    items = prop.get("items")
    if isinstance(items, dict) and "$ref" not in items:
        inner = allowed_text(items, codelist_link)
        if inner:
            parts.append(f"each item {inner}")
    return "; ".join(parts)


def definition_section(s: std.Standard, name: str, d: dict[str, Any], page: str, links: Links) -> str:
    required = set(d.get("required", []))
    rows = []
    for prop_name, prop in d.get("properties", {}).items():
        f = find_field(s, name, prop_name)
        label = f"[{code(prop_name)}]({rel(page, links.field(f))})" if f else code(prop_name)
        codelist = f"[{f.codelist}]({rel(page, links.codelist(f.codelist))})" if f and f.codelist else ""
        rows.append([label, type_text(prop), "yes" if prop_name in required else "no", allowed_text(prop, codelist)])
    reference = links.page("metadata.md") if name == "metadata" else links.table(name) if name in s.tables else ""
    more = "No other property is allowed." if d.get("additionalProperties") is False else "Other properties are allowed."
    intro = f"**{d.get('title', name)}.** {d.get('description', '')}"
    if reference:
        intro += f" Its fields in full: [{d.get('title', name)}]({rel(page, reference)})."
    return (f"## {name} {{#{name}}}\n\n{intro}\n\nType {type_text(d)}. {more}\n\n"
            + md_table(["Property", "Type", "Required", "Allowed values"], rows) + "\n")


def json_schema_page(s: std.Standard, links: Links) -> str:
    page = links.page("json-schema.md")
    schema = s.read_json("submission.schema.json")
    required = set(schema.get("required", []))
    defs = schema.get("$defs", {})
    top = []
    for name, prop in schema.get("properties", {}).items():
        ref = _ref_of(prop)
        top.append([f"[{code(name)}](#{ref})" if ref in defs else code(name), type_text(prop),
                    "yes" if name in required else "no", prop.get("description") or defs.get(ref, {}).get("description", "")])
    download = rel(page, f"{DOWNLOADS}/{s.version}/submission.schema.json")
    parts = [
        header(f"standard/{s.version}/submission.schema.json"),
        "# JSON Schema of a submission\n\n",
        f"{schema.get('title', '')}. {schema.get('description', '')}\n\n",
        f"- Download: [submission.schema.json]({download})\n",
        f"- Its permanent address (`$id`): {code(schema.get('$id', ''))}\n",
        f"- JSON Schema dialect: {code(schema.get('$schema', ''))}\n\n",
        "## The submission {#submission}\n\n",
        "A submission is one JSON object. "
        + ("No other property is allowed." if schema.get("additionalProperties") is False else "") + "\n\n",
        md_table(["Property", "Type", "Required", "What it is"], top), "\n",
    ]
    parts += [definition_section(s, name, d, page, links) for name, d in schema.get("$defs", {}).items()]
    return "".join(parts)
