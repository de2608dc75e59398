"""``mcds check-ees``: the DfE screener's checks of Explore Education Statistics files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mcds.commands._options import output_format
from mcds.issues import printable
from mcds.stats.check_ees import check_ees


@click.command("check-ees")
@click.argument("folder", type=click.Path(path_type=Path))
@output_format("text", "json")
def command(folder: Path, fmt: str) -> None:
    """Check the EES data and metadata files in FOLDER as the DfE's screener does (file names,
    columns, metadata, time, filters, geography against the council lookup, symbols, decimal
    places).

    Exit status: 0 the files pass (warnings allowed), 1 they fail, 2 the folder could not be read."""
    report = check_ees(folder)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for issue in report:
            click.echo(issue.line())
        for note in report.notes:
            click.echo(printable(note))  # names the user's files
        failed = sum(1 for i in report if i.blocking)
        click.echo(f"{'FAIL' if failed else 'PASS'}: {failed} failure(s), "
                   f"{len(report) - failed} warning(s) in {folder}")
    raise SystemExit(0 if report.valid else 1)
