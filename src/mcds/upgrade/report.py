"""What ``mcds upgrade`` reports: the versions, the input's own check, what was added (derived or
not collected), what the data uses that the new version deprecates, and the output's check. The
JSON form is specified by ``upgrade.schema.json`` beside this module (generated from these
models; a test keeps it in sync).

Nothing here shows a value from the data: only names, codes of the standard and counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mcds.issues import Report, Severity, printable

__all__ = ["SCHEMA_PATH", "Added", "Changed", "Check", "DeprecatedCode", "DeprecatedField", "NotCarried", "UpgradeReport",
           "check", "schema", "schema_text", "text"]

SCHEMA_PATH = Path(__file__).with_name("upgrade.schema.json")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Check(_Model):
    """A submission validated against one version of the standard."""

    standard_version: str
    valid: bool = Field(description="No errors and no unexplained queries")
    errors: int
    queries: int
    warnings: int
    error_codes: dict[str, int] = Field(description="How many errors of each issue code")


class Added(_Model):
    table: str
    field: str | None = Field(None, description="The field added (null: the table)")
    version: str = Field(description="The version that added it")
    derived: int | None = Field(description="Rows made (a table) or values filled (a field) from the data; "
                                            "null when not derived")
    not_collected: bool = Field(description="Listed in the metadata's not_collected: the older data could not hold it")
    note: str = ""


class DeprecatedField(_Model):
    table: str
    field: str
    rows: int = Field(description="Rows with a value in the field")
    deprecated: str = Field(description="The Table Schema's deprecation: version and advice")
    replacement: str | None


class DeprecatedCode(_Model):
    table: str
    field: str
    codelist: str
    code: str
    rows: int
    deprecated: str = Field(description="The codelist's deprecation: version and advice")
    replacement: str | None


class Changed(_Model):
    """A field or code the new version changed (its meaning or wording: see the note) that the data uses."""

    kind: Literal["field-changed", "code-changed"]
    table: str
    field: str
    codelist: str | None = None
    code: str | None = None
    rows: int = Field(description="Rows with a value in the field, or using the code")
    version: str = Field(description="The version that changed it")
    note: str


class NotCarried(_Model):
    """Something in the input that is not part of its version of the standard, so no form of the
    new version can hold it."""

    kind: Literal["table", "column", "metadata"]
    name: str = Field(description="As the input names it: table (sheet, file or key), column header or metadata key")
    table: str | None = Field(None, description="For a column: the table it is in")


class UpgradeReport(_Model):
    source: str
    out: str
    form: Literal["csv", "zip", "xlsx", "json"] = Field(description="The form read, and written")
    from_version: str
    to_version: str
    steps: list[str] = Field(description="Each version the data passed through, the first and last included")
    upgraded: bool = Field(description="Whether the output was written")
    forced: bool
    refused: str | None = Field(None, description="Why the upgrade was refused (null when it was made)")
    input: Check
    output: Check | None = Field(None, description="The output validated against the new version (null when refused)")
    rows: dict[str, int] = Field(description="Rows carried over, by table of the input")
    added: list[Added]
    not_collected: list[str] = Field(description="The output's metadata not_collected")
    deprecated_fields: list[DeprecatedField] = Field(description="Fields deprecated in the new version that the data uses")
    deprecated_codes: list[DeprecatedCode] = Field(description="Codes deprecated in the new version that the data uses")
    changed: list[Changed] = Field(description="Fields and codes whose meaning or wording the new version changed, "
                                               "that the data uses: check the data against each note")
    not_carried: list[NotCarried] = Field(description="What the input holds beyond its version of the standard")


def check(report: Report) -> Check:
    codes: dict[str, int] = {}
    for i in report:
        if i.severity is Severity.ERROR:
            codes[i.code] = codes.get(i.code, 0) + 1
    c = report.counts
    return Check(standard_version=report.standard_version, valid=report.valid, errors=c["error"], queries=c["query"],
                 warnings=c["warning"], error_codes=dict(sorted(codes.items())))


def _check_line(c: Check) -> str:
    verdict = "valid" if c.valid else "not valid"
    codes = ", ".join(f"{code} {n}" for code, n in c.error_codes.items())
    return (f"{verdict} against version {c.standard_version}: {c.errors} error(s), {c.queries} query(ies), "
            f"{c.warnings} warning(s){f' ({codes})' if codes else ''}")


def _name(table: str, field: str | None) -> str:
    return f"{table}.{field}" if field else table


def _lines(lines: list[str]) -> str:
    return "".join(printable(line) + "\n" for line in lines)


def text(r: UpgradeReport) -> str:
    """The report for people (every name passed through :func:`mcds.issues.printable`)."""
    lines = [f"{r.source}: version {r.from_version} -> {r.to_version}"
             + (f" (through {' -> '.join(r.steps)})" if len(r.steps) > 2 else "")]
    lines.append(f"Input: {_check_line(r.input)}")
    if r.not_carried:
        lines.append("Not part of the standard, so not carried over:")
        lines += [f"  {n.kind} {n.name}" + (f" (in {n.table})" if n.table else "") for n in r.not_carried]
    if r.refused:
        lines.append(f"Not upgraded: {r.refused}")
        return _lines(lines)
    lines.append("Carried over: " + ", ".join(f"{t} {n} row(s)" for t, n in r.rows.items()))
    derived = [a for a in r.added if a.derived is not None]
    blank = [a for a in r.added if a.derived is None]
    if derived:
        lines.append("Derived from the data:")
        for a in derived:
            what = "row(s) made" if a.field is None else "value(s) filled"
            lines.append(f"  {_name(a.table, a.field)}: {a.derived} {what}" + (f" ({a.note})" if a.note else ""))
    if blank:
        lines.append("Added, not collected (blank; statistics on them show x):")
        lines += [f"  {_name(a.table, a.field)}" for a in blank]
    if r.deprecated_fields:
        lines.append("Deprecated fields in use (still valid; move to the replacement):")
        lines += [f"  {d.table}.{d.field}: {d.rows} row(s)" + (f"; use {d.replacement}" if d.replacement else "")
                  for d in r.deprecated_fields]
    if r.deprecated_codes:
        lines.append("Deprecated codes in use (still valid; move to the replacement):")
        lines += [f"  {d.table}.{d.field} code {d.code} ({d.codelist}): {d.rows} row(s)"
                  + (f"; use {d.replacement}" if d.replacement else "") for d in r.deprecated_codes]
    if r.changed:
        lines.append("Changed in meaning or wording, in use (check the data against each note: --format json):")
        by_field: dict[str, list[str]] = {}
        for c in r.changed:
            by_field.setdefault(f"{c.table}.{c.field}", []).append(
                f"the field ({c.rows} row(s))" if c.code is None else f"{c.code} ({c.rows})")
        lines += [f"  {name}: {', '.join(parts)}" for name, parts in by_field.items()]
    if r.output:
        lines.append(f"Output: {_check_line(r.output)}")
    lines.append(f"Wrote {r.out} ({r.form}, version {r.to_version})")
    return _lines(lines)


def schema() -> dict:
    """The JSON Schema of ``mcds upgrade --format json``, generated from :class:`UpgradeReport`."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **UpgradeReport.model_json_schema(),
            "title": "mcds upgrade --format json"}


def schema_text() -> str:
    from mcds.derive import dumps

    return dumps(schema())
