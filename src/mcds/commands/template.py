"""``mcds template``: an empty workbook for councils that record by hand."""

from __future__ import annotations

from pathlib import Path

import click

from mcds.commands._options import overwrite, standard_version


@click.command("template")
@click.argument("out", type=click.Path(path_type=Path))
@standard_version
@overwrite
def command(out: Path, standard_version: str | None, overwrite: bool) -> None:
    """Write an empty workbook to OUT (.xlsx) for recording the standard's data by hand.

    One sheet per table with the fields' titles as headers and their descriptions as notes,
    drop-down lists of codes, formatted date columns and a Metadata sheet. Filled in, it is a
    submission in the workbook form: `mcds validate OUT`. An existing OUT is replaced only if mcds
    wrote it (and nobody saved it since), or with --overwrite."""
    from mcds.workbook import write_template
    from mcds.writing import guard_output

    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter("the template is an Excel workbook: give a name ending .xlsx", param_hint="OUT")
    guard_output(out, overwrite=overwrite)
    write_template(out, standard_version)
    click.echo(f"Wrote {out}")
