"""``mcds convert``: from what councils already produce to the standard, and between its forms.

Every conversion prints its report (rows read, written and rejected per source table, and why),
then validates what it wrote and prints that report too (in the coordinates of the files converted,
for the converters that keep them beside the package: ``<out>.provenance.json``); ``--report FILE``
writes both as JSON. Exit 0 when no source row has a fault and what was written is valid, 1
otherwise, 2 when the input cannot be read.
"""

from __future__ import annotations

from pathlib import Path

import click

from mcds.commands._options import overwrite as overwrite_option
from mcds.convert.base import ConversionReport
from mcds.submission import Submission


def _year(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and not 2000 <= value <= 2100:
        raise click.BadParameter("give the year the collection ends, e.g. 2025 for April 2024 to March 2025")
    return value


def council_options(f):  # type: ignore[no-untyped-def]
    f = click.option("--year", type=int, required=True, callback=_year,
                     help="Collection year, by the year it ends: 2025 = 1 April 2024 to 31 March 2025.")(f)
    return click.option("--la", required=True, help="Council code: the 3-digit DfE or the 9-character ONS code.")(f)


def output_options(f):  # type: ignore[no-untyped-def]
    f = overwrite_option(f)
    f = click.option("--report", "report_path", type=click.Path(path_type=Path),
                     help="Also write the conversion report as JSON to this file.")(f)
    return click.option("--out", type=click.Path(path_type=Path), required=True,
                        help="Where to write the submission: a folder (CSV package), or a .json or .xlsx file.")(f)


def guard(out: Path, inputs: list[Path | None], report_path: Path | None = None, form: str | None = None, *,
          overwrite: bool = False) -> None:
    """Refuse, before any work, outputs that would destroy an input, files mcds did not write, or an
    existing file without --overwrite."""
    from mcds.convert.package import form_of
    from mcds.convert.provenance import sidecar
    from mcds.submission import guard_output

    written = guard_output(out, inputs, overwrite=overwrite)
    guard_output(sidecar(out), inputs, overwrite=overwrite)  # the provenance file written beside it
    if report_path is not None:
        report = guard_output(report_path, [*inputs], overwrite=overwrite)
        if (form or form_of(out)) == "csv" and (report == written or written in report.parents):
            raise click.UsageError("give --report a file outside the --out package folder")


def finish(sub: Submission, report: ConversionReport, out: Path, report_path: Path | None) -> None:
    """Write the submission (and where its rows came from, beside it), validate what was written, and
    report both: the validator's issues in the coordinates of the files converted."""
    from mcds import render
    from mcds.convert.package import write_any
    from mcds.convert.provenance import write as write_provenance
    from mcds.derive import dumps
    from mcds.submission import atomic_path
    from mcds.validate import validate

    write_any(sub, out)
    if report.provenance is not None:
        write_provenance(report.provenance, out)
    report.validation = validate(out)
    if report_path:
        with atomic_path(report_path) as tmp:
            tmp.write_text(dumps(report.to_dict()), encoding="utf-8")
    click.echo(report.to_text())
    click.echo(f"Wrote {out}")
    click.echo("\nThe submission written, validated:")
    click.echo(render.text(report.validation))
    click.get_current_context().exit(report.exit_code)


@click.group("convert")
def command() -> None:
    """Convert councils' files to the standard, or the standard's forms into one another.

    Every conversion prints a report: for each source table the rows read, written and rejected,
    and why each rejected row could not be converted. Nothing is written over an input, over a
    folder holding other files than a CSV package mcds wrote, or over a file mcds did not write
    (or that was saved since) unless --overwrite is given. Exit status: 0 no row rejected for a fault, 1 some were (see the
    report), 2 the input or options could not be used.

    Examples:

    \b
      mcds convert ssda903 903 --la 886 --year 2025 --out kent-2025
      mcds convert package kent-2025 --to xlsx --out kent-2025.xlsx
    """


@command.command("ssda903")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@council_options
@click.option("--cin", type=click.Path(path_type=Path), help="CIN census XML: adds assessment factors (12A trafficking...).")
@click.option("--previous", "previous", multiple=True, type=click.Path(path_type=Path),
              help="Last year's return (its folder, CSV files or XML; repeat for several files): the DfE's "
                   "year-on-year checks (rules 202-204, 205A-D, 502, 562, 576).")
@output_options
def ssda903(inputs: tuple[Path, ...], la: str, year: int, cin: Path | None, previous: tuple[Path, ...], out: Path,
            report_path: Path | None, overwrite: bool) -> None:
    """Convert an SSDA903 return: a folder, its CSV files, or its XML file.

    CSV tables are recognised by their columns (Header, Episodes, UASC, Missing); other 903
    tables are ignored, with a note. With --previous (last year's return, in either form) the
    DfE's year-on-year checks are made too; a return for another year or council is refused.

    Examples:

    \b
      mcds convert ssda903 903 --la 886 --year 2025 --out kent-2025
    """
    from mcds.convert.ssda903 import convert_ssda903

    guard(out, [*inputs, cin, *previous], report_path, overwrite=overwrite)
    sub, report = convert_ssda903(inputs, la, year, cin=cin, previous=previous or None)
    finish(sub, report, out, report_path)


@command.command("package")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--to", "form", type=click.Choice(["csv", "xlsx", "json"]), required=True,
              help="The form to write: csv (a CSV package folder), xlsx (workbook) or json.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The folder or file to write.")
@overwrite_option
def package(source: Path, form: str, out: Path, overwrite: bool) -> None:
    """Convert a submission between the standard's forms (CSV package, workbook, JSON), losing nothing.

    Examples:

    \b
      mcds convert package kent-2025 --to xlsx --out kent-2025.xlsx
    """
    from mcds.convert.package import read_any, write_any

    guard(out, [source], form=form, overwrite=overwrite)
    sub = read_any(source)
    write_any(sub, out, form)
    rows = ", ".join(f"{name} {len(r)}" for name, r in sub.tables.items())
    click.echo(f"Wrote {out} ({form}): {rows}")


@command.command("annex-a")
@click.argument("source", type=click.Path(path_type=Path))
@council_options
@output_options
def annex_a(source: Path, la: str, year: int, out: Path, report_path: Path | None, overwrite: bool) -> None:
    """Convert the Ofsted Annex A workbook's List 8 (children in care) to the children table, with each
    child's most recent placement (its URN and council).

    Annex A counts episodes but does not list them, so no episodes are made: compare the counts
    with a submission's episodes using `mcds reconcile`.

    Examples:

    \b
      mcds convert annex-a annex-a.xlsx --la 886 --year 2025 --out kent-2025-children
    """
    from mcds.convert.annex_a import convert_annex_a

    guard(out, [source], report_path, overwrite=overwrite)
    sub, report = convert_annex_a(source, la, year)
    finish(sub, report, out, report_path)


@command.command("mapped")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--mapping", type=click.Path(path_type=Path), required=True,
              help="The mapping file (YAML); draft one with `mcds mapping init`.")
@click.option("--la", default=None, help="Council code (overrides the mapping's council.la).")
@click.option("--year", type=int, default=None, callback=_year, help="Collection year (overrides the mapping's council.year).")
@output_options
def mapped(inputs: tuple[Path, ...], mapping: Path, la: str | None, year: int | None, out: Path,
           report_path: Path | None, overwrite: bool) -> None:
    """Convert a council's own export (CSV or XLSX files, or a folder of them) through a mapping file.

    Examples:

    \b
      mcds convert mapped export --mapping liquidlogic.yaml --out kent-2025
    """
    from mcds.convert.mapped import convert_mapped

    guard(out, [*inputs, mapping], report_path, overwrite=overwrite)
    sub, report = convert_mapped(inputs, mapping, la=la, year=year)
    finish(sub, report, out, report_path)
