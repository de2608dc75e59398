"""``mcds validate``: check a submission against the standard and report every issue."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from mcds.commands._options import output_format, overwrite, standard_version, suggest_conversion
from mcds.issues import MAX_ISSUES


def _unlisted_note(report, limit: int | None) -> str:  # type: ignore[no-untyped-def]
    return (f"{report.truncated:,} of the {sum(report.counts.values()):,} issues are counted but not listed (at most "
            f"{limit:,} of each code are): `--max-issues N` lists more, `--all` every one.")


def _progress_bar():  # type: ignore[no-untyped-def]
    """A progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description:<20}"), BarColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task("Reading", total=1)

    def update(stage: str, done: int, total: int) -> None:
        bar.update(task, description=stage, completed=done, total=total)

    return bar, update


@click.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
@standard_version
@output_format("text", "json", "csv", "github")
@click.option("--explanations", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV or YAML file explaining queries (code, table, row or id, explanation).")
@click.option("--annotate", "annotate_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a copy of the data as a workbook with each issue highlighted and commented.")
@click.option("--max-issues", type=click.IntRange(min=1), default=None, metavar="N",
              help=f"List at most N issues of each code (default: {MAX_ISSUES}; the text report shows 5 of each unless "
                   "this is given). Every issue is counted, and a column written the wrong way throughout is one issue "
                   "whatever its length.")
@click.option("--all", "list_all", is_flag=True, help="List every issue (the text report too: every location).")
@overwrite
@click.pass_context
def command(ctx: click.Context, path: Path, standard_version: str | None, fmt: str, explanations: Path | None,
            annotate_out: Path | None, max_issues: int | None, list_all: bool, overwrite: bool) -> None:
    """Check a submission against the standard and report every issue.

    PATH is a CSV package (folder, datapackage.json or .zip), an XLSX workbook or the JSON form.
    Exit status: 0 valid (warnings and explained queries allowed), 1 not valid, 2 the input or
    options could not be used.

    Examples:

    \b
      mcds validate kent-2025
      mcds validate kent-2025.xlsx --annotate kent-2025-checked.xlsx
      mcds validate kent-2025 --format csv --explanations explanations.csv
      mcds validate kent-2025 --format json --all
    """
    from mcds import render
    from mcds.validate import load

    if list_all and max_issues is not None:
        raise click.UsageError("give --max-issues N or --all, not both", ctx=ctx)
    limit = None if list_all else max_issues or MAX_ISSUES
    if annotate_out is not None:  # never write the annotated copy over the submission or the explanations
        from mcds.writing import guard_output

        guard_output(annotate_out, [path, explanations], overwrite=overwrite)
    bar, update = _progress_bar() if fmt == "text" else (None, None)
    if bar:
        bar.start()
    try:
        with suggest_conversion(path):
            loaded = load(path, standard_version=standard_version, explanations=explanations, progress=update,
                          keep_raw=annotate_out is not None, max_issues=limit)
    finally:
        if bar:
            bar.stop()
    report = loaded.report
    if any(i.code == "table-missing" for i in report.issues):  # Annex A, say, read as a workbook submission
        from mcds.next_steps import conversion_hint

        if hint := conversion_hint(path):
            report = dataclasses.replace(report, notes=(*report.notes, hint))
    if report.truncated:
        report = dataclasses.replace(report, notes=(*report.notes, _unlisted_note(report, limit)))
    if annotate_out is not None:
        from mcds.annotate import annotate

        annotate(loaded, annotate_out)
    loaded.con.close()
    if fmt == "text":
        from rich.console import Console

        shown = None if list_all else max_issues or 5
        Console(highlight=False, soft_wrap=True).print(render.text_renderable(report, locations=shown))
        if annotate_out is not None:
            click.echo(f"Annotated copy: {annotate_out}")
    elif fmt == "json":
        from mcds.console import unicode_stream

        render.write_json(report, sys.stdout, ensure_ascii=not unicode_stream())  # one issue at a time
        sys.stdout.flush()
    else:
        click.echo(render.render(report, fmt), nl=False)
    ctx.exit(0 if report.valid else 1)
