"""Reference pages for the tables and the submission metadata."""

from __future__ import annotations

import functools
import json
from typing import Any

from mcds import catalogue as cat
from mcds import forms
from mcds import generate as gen
from mcds import standard as std

from .indicators import indicators_rows
from .markdown import LINKS, REFERENCE, code, header, md_table, rel


def sensitivity_title(s: std.Standard, value: str) -> str:
    cl = s.codelists.get("sensitivity")
    return cl.by_code[value].title if cl and value in cl.by_code else value


def type_text(f: std.Field) -> str:
    d = f.descriptor
    text = code(f.type)
    if d.get("format") and d["format"] != "default":
        text += f", format {code(d['format'])}"
    if f.is_list:
        text += f" of {code(d.get('itemType', 'string'))}, separated by {code(d.get('delimiter', ';'))}"
    return text


def constraints_text(f: std.Field) -> str:
    parts = [f"{code(k)}: {code(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))}"
             for k, v in f.constraints.items() if k != "required"]
    return "; ".join(parts) or "none"


def issues_by_field(version: str) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for it in cat.catalogue(version).values():
        for t in it.tables:
            for fname in it.fields:
                if t != "*" and fname != "*":
                    out.setdefault((t, fname), []).append(it.code)
    return out


@functools.cache
def _json_schema(version: str) -> dict[str, Any]:
    return gen.json_schema(std.load(version))


def json_form_text(s: std.Standard, f: std.Field) -> str:
    """How the JSON Schema of the JSON form describes the field (its type, format or pattern; codes aside)."""
    d = _json_schema(s.version)["$defs"].get(f.table, {}).get("properties", {}).get(f.name, {})
    typ = d.get("type", "")
    text = " or ".join(code(t) for t in typ) if isinstance(typ, list) else code(typ)
    if typ == "array" or "array" in typ:
        text += f" of {code(d.get('items', {}).get('type', ''))}"
    if d.get("format"):
        text += f", format {code(d['format'])}"
    if d.get("pattern"):
        text += f", matching {code(d['pattern'])}"
    return text


def field_section(s: std.Standard, f: std.Field, page: str, issue_index: dict[tuple[str, str], list[str]]) -> str:
    rows: list[list[object]] = [
        ["Name", code(f.name)],
        ["Title", f.title],
        ["Type", type_text(f)],
        ["Required", "yes" if f.required else "no"],
        ["Constraints", constraints_text(f)],
        ["In the JSON form", json_form_text(s, f)],
    ]
    if f.codelist:
        key = f" (its {code(f.codelist_key)} column)" if f.codelist_key != "code" else ""
        rows.append(["Codelist", f"[{f.codelist}]({rel(page, LINKS.codelist(f.codelist))}){key}"])
    rows.append(["Sensitivity", f"{sensitivity_title(s, f.sensitivity)} ({code(f.sensitivity)})"])
    rows.append(["Version added", f.version_added or "1.0"])
    if f.deprecated:
        rows.append(["Deprecated", f.deprecated])
    codes = issue_index.get((f.table, f.name), [])
    if codes:
        rows.append(["Rules about it", ", ".join(f"[{c}]({rel(page, LINKS.issue(c))})" for c in codes)])
    users = [r["id"] for r in indicators_rows(s) if f"{f.table}.{f.name}" in r.get("sources", "").split(";")]
    if users:
        rows.append(["Indicators built on it", ", ".join(f"[{i}]({rel(page, LINKS.indicator(i))})" for i in users)])
    return (f"## {f.name} {{#{f.name}}}\n\n**{f.title}.** {f.description}\n\n"
            + md_table(["Property", "Value"], rows) + "\n")


def fields_summary(fields: tuple[std.Field, ...], page: str) -> str:
    rows = [[f"[{code(f.name)}](#{f.name})", f.title, code(f.type), "yes" if f.required else "no",
             f"[{f.codelist}]({rel(page, LINKS.codelist(f.codelist))})" if f.codelist else ""] for f in fields]
    return md_table(["Field", "Title", "Type", "Required", "Codelist"], rows)


def table_page(s: std.Standard, t: std.Table, issue_index: dict[tuple[str, str], list[str]]) -> str:
    page = LINKS.table(t.name)
    keys = [f"**Primary key:** {', '.join(code(k) for k in t.primary_key) or 'none'}"]
    for fk in t.foreign_keys:
        ref = fk.get("reference", {})
        ref_table = ref.get("resource") or t.name
        fields_ = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref_fields = ref.get("fields", [])
        ref_fields = ref_fields if isinstance(ref_fields, list) else [ref_fields]
        keys.append(f"**Foreign key:** {', '.join(code(x) for x in fields_)} refers to "
                    f"{', '.join(code(x) for x in ref_fields)} of [{ref_table}]({rel(page, LINKS.table(ref_table))})")
    where = md_table(["Form", "Where this table goes"], [
        ["CSV package", f"the file {code(t.name + '.csv')}, header row of field names"],
        ["Workbook (XLSX)", f"the sheet {code(forms.sheet_name(t))}, row 1 holds the fields' titles or names"],
        ["JSON", f"the array {code(t.name)}, one object per row"],
    ])
    body = [
        header(f"standard/{s.version}/schemas/{t.name}.json"),
        f"# {t.title} ({code(t.name)})\n\n{t.description}\n\n",
        "\n\n".join(keys) + "\n\n",
        where + "\n",
        f"## Fields\n\n{fields_summary(t.fields, page)}\n",
        *(field_section(s, f, page, issue_index) for f in t.fields),
    ]
    return "".join(body)


def metadata_page(s: std.Standard, issue_index: dict[tuple[str, str], list[str]]) -> str:
    page = f"{REFERENCE}/metadata.md"
    return "".join([
        header(f"standard/{s.version}/metadata.json"),
        f"# Submission metadata\n\n{s.metadata_description}\n\n",
        f"## Fields\n\n{fields_summary(s.metadata_fields, page)}\n",
        *(field_section(s, f, page, issue_index) for f in s.metadata_fields),
    ])
