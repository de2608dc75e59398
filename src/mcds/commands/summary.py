"""``mcds summary``: what a submission holds, at a glance (counts only, no personal data)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from mcds.commands._options import output_format, suggest_conversion
from mcds.console import json_text
from mcds.issues import printable
from mcds.submission import Submission


def summarise(sub: Submission) -> dict:
    children = sub.tables.get("children", [])
    episodes = sub.tables.get("missing_episodes", [])
    return {
        "standard_version": sub.version,
        "council": {"old_la_code": sub.metadata.get("old_la_code"), "new_la_code": sub.metadata.get("new_la_code")},
        "period": {"start": sub.metadata.get("period_start"), "end": sub.metadata.get("period_end")},
        "rows": {name: len(rows) for name, rows in sub.tables.items()},
        "children_uasc": sum(1 for c in children if c.get("uasc") in ("true", "True", "TRUE", "1")),
        "children_by_trafficking_concern": dict(sorted(Counter(c.get("trafficking_concern") or "" for c in children).items())),
        "episodes_by_type": dict(sorted(Counter(e.get("episode_type") or "" for e in episodes).items())),
        "children_with_episodes": len({e.get("child_id") for e in episodes}),
    }


@click.command("summary")
@click.argument("path", type=click.Path(path_type=Path))
@output_format("text", "json")
def command(path: Path, fmt: str) -> None:
    """Summarise what a submission holds, in counts only.

    PATH is any form the validator reads: a CSV package (folder, datapackage.json or .zip), an
    XLSX workbook or the JSON form. Nothing personal is shown: rows per table, and children and
    episodes by kind.

    Examples:

    \b
      mcds summary kent-2025
      mcds summary kent-2025.xlsx --format json
    """
    from mcds.convert.package import read_any

    with suggest_conversion(path):
        s = summarise(read_any(path))
    if fmt == "json":
        click.echo(json_text(s))
        return
    c, p = s["council"], s["period"]
    lines = [f"Submission for council {c['old_la_code']} ({c['new_la_code']}), {p['start']} to {p['end']}, "
             f"standard {s['standard_version']}"]
    lines += [f"  {name:<20} {n:>7} rows" for name, n in s["rows"].items()]
    lines.append(f"  UASC: {s['children_uasc']}; trafficking concern: "
                 + ", ".join(f"{k} {v}" for k, v in s["children_by_trafficking_concern"].items()))
    lines.append(f"  {s['children_with_episodes']} children had missing episodes: "
                 + ", ".join(f"{k} {v}" for k, v in s["episodes_by_type"].items()))
    for line in lines:
        click.echo(printable(line))  # the codes and dates are the user's
