"""``mcds upgrade``: move a submission to a newer version of the standard, losing nothing."""

from __future__ import annotations

from pathlib import Path

import click

from mcds.commands._options import output_format, overwrite, suggest_conversion
from mcds.console import json_text


@click.command("upgrade")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Where to write the upgraded submission, in the input's form: a folder for a CSV package, "
                   "or a .zip, .xlsx or .json file.")
@click.option("--to", "to", default=None, metavar="VERSION",
              help="The version to upgrade to (default: the current version of the standard).")
@click.option("--force", is_flag=True,
              help="Upgrade even when the input has errors against its own version, or holds tables, columns or "
                   "metadata its version does not define (they are left out, and listed).")
@overwrite
@output_format("text", "json")
def command(path: Path, out: Path, to: str | None, force: bool, overwrite: bool, fmt: str) -> None:
    """Upgrade a submission to a newer version of the standard.

    The submission at PATH is written to OUT in the same form (CSV package folder or .zip, .xlsx
    workbook, or JSON), at the current version or the one --to names. Every row and value is
    carried over. Fields and tables the new version adds are derived from the
    data where the standard's migration map says how (the NRM referrals from the children's NRM
    fields, for example), and otherwise left blank and listed in the metadata's not_collected, so
    statistics show them as x rather than 0. Deprecated fields and codes are kept: they are still
    valid, and the report says which are in use and what replaces them. Maps are chained when the
    data is more than one version behind.

    The input is validated against its own version first. An input with errors, or holding
    tables, columns or metadata its version does not define (which no form of the standard could
    carry over), is not upgraded unless --force is given; queries and warnings do not stop an
    upgrade. The output is validated against the new version and the report says how it stands.
    Nothing is written over the input, and OUT is replaced only when the upgrade is complete: an
    existing file only if mcds wrote it (or with --overwrite), a folder only if it is empty or a
    CSV package mcds wrote.

    Exit status: 0 upgraded, and the output has no errors; 1 not upgraded because of the input's
    errors or contents (see the report), or upgraded with --force and the output has errors; 2 the
    input cannot be read, its version is unknown or already the target (or newer), or the options
    cannot be used. With --format json the report follows the JSON Schema
    src/mcds/upgrade/upgrade.schema.json.

    Examples:

    \b
      mcds upgrade kent-2024 --out kent-2024-1.1
      mcds upgrade kent-2024.json --out kent-2024-1.1.json --to 1.1 --format json
    """
    from mcds.upgrade import upgrade
    from mcds.upgrade.report import text

    with suggest_conversion(path):
        report = upgrade(path, out, to=to, force=force, overwrite=overwrite)
    if fmt == "json":
        click.echo(json_text(report.model_dump(mode="json")))
    else:
        click.echo(text(report), nl=False)
    ok = report.upgraded and report.output is not None and not report.output.errors
    click.get_current_context().exit(0 if ok else 1)
