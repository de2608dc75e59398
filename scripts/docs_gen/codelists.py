"""Reference pages for the codelists."""

from __future__ import annotations

import re
from collections import Counter

from mcds import standard as std

from .guidance import source_cell
from .markdown import DOWNLOADS, Links, code, header, md_table, rel
from .versions import code_added, deprecated_text

VERSION_COLUMNS = ("version_added", "version_changed", "deprecated")  # shown together, as the Version column


def codelist_users(s: std.Standard) -> dict[str, list[std.Field]]:
    out: dict[str, list[std.Field]] = {}
    for f in [*s.all_fields(), *s.metadata_fields]:
        if f.codelist:
            out.setdefault(f.codelist, []).append(f)
    return out


def _frame(c: std.Code) -> str:
    """The description with the code's title and code taken out: ``DfE ethnicity code {code}: {title}.``"""
    text = re.sub(re.escape(c.title), "{title}", c.description.strip(), flags=re.I) if c.title else c.description
    return re.sub(rf"(?<![\w-]){re.escape(c.code)}(?![\w-])", "{code}", text)


def repeated_frames(cl: std.Codelist) -> set[str]:
    """Descriptions that say no more than the title: the title alone, or the title in the words most of
    the list's descriptions share (``SSDA903 legal status {code}: {title}.``), which the page says once."""
    counts = Counter(f for f in map(_frame, cl.codes) if "{title}" in f)
    out = {f for f in counts if re.fullmatch(r"\{title\}\.?", f)}
    common = [f for f, n in counts.most_common(1) if n > 1]
    return out | set(common)


def description(cl: std.Codelist, c: std.Code, repeated: set[str] | None = None) -> str:
    """The code's description, or '' when it only repeats the title."""
    return "" if _frame(c) in (repeated if repeated is not None else repeated_frames(cl)) else c.description


def version_words(name: str, c: std.Code) -> list[str]:
    """When the code came in, changed and was deprecated: ``["added in 1.0", "changed in 1.1"]``."""
    words = [f"added in {code_added(name, c)}"]
    if c.extra.get("version_changed"):
        words.append(f"changed in {c.extra['version_changed']}")
    if c.deprecated:
        words.append(f"**{deprecated_text(c.deprecated).rstrip('.')}**")
    return words


def codelist_page(s: std.Standard, cl: std.Codelist, users: list[std.Field], links: Links) -> str:
    page = links.codelist(cl.name)
    used = ", ".join(f"[{f.table}.{f.name}]({rel(page, links.field(f))})" for f in users) or "no field (a list of terms)"
    download = rel(page, f"{DOWNLOADS}/{s.version}/codelists/{cl.name}.csv")
    repeated = repeated_frames(cl)
    shown = [description(cl, c, repeated) for c in cl.codes]
    extra = [k for k in cl.columns[3:] if k not in VERSION_COLUMNS and any(c.extra.get(k) for c in cl.codes)]
    shared = {k: cl.codes[0].extra.get(k, "") for k in extra if len({c.extra.get(k, "") for c in cl.codes}) == 1}
    extra = [k for k in extra if k not in shared]  # a value every code has is said once, above the table
    versions = ["; ".join(version_words(cl.name, c)) for c in cl.codes]
    one_version = len(set(versions)) == 1 and not any(c.deprecated for c in cl.codes)  # said once, not per code
    head = ["Code", "Title", *(["Description"] if any(shown) else []),
            *(k.replace("_", " ").capitalize() for k in extra), *([] if one_version else ["Version"])]
    rows = [[code(c.code), c.title, *([d] if any(shown) else []),
             *(source_cell(c.extra.get(k, "")) if k == "source" else c.extra.get(k, "") for k in extra),
             *([] if one_version else [v])] for c, d, v in zip(cl.codes, shown, versions, strict=True)]
    notes = [f"{k.replace('_', ' ').capitalize()} of every code: "
             f"{source_cell(v) if k == 'source' else v}." for k, v in shared.items()]
    if repeated:
        frames = " or ".join(code(f) for f in sorted(repeated, key=len, reverse=True))
        notes.append(f"A description that only repeats the title (as {frames}) is not shown.")
    if one_version and versions:
        notes.append(f"Every code was {' and '.join(version_words(cl.name, cl.codes[0]))}.")
    deprecated = [c.code for c in cl.codes if c.deprecated]
    if deprecated:
        notes.append(f"Deprecated codes ({', '.join(code(x) for x in deprecated)}) are still valid; "
                     "the validator warns when one is used.")
    return "".join([
        header(f"standard/{s.version}/codelists/{cl.name}.csv"),
        f"# Codelist {code(cl.name)}\n\n",
        f"**Used by:** {used}.\n\n",
        f"{len(cl.codes)} codes. Codes are case-sensitive. Download: [{cl.name}.csv]({download}). "
        + " ".join(notes) + "\n\n",
        md_table(head, rows),
    ])


def codelists_index(s: std.Standard, users: dict[str, list[std.Field]], links: Links) -> str:
    page = links.page("codelists/index.md")
    rows = [[f"[{code(name)}]({rel(page, links.codelist(name))})", len(cl.codes),
             ", ".join(f"{f.table}.{f.name}" for f in users.get(name, []))] for name, cl in s.codelists.items()]
    return "".join([
        header(f"standard/{s.version}/codelists/"),
        "# Codelists\n\nEvery coded field takes its values from one of these lists. "
        "Each list is a CSV file with the columns `code`, `title` and `description`, and sometimes more.\n\n",
        md_table(["Codelist", "Codes", "Used by"], rows),
    ])
