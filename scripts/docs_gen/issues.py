"""The issue catalogue page, with an example of each issue from the conformance suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mcds import catalogue as cat
from mcds import standard as std

from .guidance import guidance_links
from .indicators import _severity_sentence, placeholders
from .markdown import Links, code, fenced, header, md_table, rel


def conformance_cases(s: std.Standard) -> list[tuple[str, dict[str, Any], Path | None]]:
    root = s.root / "conformance"
    cases = []
    if root.is_dir():
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            expected = entry / "expected.json"
            if entry.is_dir() and expected.is_file():
                path = Path(str(entry)) if Path(str(entry)).is_dir() else None
                cases.append((entry.name, json.loads(expected.read_text(encoding="utf-8")), path))
    return cases


def example_for(code_: str, cases: list[tuple[str, dict[str, Any], Path | None]]) -> str:
    """An example from the conformance suite: the case that shows this code with the fewest other issues."""
    hits = [(len(exp.get("issues", [])), name, exp, path) for name, exp, path in cases
            if any(i[0] == code_ for i in exp.get("issues", []))]
    if not hits:
        return ""
    _, name, exp, path = min(hits, key=lambda h: (h[0], h[1]))
    mine = [i for i in exp["issues"] if i[0] == code_]
    out = [f"**Example** (conformance case {code(name)}): {exp.get('description', '')}\n\n"]
    table = mine[0][1] if len(mine[0]) > 1 else None
    shown = _input_excerpt(path, table) if path else None
    if shown:
        fname, text = shown
        lang = "csv" if fname.endswith(".csv") else ""
        rows = sorted({i[2] for i in mine if len(i) > 2 and isinstance(i[2], int) and Path(fname).stem == i[1]})
        if lang and rows:  # the rows the issues are about, as the user counts them (header = row 1)
            lang += ' hl_lines="' + " ".join(str(r) for r in rows) + '"'
        out.append(f"In {code(fname)}:\n\n{fenced(text, lang)}\n")
    out.append(md_table(["Code", "Table", "Row", "Field"],
                        [[code(i[0]), *(code(x) if x is not None else "" for x in i[1:4])] for i in mine]))
    return "".join(out) + "\n"


def _input_excerpt(case: Path, table: str | None) -> tuple[str, str] | None:
    """The small CSV file of the table an issue is in, if the case's input has one."""
    inp = case / "input"
    candidates = sorted(inp.rglob(f"{table}.csv")) if table and inp.is_dir() else []
    if not candidates and inp.is_dir():
        candidates = sorted(p for p in inp.rglob("*")
                            if p.is_file() and p.suffix in (".csv", ".json") and p.stat().st_size < 1500)
    for p in candidates:
        text = p.read_text(encoding="utf-8", errors="replace")
        if len(text.splitlines()) <= 15 and len(text) < 2500:
            return str(p.relative_to(inp)), text
    return None


def issues_page(s: std.Standard, links: Links) -> str:
    page = links.page("issues.md")
    issues = cat.catalogue(s.version)
    cases = conformance_cases(s)
    summary = md_table(["Code", "Severity", "Title"],
                       [[f"[{code(c)}](#{c})", it.severity.value, it.title] for c, it in issues.items()])
    sections = []
    for c, it in issues.items():
        where = []
        for t in it.tables:
            if t == "*":
                where.append("any table")
            elif t == "metadata":
                where.append(f"[metadata]({rel(page, links.page('metadata.md'))})")
            elif t in s.tables:
                where.append(f"[{t}]({rel(page, links.table(t))})")
            else:
                where.append(code(t))
        fields_ = ", ".join("any field" if f == "*" else code(f) for f in it.fields) or "none"
        rows = [["Severity", it.severity.value], ["Category", it.category],
                ["Message", code(it.message)], ["Tables", ", ".join(where) or "none"], ["Fields", fields_]]
        if guidance_links(f"{it.title} {it.guidance}"):
            rows.append(["Guidance", guidance_links(f"{it.title} {it.guidance}")])
        text = [f"## {c} {{#{c}}}\n\n**{it.title}.** {_severity_sentence(it.severity.value)}\n\n",
                md_table(["Property", "Value"], rows), f"\n**How to fix it:** {placeholders(it.guidance)}\n\n",
                example_for(c, cases)]
        sql = it.sql(s.version) if it.rule else None
        if sql:
            text.append(f"**The rule** ({code(it.rule)}), portable SQL that returns the offending rows:\n\n"
                        f"{fenced(sql, 'sql')}\n")
        sections.append("".join(text))
    return "".join([
        header(f"standard/{s.version}/issues.csv and rules/"),
        "# Issue catalogue\n\n",
        f"Every issue `mcds validate` can report, {len(issues)} in all. Each has a stable code that is never "
        "reused. An **error** must be fixed. A **query** must be fixed or explained. A **warning** is advice. "
        "Rules written as SQL can run in any SQL database over the standard's tables.\n\n",
        summary, "\n", *sections,
    ])
