"""Validate a submission: the public API.

- :func:`validate` returns a :class:`~mcds.issues.Report` of every issue;
- :func:`iter_issues` yields the issues as they are found;
- :func:`is_valid` says whether the submission is valid (it stops at the first blocking issue);
- :func:`load` validates and also returns the submission in the typed DuckDB shape
  (:mod:`mcds.engine`), so statistics need not read the files twice.

The input's form (CSV package folder, its ``datapackage.json`` or a ``.zip`` of it; an XLSX
workbook; the JSON form) is detected by content, and the standard's version is read from the
data unless ``standard_version`` is given. Unreadable input raises :class:`mcds.errors.InputError`;
problems in the data are issues, never exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mcds import standard as std
from mcds.catalogue import catalogue
from mcds.explanations import Explanation, Explanations
from mcds.issues import MAX_ISSUES, Issue, Report, Severity, Unlisted
from mcds.readers import RawSubmission
from mcds.validation import Progress, Validation

__all__ = ["MAX_ISSUES", "Loaded", "is_valid", "iter_issues", "load", "sort_key", "validate"]

ExplanationsArg = Path | str | Iterable[Explanation] | None


@dataclass
class Loaded:
    """A validated submission: the report, and the data in the typed shape of :mod:`mcds.engine`."""

    report: Report
    con: duckdb.DuckDBPyConnection
    standard: std.Standard
    raw: RawSubmission


def sort_key(s: std.Standard):  # type: ignore[no-untyped-def]
    """Order of a report: submission-wide issues, then table by table in the standard's order, by
    row and column."""
    order = {name: i for i, name in enumerate(s.tables)}

    def key(i: Issue) -> tuple[object, ...]:
        loc = i.location
        table = -2 if loc.table == "metadata" else order.get(loc.table or "", -1)
        col = (len(loc.column), loc.column) if loc.column else (0, "")
        return (table, loc.file or "", loc.sheet or "", loc.row or 0, col, i.code)

    return key


def _notes(run: Validation, explained: Explanations) -> list[str]:
    notes = list(run.notes)
    if explained.unused:
        notes.append(f"{len(explained.unused)} explanation(s) matched no query: "
                     + "; ".join(f"{e.code} {e.table or ''} {e.row or e.record_id}".replace("  ", " ")
                                 for e in explained.unused[:5]))
    return notes


def _locate(issues: list[Issue], path: Path, run: Validation, s: std.Standard) -> tuple[list[Issue], list[str]]:
    """Each issue with its row's child identifier, where the version's report has one; and, for a package
    mcds converted (its provenance beside it), in the coordinates of the files converted."""
    from mcds.convert import provenance

    if not issues:
        return issues, []
    if provenance.reports_child_ids(s):
        issues = provenance.with_child_ids(issues, run.con, s.tables)
    return provenance.apply(issues, path)


class _Listing:
    """The issues of a run, kept up to ``limit`` of each code (the first in the report's order) and counted
    all: memory stays bounded whatever the number of issues."""

    def __init__(self, limit: int | None, key) -> None:  # type: ignore[no-untyped-def]
        self.limit, self.key = limit, key
        self.by_code: dict[str, list[Issue]] = {}
        self.unlisted = Unlisted()

    def add(self, issue: Issue) -> None:
        kept = self.by_code.setdefault(issue.code, [])
        kept.append(issue)
        if self.limit is not None and len(kept) >= 2 * self.limit + 64:
            self._cut(kept)

    def _cut(self, kept: list[Issue]) -> None:
        kept.sort(key=self.key)
        for i in kept[self.limit:]:
            self.unlisted.add(i)
        del kept[self.limit:]

    def issues(self) -> list[Issue]:
        out: list[Issue] = []
        for kept in self.by_code.values():
            if self.limit is not None and len(kept) > self.limit:
                self._cut(kept)
            out += kept
        return out


def load(path: Path | str, *, standard_version: str | None = None, explanations: ExplanationsArg = None,
         progress: Progress | None = None, keep_raw: bool = False, warnings: bool = True,
         threads: int | None = None, max_issues: int | None = None) -> Loaded:
    """Validate the submission at ``path`` and keep it loaded in the typed shape.

    ``keep_raw`` also keeps the cells as written (``Loaded.raw``'s relations), for an annotated copy;
    without it they are dropped as soon as the typed tables are made, to save memory.
    ``warnings=False`` leaves out every warning (their rules are not run): the report then has the same
    validity, errors and queries as the full one, faster, for callers that need no more (statistics).
    ``threads``: DuckDB's threads for this run (default: every core); 1 runs one query at a time.
    ``max_issues``: list at most this many issues of each code (the first in the report's order; None:
    every one); the report's counts and validity take in those not listed (``Report.unlisted``)."""
    explained = Explanations.load(explanations)
    run = Validation(Path(path), standard_version=standard_version, progress=progress, keep_raw=keep_raw,
                     warnings=warnings, threads=threads, max_issues=max_issues)
    listing: _Listing | None = None
    for i in explained.apply(run.issues()):
        if listing is None:  # the version is known once the first issue is found
            listing = _Listing(max_issues, sort_key(run.standard))  # type: ignore[arg-type]
        if warnings or i.severity is not Severity.WARNING:
            listing.add(i)
    s = run.standard
    assert s is not None and run.raw is not None
    issues = listing.issues() if listing else []
    unlisted = listing.unlisted if listing else Unlisted()
    kinds = catalogue(s.version)
    for code, n in run.unlisted.items():  # cell findings counted in DuckDB, never fetched (never queries)
        severity = kinds[code].severity
        if warnings or severity is not Severity.WARNING:
            unlisted.by_code[code] = unlisted.by_code.get(code, 0) + n
            unlisted.severity[code] = severity.value
            unlisted.blocking += n if severity is Severity.ERROR else 0
    issues, located = _locate(issues, Path(path), run, s)
    issues.sort(key=sort_key(s))
    report = Report(tuple(issues), s.version, source=str(path), notes=tuple(_notes(run, explained) + located),
                    unlisted=unlisted)
    return Loaded(report=report, con=run.con, standard=s, raw=run.raw)


def validate(path: Path | str, *, standard_version: str | None = None, explanations: ExplanationsArg = None,
             progress: Progress | None = None, max_issues: int | None = None) -> Report:
    """Every issue of the submission at ``path``, as a report (listing at most ``max_issues`` of each code,
    counting every one)."""
    loaded = load(path, standard_version=standard_version, explanations=explanations, progress=progress,
                  max_issues=max_issues)
    loaded.con.close()
    return loaded.report


def iter_issues(path: Path | str, *, standard_version: str | None = None,
                explanations: ExplanationsArg = None) -> Iterator[Issue]:
    """The issues of the submission at ``path``, as they are found (structure, metadata, cells,
    keys, then rules)."""
    run = Validation(Path(path), standard_version=standard_version)
    try:
        yield from Explanations.load(explanations).apply(run.issues())
    finally:
        run.con.close()


def is_valid(path: Path | str, *, standard_version: str | None = None, explanations: ExplanationsArg = None) -> bool:
    """Is the submission valid (no errors, no unexplained queries)? Stops at the first blocking issue."""
    return not any(i.blocking for i in iter_issues(path, standard_version=standard_version, explanations=explanations))


def _attach() -> None:
    # ``mcds.validate`` is also the function itself (``from mcds import validate``); give it the
    # module's API so ``mcds.validate.load(...)`` works either way.
    for name in ("load", "iter_issues", "is_valid", "Loaded"):
        setattr(validate, name, globals()[name])


_attach()
