"""``mcds mapping``: mapping files for `mcds convert mapped`."""

from __future__ import annotations

from pathlib import Path

import click

from mcds.commands._options import overwrite


@click.group("mapping")
def command() -> None:
    """Draft mapping files from a council's own exports to the standard.

    A mapping file says which column of a council's export fills which field of the standard;
    `mcds convert mapped` converts the export through it.

    Examples:

    \b
      mcds mapping init export --out mapping.yaml
      mcds mapping schema
    """


@command.command("init")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Where to write the draft mapping (YAML).")
@overwrite
def init(inputs: tuple[Path, ...], out: Path, overwrite: bool) -> None:
    """Draft a mapping from the headers of a council's export, with the gaps marked.

    INPUTS are the export's CSV or XLSX files, or a folder of them. Each column is matched to the
    field it most likely fills; what could not be matched is marked GAP, to fill in by hand.

    Examples:

    \b
      mcds mapping init export --out mapping.yaml
      mcds mapping init export/DIM_PERSON.csv export/FACT_MISSING_PERSON.csv --out missing.yaml
    """
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
    """Print the JSON Schema of mapping files.

    Editors that check YAML against a schema use it to check a mapping as it is written.

    Examples:

    \b
      mcds mapping schema
    """
    from mcds.console import json_text
    from mcds.convert.mapped import Mapping

    doc = Mapping.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "MCDS mapping file (mcds convert mapped)"
    click.echo(json_text(doc))
