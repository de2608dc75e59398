"""``mcds codelist``: print a codelist of the standard."""

from __future__ import annotations

import csv
import io

import click

from mcds import standard as std
from mcds.commands._options import output_format
from mcds.console import json_text


@click.command("codelist")
@click.argument("name", required=False)
@click.option("--standard-version", "version", type=click.Choice(std.supported_versions()), default=None,
              help="Version of the standard (default: the current version).")
@output_format("text", "csv", "json")
def command(name: str | None, version: str | None, fmt: str) -> None:
    """Print the codelist NAME, or list every codelist when NAME is omitted."""
    s = std.load(version)
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
