"""Draft a mapping file from a council's export: match its headers to the standard's fields.

Each input file (or sheet) is given to the table whose fields its headers match best (by name
or title, fuzzy, with rapidfuzz). Matched fields name their column; fields with codes get a
value map of the values found in the data, filled in where a value is already a code or a
code's title. Everything the draft could not match is left as a clearly marked ``GAP``: the
draft is a start for a person to finish, never a guess passed off as a mapping.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from mcds import standard as std
from mcds.convert.mapped import _inputs, open_source

__all__ = ["draft_mapping", "match_headers"]

CUTOFF = 80
SAMPLE_ROWS = 2000
MAX_VALUES = 30


def _hints() -> dict:
    from mcds.convert.base import load_data

    return load_data("mapping_init")


def _norm(text: str) -> str:
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    words = re.sub(r"[^a-z0-9]+", " ", words.casefold()).split()
    noise = set(_hints()["noise"])
    return " ".join(w for w in words if w not in noise) or " ".join(words)


def _names(f: std.Field) -> list[str]:
    extra = _hints()["fields"].get(f.table, {}).get(f.name, [])
    return [_norm(x) for x in (f.name, f.title, *extra)]


def _score(header: str, f: std.Field) -> float:
    h = _norm(header)
    return max(max(fuzz.ratio(h, n), fuzz.token_sort_ratio(h, n)) for n in _names(f))


def match_headers(headers: list[str], table: std.Table) -> dict[str, tuple[str, float]]:
    """``{field: (header, score)}`` for the fields a header matches (each header used once, except
    that a date-and-time column also gives the time field beside its date field)."""
    pairs = sorted(((_score(h, f), h, f.name) for h in headers if h for f in table.fields), reverse=True)
    out: dict[str, tuple[str, float]] = {}
    used: set[str] = set()
    for score, h, name in pairs:
        if score < CUTOFF:
            break
        if name not in out and h not in used:
            out[name] = (h, round(score))
            used.add(h)
    for date_field in [n for n in out if n.endswith("_date")]:
        time_field = date_field.replace("_date", "_time")
        header = out[date_field][0]
        if time_field in table.field_names and time_field not in out and re.search(r"dttm|datetime|time|_on$", header, re.I):
            out[time_field] = (header, out[date_field][1])
    return out


def _table_for(name: str, headers: list[str], s: std.Standard) -> std.Table:
    """The table a file or sheet holds: by the words of its name, then by how many headers match."""
    words = set(_norm(name).split())
    hinted = [t for t, ws in _hints()["tables"].items() if words & set(ws)]

    def key(t: std.Table) -> tuple[int, int, int]:
        return (t.name in hinted, len(match_headers(headers, t)), -list(s.tables).index(t.name))

    return max(s.tables.values(), key=key)


def _q(text: str) -> str:
    return yaml.safe_dump(text, default_style=None, allow_unicode=True).strip().removesuffix("...").strip()


def draft_mapping(paths: Iterable[Path]) -> str:
    """The draft mapping, as commented YAML text."""
    s = std.load()
    files = _inputs(paths)
    lines = [
        "# Draft mapping made by `mcds mapping init`. Check every line, fill in each GAP, then run",
        "#   mcds convert mapped INPUT... --mapping THIS_FILE --out OUT",
        "# A field maps from a column (FIELD: COLUMN), a constant ({value: ...}) or a template",
        "# ({template: 'R-{COLUMN}'}); add `values:` to map codes and `format:` for dates ('%d/%m/%Y').",
        "mapping_version: 1",
        f"standard_version: {_q(s.version)}  # the version this mapping was written for",
        "council:",
        "  la: null    # GAP: your council's 3-digit DfE or 9-character ONS code",
        "  year: null  # GAP: the collection year, by the year it ends (2025 = April 2024 to March 2025)",
        "not_collected: []  # tables or table.field your system does not hold",
        "sources:",
    ]
    workbooks: dict[Path, list] = {}  # type: ignore[type-arg]
    for path in files:
        sheets: list[str | None] = [None]
        if path.suffix.lower() == ".xlsx":
            from mcds.workbook import read_workbook_raw

            workbooks[path] = read_workbook_raw(path)
            sheets = [sh.name for sh in workbooks[path] if not sh.hidden]
        for sheet in sheets:
            src = open_source(path, sheet, workbooks)
            headers = [h for h in src.header if h]
            sample = list(itertools.islice(src.rows, SAMPLE_ROWS))
            best = _table_for(f"{path.stem} {sheet or ''}", headers, s)
            matched = match_headers(headers, best)
            lines.append(f"  - file: {_q(path.name)}")
            if sheet:
                lines.append(f"    sheet: {_q(sheet)}")
            if not matched:
                lines.append("    # GAP: no header matched any field of the standard; choose the table and fields by hand")
            lines.append("    tables:")
            lines.append(f"      {best.name}:")
            lines.append("        fields:")
            used = {h for h, _ in matched.values()}
            for f in best.fields:
                if f.name in matched:
                    header, score = matched[f.name]
                    col = src.header.index(header)
                    lines.append(f"          {f.name}:")
                    lines.append(f"            column: {_q(header)}  # matched '{header}' ({score}%)")
                    found = [r[col] for _, r in sample if col < len(r) and r[col]]
                    if f.codelist and not f.is_list:
                        lines.extend(_value_map(s, f, found))
                    elif f.type == "boolean":
                        lines.extend(_boolean_map(found))
                    elif f.type in ("date", "time", "yearmonth"):
                        lines.append("            # format: '%d/%m/%Y %H:%M'  # if not dd/mm/yyyy (and a time) or ISO")
                elif f.required:
                    lines.append(f"          {f.name}: null  # GAP: required ({f.title}): name its column or give {{value: ...}}")
                else:
                    lines.append(f"          # {f.name}:  # GAP (optional: {f.title})")
            rest = [h for h in headers if h not in used]
            if rest:
                lines.append("        # columns not used: " + ", ".join(rest))
    return "\n".join(lines) + "\n"


YES = {"true", "yes", "y", "1"}
NO = {"false", "no", "n", "0"}


def _boolean_map(values: list[str]) -> list[str]:
    distinct = list(dict.fromkeys(v.strip() for v in values))[:MAX_VALUES]
    if not distinct or set(distinct) <= {"true", "false"}:
        return []
    out = ["            values:"]
    for v in distinct:
        word = v.casefold()
        guess = "true" if word in YES else "false" if word in NO else None
        out.append(f"              {_q(v)}: " + (f'"{guess}"' if guess else 'null  # GAP: "true" or "false"'))
    return out


def _value_map(s: std.Standard, f: std.Field, values: list[str]) -> list[str]:
    codes = s.codelist(f.codelist or "")
    key = f.codelist_key
    by_text = {}
    for c in codes.codes:
        value = c.code if key == "code" else c.extra.get(key, "")
        by_text[_norm(value)] = value
        by_text[_norm(c.title)] = value
    distinct = list(dict.fromkeys(v.strip() for v in values))[:MAX_VALUES]
    if not distinct:
        return []
    out = ["            values:"]
    for v in distinct:
        code = by_text.get(_norm(v))
        if code is not None:
            out.append(f"              {_q(v)}: {_q(code)}")
        else:
            out.append(f"              {_q(v)}: null  # GAP: one of {', '.join(codes.values(key)[:8])}"
                       + ("..." if len(codes.values(key)) > 8 else ""))
    return out
