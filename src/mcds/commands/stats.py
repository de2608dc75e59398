"""``mcds stats``: disclosure-controlled official statistics from council submissions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mcds import stats
from mcds.commands._options import output_format, suggest_conversion
from mcds.console import json_text
from mcds.stats.config import disclosure_settings
from mcds.stats.load import InvalidSubmission


def _progress_bar(total: int):  # type: ignore[no-untyped-def]
    """A progress bar on stderr, only when stderr is a terminal and there is more than one package."""
    if total < 2 or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress("Validating and computing", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task("packages", total=total)
    return bar, lambda done, _total: bar.update(task, completed=done)


@click.command("stats")
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write missing_from_care.csv, missing_from_care.meta.csv, the breakdowns file "
                   "missing_from_care_breakdowns.csv with its .meta.csv, and report.html into.")
@click.option("--disclosure", "disclosure_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="JSON file of disclosure control settings overriding the standard's disclosure.json "
                   "(it may protect more than the standard's, never less).")
@click.option("--audit", "show_audit", is_flag=True,
              help="Also print the disclosure audit: every suppressed figure and why, and what an attacker "
                   "can work out of each suppressed count.")
@output_format("text", "json")
def command(packages: tuple[Path, ...], out: Path, disclosure_file: Path | None, show_audit: bool, fmt: str) -> None:
    """Compute the standard's indicators, disclosure-controlled, for publication.

    The indicators of every council in PACKAGES (any form the validator accepts) are written to
    --out in the Explore Education Statistics open data format, with a self-contained HTML
    report.

    Packages are validated first, in parallel; an invalid submission is refused with the
    validator's report. Exit status: 0 written, 1 a submission is not valid, 2 the input or
    options could not be used.

    Before anything is written, an audit solves for every suppressed count from everything the run
    publishes, as an attacker would, and more is suppressed until each keeps a wide interval; a run
    that cannot be protected writes nothing. With --audit the audit is printed on stdout (as JSON
    with --format json, specified by the JSON Schema src/mcds/stats/audit.schema.json).

    Examples:

    \b
      mcds stats kent-2025 --out statistics
      mcds stats kent-2025 croydon-2025 --out statistics --audit
    """
    from mcds.submission import guard_output

    guard_output(out, [*packages, disclosure_file], replaces=False)  # files are written into the folder, beside others
    cfg = disclosure_settings(override=disclosure_file)
    bar, update = _progress_bar(len(packages))
    try:
        if bar:
            bar.start()
        with suggest_conversion(*packages):
            result = stats.run(list(packages), out, cfg, progress=update)
    except InvalidSubmission as exc:
        if bar:
            bar.stop()
        click.echo(f"mcds stats: {exc.path} is not valid, so no statistics were written.", err=True)
        click.echo(exc.report_text, err=True, nl=False)
        raise SystemExit(1) from None
    finally:
        if bar:
            bar.stop()
    rows = len(result.published.rows)
    also = f", {result.breakdowns} ({len(result.published.breakdowns.rows)} rows) with its .meta.csv" \
        if result.breakdowns is not None and result.published.breakdowns is not None else ""
    wrote = (f"Wrote {result.data} ({rows} rows), {result.meta}{also} and {result.report} "
             f"for {len(result.published.councils)} council return(s).")
    from mcds.stats.config import indicators
    from mcds.stats.versions import notes, older_packages

    for note in notes(older_packages(result.published.councils, indicators().values())):
        click.echo(f"Note: {note}", err=show_audit and fmt == "json")
    if not show_audit:
        click.echo(wrote)
        return
    from mcds.stats.audit_report import audit_report, text
    from mcds.stats.compute import Aggregator

    found = audit_report(result.published, Aggregator(), cfg)
    if fmt == "json":
        click.echo(wrote, err=True)
        click.echo(json_text(found.model_dump(mode="json")))
    else:
        click.echo(wrote)
        click.echo(text(found), nl=False)
