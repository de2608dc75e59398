"""The screener's checks as data, and the decorator that ties a check's function to them.

Every row of ``ees_checks.csv`` is one outcome of one screener check: its code here, the
screener's name for the check, the stage it runs in, its group (``screen``, or ``api`` for the
checks that only decide whether a file suits the EES API), its severity (the screener's FAIL is an
error, WARNING a warning), its message and its guidance link (the screener's own where it has one).
A check function yields :class:`Finding` values; :func:`issue` makes each an :class:`Issue`.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from mcds.issues import Issue, Location, Severity

if TYPE_CHECKING:
    from mcds.stats.ees_checks.files import Pair

SCREENER = "eesyscreener"
SCREENER_VERSION = "0.3.1"  # the DESCRIPTION Version of the screener these checks follow
DEFAULT_GUIDANCE = "https://dfe-analytical-services.github.io/analysts-guide/statistics-production/ud.html"
# the screener's stages, in the order it runs them; a stage with a failure stops the later ones
STAGES = ("Folder", "File read", "Filename", "Precheck columns", "Precheck cross-file", "Check columns",
          "Precheck meta", "Check meta", "Precheck time", "Precheck filters", "Precheck geography", "Check time",
          "Check filters", "Check geography", "Check general", "Check indicators", "Check harmonised", "Check API")


@dataclass(frozen=True, slots=True)
class Check:
    code: str
    check: str  # the screener's name for it (its function without check_ / precheck_)
    stage: str
    group: str
    severity: Severity
    title: str
    message: str
    guidance: str

    @property
    def guidance_url(self) -> str:
        return self.guidance or DEFAULT_GUIDANCE


@functools.cache
def checks() -> dict[str, Check]:
    text = (resources.files("mcds.stats") / "ees_checks.csv").read_text(encoding="utf-8")
    return {r["code"]: Check(r["code"], r["check"].removeprefix("precheck_").removeprefix("check_"), r["stage"],
                             r["group"], Severity(r["severity"]), r["title"], r["message"], r["guidance"])
            for r in csv.DictReader(io.StringIO(text))}


@dataclass(frozen=True)
class Finding:
    """One thing a check found: where, the value at fault, and the message's other parameters."""

    location: Location
    value: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    code: str | None = None  # for a check with two outcomes (a failure and a warning), which one


CheckFunction = Callable[["Pair"], Iterable[Finding]]
# stage -> [(default code, function)] in the screener's order within the stage
_REGISTERED: dict[str, list[tuple[str, CheckFunction]]] = {}


def check(code: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register ``function`` as the check whose (first) code is ``code``."""
    def register(function: CheckFunction) -> CheckFunction:
        _REGISTERED.setdefault(checks()[code].stage, []).append((code, function))
        return function
    return register


def stage_checks(stage: str) -> list[tuple[str, CheckFunction]]:
    """The checks of a stage, in the screener's order (the order of ``ees_checks.csv``)."""
    order = list(checks())
    return sorted(_REGISTERED.get(stage, []), key=lambda entry: order.index(entry[0]))


def issue(default_code: str, finding: Finding) -> Issue:
    code = finding.code or default_code
    c = checks()[code]
    values = {"field": finding.location.field, "file": finding.location.file, "value": finding.value,
              **finding.params}
    message = c.message.format_map(_Blank({k: "" if v is None else v for k, v in values.items()}))
    return Issue(code=code, severity=c.severity, message=message, location=finding.location, value=finding.value)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def run_stage(stage: str, pair: Pair) -> Iterator[Issue]:
    for code, function in stage_checks(stage):
        for finding in function(pair):
            yield issue(code, finding)
