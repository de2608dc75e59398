"""``mcds codelist``: print a codelist of the standard."""

from __future__ import annotations

import csv
import io

import click

from mcds import standard as std
from mcds.commands._options import output_format, standard_version
from mcds.console import json_text


@click.command("codelist")
@click.argument("name", required=False)
@standard_version(from_data=False)
@output_format("text", "csv", "json")
def command(name: str | None, standard_version: str | None, fmt: str) -> None:
    """Print a codelist of the standard, or list them all.

    Prints the codes of the codelist NAME with their titles, or every codelist and its number of
    codes when NAME is omitted.

    Examples:

    \b
      mcds codelist
      mcds codelist missing_episode_type
      mcds codelist country --format csv
    """
    s = std.load(standard_version)
    if name is None:
        for cl in s.codelists.values():
            click.echo(f"{cl.name:<24} {len(cl.codes):>4} codes")
        return
    if name not in s.codelists:
        raise click.BadParameter(f"no codelist {name!r}; choose from {', '.join(s.codelists)}", param_hint="NAME")
    cl = s.codelist(name)
    rows = [{"code": c.code, "title": c.title, "description": c.description, **c.extra} for c in cl.codes]
    if fmt == "json":
        click.echo(json_text({"name": cl.name, "codes": rows}))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(cl.columns), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
    else:
        width = max(len(c.code) for c in cl.codes)
        for c in cl.codes:
            click.echo(f"{c.code:<{width}}  {c.title}")
