"""The indicator catalogue page and the report schema page."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

from mcds import standard as std

from .markdown import DOWNLOADS, Links, code, fenced, header, md_table, rel
from .versions import deprecated_text, earliest


def placeholders(text: str) -> str:
    """Guidance with its message placeholders ({reference}) shown as code, not left as braces."""
    return re.sub(r"\{(\w+)\}", lambda m: code("{" + m[1] + "}"), text)


def _severity_sentence(severity: str) -> str:
    return {"error": "An error: the data is not valid until you fix it.",
            "query": "A query: fix it, or explain it with `mcds validate --explanations`.",
            "warning": "A warning: advice, the data stays valid."}.get(severity, severity)


def indicators_rows(s: std.Standard) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(s.read_text("indicators.csv"))))


def source_link(s: std.Standard, source: str, page: str, links: Links) -> str:
    """``table`` or ``table.field`` as a link to its reference, when the standard has it."""
    table, _, name = source.partition(".")
    if table in s.tables and (not name or name in s.tables[table].field_names):
        target = links.table(table) + (f"#{name}" if name else "")
        return f"[{code(source)}]({rel(page, target)})"
    return code(source)


def indicator_added(id_: str) -> str:
    """The first version whose indicator catalogue holds the indicator."""
    return earliest(lambda s: any(r["id"] == id_ for r in indicators_rows(s)))


def indicators_page(s: std.Standard, links: Links) -> str:
    page = links.page("indicators.md")
    rows = indicators_rows(s)
    parts = [header(f"standard/{s.version}/indicators.csv"), "# Indicator catalogue\n\n",
             "The statistics the standard defines. Every council computes each figure the same way, so figures "
             "can be compared and added up. `mcds stats` computes them and writes them in the Explore Education "
             "Statistics format.\n\n"]
    if not rows:
        parts.append("No indicators are defined in this version yet.\n")
        return "".join(parts)
    parts.append(md_table(["Indicator", "Label", "Unit"], [
        [f"[{code(r['id'])}](#{r['id']})", r["label"] + (f" (deprecated in {r['deprecated'].split(';')[0].strip()})"
                                                         if r.get("deprecated") else ""), r["unit"]]
        for r in rows]) + "\n")
    ids = {r["id"] for r in rows}
    for r in rows:
        def link(x: str) -> str:
            return f"[{code(x)}](#{x})" if x in ids else code(x)

        props = [["Label", r["label"]], ["Unit", r["unit"]], ["Decimal places", r.get("decimal_places", "")],
                 ["Version added", indicator_added(r["id"])]]
        warning = ""
        if r.get("deprecated"):
            props.append(["Deprecated", f"**{deprecated_text(r['deprecated'])}**"])
            instead = re.search(r"\buse (\w+)", r["deprecated"])
            see = f" See {link(instead[1])}." if instead and instead[1] in ids else ""
            warning = (f'!!! warning "{deprecated_text(r["deprecated"])}"\n    Still computed and published until the '
                       f"next major version, so that a series keeps its earlier years.{see}\n\n")
        if r.get("numerator"):
            props.append(["Numerator", link(r["numerator"])])
        if r.get("denominator"):
            props.append(["Denominator", link(r["denominator"])])
        if r.get("sources"):
            props.append(["Needs", ", ".join(source_link(s, x, page, links) for x in r["sources"].split(";") if x)])
        parts.append(f"## {r['id']} {{#{r['id']}}}\n\n{warning}{r['definition']}\n\n"
                     + md_table(["Property", "Value"], props))
        if r.get("sql"):
            parts.append(f"\n**How it is computed** ({code(r['sql'])}):\n\n{fenced(s.read_text(r['sql']), 'sql')}")
        parts.append("\n")
    return "".join(parts)


def schema_rows(schema: dict[str, Any], prefix: str = "") -> Iterator[list[object]]:
    required = set(schema.get("required", []))
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        typ = sub.get("type", "enum" if "enum" in sub else "")
        typ = " or ".join(typ) if isinstance(typ, list) else typ
        if "enum" in sub:
            typ += " (" + ", ".join(code(v) for v in sub["enum"]) + ")"
        yield [code(path), typ, "yes" if name in required else "no", sub.get("description", "")]
        if sub.get("type") == "object":
            yield from schema_rows(sub, f"{path}.")
        if sub.get("type") == "array" and isinstance(sub.get("items"), dict):
            yield from schema_rows(sub["items"], f"{path}[].")


def report_schema_page(s: std.Standard, links: Links) -> str:
    page = links.page("report-schema.md")
    schema = s.read_json("report.schema.json")
    return "".join([
        header(f"standard/{s.version}/report.schema.json"),
        f"# {schema.get('title', 'Report')} (JSON)\n\n{schema.get('description', '')}\n\n",
        f"Its JSON Schema: [report.schema.json]({rel(page, f'{DOWNLOADS}/{s.version}/report.schema.json')}) "
        f"(`$id` {code(schema.get('$id', ''))}).\n\n",
        "## Properties\n\n", md_table(["Property", "Type", "Required", "Meaning"], list(schema_rows(schema))),
        "\n## The schema\n\n", fenced(json.dumps(schema, indent=2, ensure_ascii=False), "json"),
    ])
