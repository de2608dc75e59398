"""Reference pages for the codelists."""

from __future__ import annotations

from mcds import standard as std

from .markdown import DOWNLOADS, LINKS, REFERENCE, code, header, md_table, rel


def codelist_users(s: std.Standard) -> dict[str, list[std.Field]]:
    out: dict[str, list[std.Field]] = {}
    for f in [*s.all_fields(), *s.metadata_fields]:
        if f.codelist:
            out.setdefault(f.codelist, []).append(f)
    return out


def codelist_page(s: std.Standard, cl: std.Codelist, users: list[std.Field]) -> str:
    page = LINKS.codelist(cl.name)
    used = ", ".join(f"[{f.table}.{f.name}]({rel(page, LINKS.field(f))})" for f in users) or "no field (a list of terms)"
    download = rel(page, f"{DOWNLOADS}/{s.version}/codelists/{cl.name}.csv")
    extra = [k for k in cl.columns[3:] if any(c.extra.get(k) for c in cl.codes)]  # columns with a value
    rows = [[code(c.code), c.title, c.description, *(c.extra.get(k, "") for k in extra)] for c in cl.codes]
    return "".join([
        header(f"standard/{s.version}/codelists/{cl.name}.csv"),
        f"# Codelist {code(cl.name)}\n\n",
        f"**Used by:** {used}.\n\n",
        f"{len(cl.codes)} codes. Codes are case-sensitive. Download: [{cl.name}.csv]({download}).\n\n",
        md_table([c.replace("_", " ").capitalize() for c in [*cl.columns[:3], *extra]], rows),
    ])


def codelists_index(s: std.Standard, users: dict[str, list[std.Field]]) -> str:
    page = f"{REFERENCE}/codelists/index.md"
    rows = [[f"[{code(name)}]({rel(page, LINKS.codelist(name))})", len(cl.codes),
             ", ".join(f"{f.table}.{f.name}" for f in users.get(name, []))] for name, cl in s.codelists.items()]
    return "".join([
        header(f"standard/{s.version}/codelists/"),
        "# Codelists\n\nEvery coded field takes its values from one of these lists. "
        "Each list is a CSV file with the columns `code`, `title` and `description`, and sometimes more.\n\n",
        md_table(["Codelist", "Codes", "Used by"], rows),
    ])
