"""``mcds schema``: the tables and fields of a version of the standard."""

from __future__ import annotations

import click

from mcds import standard as std
from mcds.commands._options import output_format, standard_version
from mcds.console import json_text


def schema_summary(s: std.Standard) -> dict:
    return {
        "standard_version": s.version,
        "tables": [
            {
                "name": t.name,
                "title": t.title,
                "primary_key": list(t.primary_key),
                "fields": [
                    {"name": f.name, "title": f.title, "type": f.type, "required": f.required,
                     "codelist": f.codelist, "sensitivity": f.sensitivity, "description": f.description}
                    for f in t.fields
                ],
            }
            for t in s.tables.values()
        ],
    }


@click.command("schema")
@standard_version(from_data=False)
@output_format("text", "json")
def command(standard_version: str | None, fmt: str) -> None:
    """List the tables and fields of the standard.

    For each table its key, and for each field its type, whether it is required, its codelist and
    its sensitivity.

    Examples:

    \b
      mcds schema
      mcds schema --standard-version 1.0 --format json
    """
    s = std.load(standard_version)
    if fmt == "json":
        click.echo(json_text(schema_summary(s)))
        return
    click.echo(f"Missing from Care Data Standard {s.version}")
    for t in s.tables.values():
        click.echo(f"\n{t.name}: {t.title} (key: {', '.join(t.primary_key)})")
        for f in t.fields:
            extra = [f.type, "required" if f.required else "optional"]
            if f.codelist:
                extra.append(f"codelist {f.codelist}")
            extra.append(f.sensitivity.replace("_", " "))
            click.echo(f"  {f.name:<34} {', '.join(extra)}")
