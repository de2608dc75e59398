"""``mcds template``: an empty workbook for councils that record by hand."""

from __future__ import annotations

from pathlib import Path

import click

from mcds.commands._options import out_option, overwrite, standard_version


@click.command("template")
@out_option("The workbook to write (.xlsx).")
@standard_version(from_data=False)
@overwrite
def command(out: Path, standard_version: str | None, overwrite: bool) -> None:
    """Write an empty workbook for recording the standard's data by hand.

    The workbook (--out, .xlsx) has one sheet per table with the fields' titles as headers and their descriptions as notes,
    drop-down lists of codes, formatted date columns and a Metadata sheet. Filled in, it is a
    submission in the workbook form, for `mcds validate`. An existing workbook is replaced only if
    mcds wrote it (and nobody saved it since), or with --overwrite.

    Examples:

    \b
      mcds template --out council.xlsx
      mcds template --out council-1.0.xlsx --standard-version 1.0
    """
    from mcds.workbook import write_template
    from mcds.writing import guard_output

    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter("the template is an Excel workbook: give a name ending .xlsx", param_hint="--out")
    guard_output(out, overwrite=overwrite)
    write_template(out, standard_version)
    click.echo(f"Wrote {out}")
