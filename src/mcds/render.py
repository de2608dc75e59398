"""Renderers of a validation :class:`~mcds.issues.Report`: each takes a report and returns text.

- :func:`text`: for people; grouped by code with the count, how to fix it and the first few
  locations, then a one-line verdict (:func:`text_renderable` gives the same as a rich renderable,
  coloured when shown on a terminal);
- :func:`json_text`: the shape published in ``standard/<version>/report.schema.json``;
- :func:`csv_text`: the issue list, one row per issue, for a spreadsheet;
- :func:`github`: workflow commands (``::error file=...,line=...::``) for vendors' CI.

Every value from the user's files (cells, file and sheet names, explanations) reaches the text,
CSV and GitHub reports through :func:`mcds.issues.printable`, so a newline or an escape code in a
cell cannot forge a line nor reach the terminal; the JSON report keeps values exact (JSON escapes
them itself).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import string
from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.text import Text

from mcds.catalogue import IssueType, catalogue
from mcds.forms import excel_safe
from mcds.issues import Issue, Report, Severity, printable

__all__ = ["CSV_COLUMNS", "FORMATS", "csv_text", "github", "json_text", "render", "text", "text_renderable", "verdict",
           "write_json"]

CSV_COLUMNS = ("code", "severity", "table", "file", "sheet", "row", "column", "field", "value", "message", "explanation")
STYLE = {Severity.ERROR: "bold red", Severity.QUERY: "bold yellow", Severity.WARNING: "yellow"}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.QUERY: 1, Severity.WARNING: 2}


def _plural(n: int, word: str) -> str:
    if n != 1:
        word = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n} {word}"


def verdict(report: Report) -> str:
    """One line: valid or not, and the counts."""
    c = report.counts
    explained = report.explained
    parts = [_plural(c["error"], "error"), _plural(c["query"], "query")]
    if explained:
        parts[-1] += f" ({explained} explained)"
    parts.append(_plural(c["warning"], "warning"))
    return f"{'Valid' if report.valid else 'Not valid'}: {', '.join(parts)}."


def _groups(report: Report) -> list[tuple[str, Severity, int, list[Issue]]]:
    """Each code's severity, its count (listed or not) and the issues listed, most serious and most
    numerous first."""
    groups: dict[str, list[Issue]] = {}
    for i in report.issues:
        groups.setdefault(i.code, []).append(i)
    severity = {code: items[0].severity for code, items in groups.items()}
    severity.update({code: Severity(s) for code, s in report.unlisted.severity.items() if code not in severity})
    total = report.by_code
    rows = [(code, severity[code], total[code], groups.get(code, [])) for code in severity]
    return sorted(rows, key=lambda r: (SEVERITY_ORDER[r[1]], -r[2], r[0]))


def _message_values(kind: IssueType, message: str) -> dict[str, str]:
    """The values an issue's message was made with, read back from it by its template."""
    pattern, seen = "", set()
    for literal, name, _, _ in string.Formatter().parse(kind.message):
        pattern += re.escape(literal)
        if name:
            pattern += f"(?P={name})" if name in seen else f"(?P<{name}>.*?)"
            seen.add(name)
    m = re.fullmatch(pattern, message, re.S)
    return m.groupdict() if m else {}


def guidance(kind: IssueType, items: Iterable[Issue]) -> str:
    """How to fix the issues of one code, with the values its guidance names filled in from their messages
    (``foreign-key-missing``: the table the row is missing from); several values are joined with "or"."""
    names = {name for _, name, _, _ in string.Formatter().parse(kind.guidance) if name}
    if not names:
        return kind.guidance
    values: dict[str, dict[str, None]] = {name: {} for name in names}
    for issue in items:
        found = _message_values(kind, issue.message)
        for name in names:
            if found.get(name):
                values[name][found[name]] = None
    return kind.guidance.format(**{name: " or ".join(v) if v else name for name, v in values.items()})


def text_renderable(report: Report, *, locations: int | None = 5) -> RenderableType:
    """The text report: each code's locations up to ``locations`` (None: every one listed); where the
    report lists fewer issues of a code than it counts, it says how to list them."""
    kinds = catalogue(report.standard_version)
    parts: list[RenderableType] = []
    head = Text(printable(report.source or "submission"), style="bold")
    head.append(f"  (standard {report.standard_version})", style="dim")
    parts.append(head)
    for code, sev, total, items in _groups(report):
        kind = kinds.get(code)
        line = Text("\n")
        line.append(f"{sev.value:<8}", style=STYLE[sev])
        line.append(f"{code}", style="bold")
        line.append(f"  {kind.title if kind else ''}  ({total:,})")
        parts.append(line)
        if kind:
            parts.append(Text(f"  How to fix: {printable(guidance(kind, items))}", style="dim"))
        shown = items if locations is None else items[:locations]
        for i in shown:
            t = Text(f"  - {i.location.describe()}: ")
            t.append(printable(i.message))
            if i.explanation:
                t.append(f"  [explained: {printable(i.explanation)}]", style="green")
            parts.append(t)
        if total > len(shown):
            more = f"  ... and {total - len(shown):,} more"
            unlisted = total - len(items)  # counted, not listed: only a larger limit shows them
            if unlisted:
                more += (", not listed" if unlisted == total - len(shown) else f" ({unlisted:,} of them not listed)")
                more += ": --max-issues N lists more, --all every one"
            parts.append(Text(more, style="dim"))
    for note in report.notes:
        parts.append(Text(f"\nNote: {printable(note)}", style="cyan"))
    v = verdict(report)
    parts.append(Text(f"\n{'✓' if report.valid else '✗'} {v}", style="bold green" if report.valid else "bold red"))
    return Group(*parts)


def text(report: Report, *, locations: int = 5, width: int = 100) -> str:
    """The text report, without colour."""
    buf = io.StringIO()
    Console(file=buf, width=width, no_color=True, highlight=False, soft_wrap=True).print(
        text_renderable(report, locations=locations))
    return buf.getvalue()


def write_json(report: Report, out: TextIO, *, ensure_ascii: bool = False) -> None:
    """Write the report in the shape of ``report.schema.json`` to ``out``, one issue at a time (the text of
    the whole report is never held: a report of many issues streams). ``ensure_ascii`` writes every
    character outside ASCII as a JSON escape (for a stream that cannot encode it). The text is
    ``json.dumps(report.to_dict() + source, indent=2)``'s."""

    def dumps(value: object, indent: str) -> str:
        return json.dumps(value, indent=2, ensure_ascii=ensure_ascii).replace("\n", "\n" + indent)

    d = report.to_dict(with_issues=False)
    d["source"] = report.source
    out.write("{")
    for n, (key, value) in enumerate(d.items()):
        out.write(f"{',' if n else ''}\n  {json.dumps(key)}: ")
        if key != "issues":
            out.write(dumps(value, "  "))
        elif not report.issues:
            out.write("[]")
        else:
            for m, issue in enumerate(report.issues):
                out.write(f"{',' if m else '['}\n    {dumps(issue.to_dict(), '    ')}")
            out.write("\n  ]")
    out.write("\n}\n")


def json_text(report: Report, *, ensure_ascii: bool = False) -> str:
    """The report in the shape of ``report.schema.json``, as text (see :func:`write_json`)."""
    buf = io.StringIO()
    write_json(report, buf, ensure_ascii=ensure_ascii)
    return buf.getvalue()


def csv_text(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for i in report.issues:
        d = i.to_dict()
        # the value and message echo the user's cell: shown escaped, then made safe to open in a spreadsheet
        w.writerow(["" if d.get(k) is None else excel_safe(printable(v)) if isinstance(v := d.get(k), str) else v
                    for k in CSV_COLUMNS])
    return buf.getvalue()


def _escape_data(s: str) -> str:
    # escaped, not encoded as %0A: a newline in a cell must not start a line of the annotation,
    # and an escape code must not colour GitHub's log
    return printable(s).replace("%", "%25")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def _github_file(report: Report, issue: Issue) -> str | None:
    f = issue.location.file
    if not f:
        return report.source
    src = report.source or ""
    if os.path.isdir(src):
        return os.path.join(src, f)
    if os.path.basename(src) == "datapackage.json":
        return os.path.join(os.path.dirname(src), f)
    return src or f


def github(report: Report) -> str:
    lines = []
    for i in report.issues:
        level = {Severity.ERROR: "error", Severity.QUERY: "error", Severity.WARNING: "warning"}[i.severity]
        if i.explained:
            level = "notice"
        props = []
        f = _github_file(report, i)
        if f:
            props.append(f"file={_escape_prop(f)}")
        if i.location.row is not None:
            props.append(f"line={i.location.row}")
        props.append(f"title={_escape_prop(i.code)}")
        msg = i.message + (f" [{i.location.describe()}]" if i.location.sheet else "")
        if i.explanation:
            msg += f" Explained: {i.explanation}"
        lines.append(f"::{level} {','.join(props)}::{_escape_data(msg)}")
    lines.append(f"::{'notice' if report.valid else 'error'}::{_escape_data(verdict(report))}")
    return "\n".join(lines) + "\n"


FORMATS = {"text": text, "json": json_text, "csv": csv_text, "github": github}


def render(report: Report, fmt: str) -> str:
    return FORMATS[fmt](report)


def counts_by_code(issues: Iterable[Issue]) -> Counter[str]:
    return Counter(i.code for i in issues)
