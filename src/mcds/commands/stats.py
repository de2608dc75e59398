"""``mcds stats``: disclosure-controlled official statistics from council submissions."""

from __future__ import annotations

from pathlib import Path

import click

from mcds import stats
from mcds.stats.config import disclosure_settings
from mcds.stats.load import InvalidSubmission


@click.command("stats")
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write missing_from_care.csv, missing_from_care.meta.csv and report.html into.")
@click.option("--disclosure", "disclosure_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="JSON file of disclosure control settings overriding the standard's disclosure.json.")
def command(packages: tuple[Path, ...], out: Path, disclosure_file: Path | None) -> None:
    """Compute the standard's indicators for every council in PACKAGES (any form the validator
    accepts) and write them, disclosure-controlled, in the Explore Education Statistics open data
    format with a self-contained HTML report.

    Invalid submissions are refused with the validator's report (exit 1)."""
    cfg = disclosure_settings(override=disclosure_file)
    try:
        result = stats.run(list(packages), out, cfg)
    except InvalidSubmission as exc:
        click.echo(f"mcds stats: {exc.path} is not valid, so no statistics were written.", err=True)
        click.echo(exc.report_text, err=True, nl=False)
        raise SystemExit(1) from None
    rows = len(result.published.rows)
    click.echo(f"Wrote {result.data} ({rows} rows), {result.meta} and {result.report} "
               f"for {len(result.published.councils)} council return(s).")
