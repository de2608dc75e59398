"""Reference pages for the tables and the submission metadata."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from mcds import catalogue as cat
from mcds import forms
from mcds import standard as std

from .guidance import source_cell
from .indicators import indicators_rows
from .markdown import Links, code, find_field, header, md_table, rel
from .versions import deprecated_text, field_added, field_changed


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
    """The version's committed JSON Schema (a released version's never changes, whatever the generator does now)."""
    return std.load(version).read_json("submission.schema.json")


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


def example_text(f: std.Field) -> str:
    """The field's ``example`` as it is written in a CSV cell (JSON for anything but text)."""
    if "example" not in f.descriptor:
        return ""
    value = f.descriptor["example"]
    if isinstance(value, list):
        value = f.descriptor.get("delimiter", ";").join(map(str, value))
    return code(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def replacement(s: std.Standard, f: std.Field, page: str, links: Links) -> str:
    """A link to the field that replaces a deprecated one (``1.1; use TABLE.FIELD`` or ``use FIELD``)."""
    m = re.search(r"\buse ([a-z_]+)(?:\.([a-z_]+))?", f.deprecated)
    if not m:
        return ""
    table, name = (m[1], m[2]) if m[2] else (f.table, m[1])
    target = find_field(s, table, name)
    return f" See [{code(table + '.' + name)}]({rel(page, links.field(target))})." if target else ""


def field_section(s: std.Standard, f: std.Field, links: Links, issue_index: dict[tuple[str, str], list[str]]) -> str:
    page = links.field(f).partition("#")[0]
    rows: list[list[object]] = [
        ["Name", code(f.name)],
        ["Title", f.title],
        ["Type", type_text(f)],
        ["Required", "yes" if f.required else "no"],
        ["Constraints", constraints_text(f)],
        ["In the JSON form", json_form_text(s, f)],
    ]
    if example_text(f):
        rows.insert(2, ["Example", example_text(f)])
    if f.codelist:
        key = f" (its {code(f.codelist_key)} column)" if f.codelist_key != "code" else ""
        rows.append(["Codelist", f"[{f.codelist}]({rel(page, links.codelist(f.codelist))}){key}"])
    if f.descriptor.get("source"):
        rows.append(["Source", "; ".join(source_cell(x.strip()) for x in str(f.descriptor["source"]).split(";"))])
    rows.append(["Sensitivity", f"{sensitivity_title(s, f.sensitivity)} ({code(f.sensitivity)})"])
    rows.append(["Version added", field_added(f)])
    if field_changed(f):
        rows.append(["Changed in", field_changed(f)])
    if f.deprecated:
        rows.append(["Deprecated", f"**{deprecated_text(f.deprecated)}**"])
    codes = issue_index.get((f.table, f.name), [])
    if codes:
        rows.append(["Rules about it", ", ".join(f"[{c}]({rel(page, links.issue(c))})" for c in codes)])
    users = [r["id"] for r in indicators_rows(s) if f"{f.table}.{f.name}" in r.get("sources", "").split(";")]
    if users:
        rows.append(["Indicators built on it", ", ".join(f"[{i}]({rel(page, links.indicator(i))})" for i in users)])
    warning = (f'!!! warning "{deprecated_text(f.deprecated)}"\n    Still valid, but the validator warns when it is used '
               f"(it is removed in the next major version).{replacement(s, f, page, links)}\n\n") if f.deprecated else ""
    return (f"## {f.name} {{#{f.name}}}\n\n{warning}**{f.title}.** {f.description}\n\n"
            + md_table(["Property", "Value"], rows) + "\n")


def status_note(f: std.Field) -> str:
    """What the fields' summary says about a field's version: deprecated, or added after the first version."""
    if f.deprecated:
        return f" (deprecated in {f.deprecated.split(';')[0].strip()})"
    added = field_added(f)
    return f" (added in {added})" if added and added != std.supported_versions()[0] else ""


def fields_summary(fields: tuple[std.Field, ...], page: str, links: Links) -> str:
    """One row per field. The codelist goes with the type, so that the table fits beside the page's
    contents on a laptop's screen."""
    rows = [[f"[{code(f.name)}](#{f.name})", f.title + status_note(f),
             code(f.type) + (f", codes: [{f.codelist}]({rel(page, links.codelist(f.codelist))})" if f.codelist else ""),
             "yes" if f.required else "no"] for f in fields]
    return md_table(["Field", "Title", "Type", "Required"], rows)


def table_page(s: std.Standard, t: std.Table, issue_index: dict[tuple[str, str], list[str]], links: Links) -> str:
    page = links.table(t.name)
    keys = [f"**Primary key:** {', '.join(code(k) for k in t.primary_key) or 'none'}"]
    for fk in t.foreign_keys:
        ref = fk.get("reference", {})
        ref_table = ref.get("resource") or t.name
        fields_ = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref_fields = ref.get("fields", [])
        ref_fields = ref_fields if isinstance(ref_fields, list) else [ref_fields]
        keys.append(f"**Foreign key:** {', '.join(code(x) for x in fields_)} refers to "
                    f"{', '.join(code(x) for x in ref_fields)} of [{ref_table}]({rel(page, links.table(ref_table))})")
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
        f"## Fields\n\n{fields_summary(t.fields, page, links)}\n",
        *(field_section(s, f, links, issue_index) for f in t.fields),
    ]
    return "".join(body)


def metadata_page(s: std.Standard, issue_index: dict[tuple[str, str], list[str]], links: Links) -> str:
    page = links.page("metadata.md")
    return "".join([
        header(f"standard/{s.version}/metadata.json"),
        f"# Submission metadata\n\n{s.metadata_description}\n\n",
        f"## Fields\n\n{fields_summary(s.metadata_fields, page, links)}\n",
        *(field_section(s, f, links, issue_index) for f in s.metadata_fields),
    ])
