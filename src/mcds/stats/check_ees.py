"""``mcds check-ees``: the checks of the DfE's screener of Explore Education Statistics files
(eesyscreener, the version in :data:`SCREENER_VERSION`), reimplemented so that a pair of files
passes here exactly when it passes the screener.

As the screener does, each data file is read with its metadata file, then screened stage by
stage; a stage with a failure (an error) stops the later ones, since they rely on what the earlier
ones establish. Warnings never stop it. A file that passes is suitable for the EES API when no
check of the API group warned. The checks are data (``ees_checks.csv``), one module a family
(:mod:`mcds.stats.ees_checks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from mcds.errors import InputError
from mcds.issues import Issue, Location
from mcds.stats.ees_checks import (  # noqa: F401 (importing the modules registers their checks)
    api,
    columns,
    filters,
    general,
    geography,
    geography_lookups,
    harmonised,
    meta,
    time,
)
from mcds.stats.ees_checks.files import Pair, read_table
from mcds.stats.ees_checks.registry import SCREENER, SCREENER_VERSION, STAGES, Finding, checks, issue, run_stage

__all__ = ["CHECKS", "LARGE_FILE_BYTES", "SCREENER_VERSION", "EesReport", "FileResult", "check_ees"]

CHECKS = checks()
MAX_PER_CHECK = 25  # findings of one check in one file; the rest are counted in a note

# The screener reads a data file of 5 MiB or more (its size on disk, compressed if it is gzipped;
# the metadata file is always small) lazily with DuckDB, running its checks as queries, and a smaller
# one into memory, since DuckDB's overhead outweighs the gain there (screen_csv: use_duckdb is
# file.info(datapath)$size >= 5 * 1024^2). It is the same screening either way: the screener's own
# tests pin both ways to the same result of every check. So check-ees screens a file of any size
# with the same checks and says which way the screener reads it (``screener_reads_data``).
LARGE_FILE_BYTES = 5 * 1024**2


@dataclass
class FileResult:
    """The screening of one data file and its metadata file."""

    data_file: str
    meta_file: str
    issues: list[Issue] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data_bytes: int = 0  # the data file's size on disk

    @property
    def read_lazily(self) -> bool:
        """Does the screener read this data file lazily (:data:`LARGE_FILE_BYTES` or more)?"""
        return self.data_bytes >= LARGE_FILE_BYTES

    @property
    def passed(self) -> bool:
        return not any(i.blocking for i in self.issues)

    @property
    def api_suitable(self) -> bool:
        return self.passed and not any(CHECKS[i.code].group == "api" for i in self.issues)

    @property
    def overall_stage(self) -> str:
        """As the screener says it: ``Passed``, or the stage that failed (``Check meta checks``)."""
        return "Passed" if self.passed else f"{self.stages[-1]} checks"

    def to_dict(self) -> dict[str, Any]:
        return {"data_file": self.data_file, "meta_file": self.meta_file, "passed": self.passed,
                "api_suitable": self.api_suitable, "overall_stage": self.overall_stage, "stages_run": self.stages,
                "data_file_bytes": self.data_bytes, "screener_reads_data": "lazily" if self.read_lazily else "in memory",
                "issues": [_issue_dict(i) for i in self.issues], "notes": self.notes}


def _issue_dict(i: Issue) -> dict[str, Any]:
    c = CHECKS[i.code]
    return {**i.to_dict(), "check": c.check, "stage": c.stage, "group": c.group, "guidance_url": c.guidance_url}


@dataclass
class EesReport:
    """The screening of every pair of files in a folder (or of one pair)."""

    source: str
    files: list[FileResult] = field(default_factory=list)
    folder_issues: list[Issue] = field(default_factory=list)

    @property
    def issues(self) -> list[Issue]:
        return [*self.folder_issues, *(i for f in self.files for i in f.issues)]

    @property
    def valid(self) -> bool:
        """Do the files pass the screener (warnings allowed)?"""
        return not self.folder_issues and all(f.passed for f in self.files)

    @property
    def api_suitable(self) -> bool:
        return self.valid and all(f.api_suitable for f in self.files)

    @property
    def notes(self) -> list[str]:
        return [f"{f.data_file}: {n}" for f in self.files for n in f.notes]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    def project(self, *keys: str) -> list[tuple[Any, ...]]:
        """The issues as tuples of the given keys (tests compare projections, not wording)."""
        return [tuple(_issue_dict(i).get(k) for k in keys) for i in self.issues]

    def to_dict(self) -> dict[str, Any]:
        return {"screener": SCREENER, "screener_version": SCREENER_VERSION, "source": self.source,
                "passed": self.valid, "api_suitable": self.api_suitable,
                "folder_issues": [_issue_dict(i) for i in self.folder_issues],
                "files": [f.to_dict() for f in self.files]}


def _read_error(exc: BaseException) -> str:
    """The first line of a reader's message: never the line of the file it quotes."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r"^(Invalid Input Error|IO Error|Conversion Error): ", "", text)[:200]


def screen_pair(data_path: Path, meta_path: Path) -> FileResult:
    """Screen one data file and its metadata file as ``screen_csv`` does."""
    result = FileResult(data_path.name, meta_path.name)
    pair = Pair(data_path.name, meta_path.name)
    result.stages.append("File read")
    for attr, path, text in (("data", data_path, True), ("meta", meta_path, False)):
        name = path.name
        try:
            if not path.is_file():
                raise FileNotFoundError(f"there is no file {name}")
            if text:
                result.data_bytes = path.stat().st_size
            if path.suffix.lower() not in ((".csv", ".gz") if text else (".csv",)):
                raise ValueError(f"{name} is not a CSV file (its name ends {path.suffix or 'without an extension'})")
            setattr(pair, attr, read_table(path, all_text=text))
        except (duckdb.Error, OSError, UnicodeError, ValueError) as exc:
            result.issues.append(issue("ees-file-read", Finding(Location(file=name), None,
                                                                {"reason": _read_error(exc)})))
            return result
    for stage in STAGES[2:]:
        result.stages.append(stage)
        found = list(run_stage(stage, pair))
        result.issues += _capped(found, result.notes)
        if any(i.blocking for i in found):
            break
    return result


def _capped(found: list[Issue], notes: list[str]) -> list[Issue]:
    kept: list[Issue] = []
    counts: dict[str, int] = {}
    for i in found:
        counts[i.code] = counts.get(i.code, 0) + 1
        if counts[i.code] <= MAX_PER_CHECK:
            kept.append(i)
    notes += [f"{code}: {n - MAX_PER_CHECK} more not listed" for code, n in counts.items() if n > MAX_PER_CHECK]
    return kept


def pairs_in(folder: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """The (data file, metadata file) pairs of a folder, and the metadata files without a data file.

    As the screener's own runs: every ``.csv`` file whose name has no ``.meta.`` is a data file;
    its metadata file is the first ``STEM.meta.*`` file, else ``STEM.meta.csv``."""
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    datas = [n for n in names if n.endswith(".csv") and ".meta." not in n]
    out, used = [], set()
    for d in datas:
        stem = d.removesuffix(".csv")
        meta_name = next((n for n in names if n.startswith(stem + ".meta.")), stem + ".meta.csv")
        out.append((d, meta_name))
        used.add(meta_name)
    orphans = [n for n in names if n.endswith(".meta.csv") and n not in used]
    return out, orphans


def check_ees(path: Path, meta_file: Path | None = None) -> EesReport:
    """Screen the EES files at ``path``: every pair in a folder, or one data file (with
    ``meta_file``, else the ``STEM.meta.csv`` beside it). Raises InputError if there is no such path."""
    path = Path(path)
    if path.is_file():
        meta_path = meta_file or path.with_name(path.name.removesuffix(".csv") + ".meta.csv")
        return EesReport(str(path), [screen_pair(path, Path(meta_path))])
    if not path.is_dir():
        raise InputError(path, "no such file or folder")
    report = EesReport(str(path))
    found, orphans = pairs_in(path)
    if not found:
        report.folder_issues.append(issue("ees-no-data-file", Finding(Location(), path.name or str(path))))
    for name in orphans:
        report.folder_issues.append(issue("ees-file-read", Finding(Location(file=name), None, {
            "reason": f"there is no data file {name.removesuffix('.meta.csv')}.csv for this metadata file"})))
    report.files = [screen_pair(path / d, path / m) for d, m in found]
    return report
