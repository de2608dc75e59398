"""``mcds check-ees``: the DfE screener's checks of Explore Education Statistics files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mcds.commands._options import output_format
from mcds.issues import printable
from mcds.stats.check_ees import CHECKS, SCREENER_VERSION, EesReport, check_ees


@click.command("check-ees")
@click.argument("path", type=click.Path(path_type=Path))
@click.argument("meta", required=False, type=click.Path(path_type=Path))
@output_format("text", "json")
def command(path: Path, meta: Path | None, fmt: str) -> None:
    """Screen EES files as the DfE's screener (eesyscreener) does: PATH is a folder (every NAME.csv
    with its NAME.meta.csv), or a data file, with its metadata file META (default: NAME.meta.csv
    beside it). Stage by stage, a failing stage stopping the later ones: file names, columns,
    metadata, time, filters, geography against the ONS lookups, duplicates and symbols, harmonised
    variables, then suitability for the EES API (warnings only).

    Exit status: 0 the files pass (warnings allowed), 1 they fail, 2 the input could not be read.
    --format json is specified by the JSON Schema src/mcds/stats/check_ees.schema.json.

    Examples:

    \b
      mcds check-ees statistics
    """
    report = check_ees(path, meta)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        _text(report, path)
    raise SystemExit(0 if report.valid else 1)


def _text(report: EesReport, path: Path) -> None:
    for i in report.folder_issues:
        click.echo(i.line())
    for f in report.files:
        for i in f.issues:
            click.echo(f"{i.line()}\n    see {CHECKS[i.code].guidance_url}")
        for note in f.notes:
            click.echo(printable(f"{f.data_file}: {note}"))  # names the user's files
        verdict = "PASS" if f.passed else "FAIL"
        api = "" if not f.passed else ", suitable for the API" if f.api_suitable else ", not suitable for the API"
        click.echo(printable(f"{verdict}: {f.data_file} ({f.overall_stage}{api})"))
    failed = sum(1 for i in report if i.blocking)
    click.echo(printable(f"{'PASS' if report.valid else 'FAIL'}: {failed} failure(s), {len(report) - failed} "
                         f"warning(s) in {path} (the checks of eesyscreener {SCREENER_VERSION})"))
