"""``mcds reconcile``: compare a submission with the Ofsted Annex A List 8 and report each difference."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from mcds.commands._options import KeyCommand, output_format, suggest_conversion
from mcds.console import json_text


@click.command("reconcile", cls=KeyCommand)
@click.argument("package", type=click.Path(path_type=Path))
@click.option("--annex-a", "annex_a", type=click.Path(path_type=Path), required=True, help="The Annex A workbook (.xlsx).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="End of Annex A's 12 months, YYYY-MM-DD (default: the submission's period end).")
@click.option("--key-file", type=click.Path(path_type=Path),
              help="For a pseudonymised submission: the file holding the key, to pseudonymise Annex A's "
                   "identifiers the same way.")
@click.option("--key-env", metavar="VAR",
              help="For a pseudonymised submission: the name of the environment variable holding the key.")
@output_format("text", "json")
def command(package: Path, annex_a: Path, as_of: dt.datetime | None, key_file: Path | None, key_env: str | None,
            fmt: str) -> None:
    """Compare a submission's episodes with Ofsted's Annex A List 8.

    Reports every child whose missing or absent episodes in the 12 months of Annex A, or return
    interview after the last episode, differ between the submission PACKAGE and the Annex A
    workbook. For a pseudonymised submission, give the key it was pseudonymised with (--key-file
    or --key-env), never on the command line itself. Exit 0 when they all agree, 1 when some
    differ.

    Examples:

    \b
      mcds reconcile kent-2025 --annex-a annex-a.xlsx
      mcds reconcile kent-2025-pseudonymised --annex-a annex-a.xlsx --key-file council.key
    """
    from mcds.convert.package import read_any
    from mcds.pseudonym_keys import refuse_key_as_argument
    from mcds.pseudonymise import key_from_env, key_from_file
    from mcds.reconcile import reconcile

    if key_file is not None and key_env is not None:
        raise click.UsageError("give the key with one of --key-file or --key-env, not both")
    key = key_from_file(key_file) if key_file else key_from_env(key_env) if key_env is not None else None
    if key is not None:
        refuse_key_as_argument(key, {"PACKAGE": package, "--annex-a": annex_a})
    with suggest_conversion(package):
        sub = read_any(package)
    report = reconcile(sub, annex_a, as_of=as_of.date() if as_of else None, key=key)
    if fmt == "json":
        click.echo(json_text(report.to_dict()))
    else:
        for issue in report:
            click.echo(issue.line())
        for note in report.notes:
            click.echo(f"Note: {note}")
        click.echo(f"{len(report)} difference(s)." if len(report) else "Annex A and the submission agree.")
    click.get_current_context().exit(1 if len(report) else 0)
