"""``mcds mapping``: mapping files for `mcds convert mapped`."""

from __future__ import annotations

from pathlib import Path

import click

from mcds.commands._options import overwrite


@click.group("mapping")
def command() -> None:
    """Mapping files from a council's own exports to the standard."""


@command.command("init")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Where to write the draft mapping (YAML).")
@overwrite
def init(inputs: tuple[Path, ...], out: Path, overwrite: bool) -> None:
    """Draft a mapping from the headers of INPUT files (CSV or XLSX), with the gaps clearly marked."""
    from mcds.convert.mapping_init import draft_mapping
    from mcds.submission import atomic_path, guard_output

    guard_output(out, inputs, overwrite=overwrite)  # never over one of the exports it reads, nor a file mcds did not write
    text = draft_mapping(inputs)
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    gaps = text.count("GAP")
    click.echo(f"Wrote {out}: {gaps} gap(s) to fill in (search for GAP).")


@command.command("schema")
def schema() -> None:
    """Print the JSON Schema of mapping files (for editors that check YAML against a schema)."""
    from mcds.console import json_text
    from mcds.convert.mapped import Mapping

    doc = Mapping.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "MCDS mapping file (mcds convert mapped)"
    click.echo(json_text(doc))
