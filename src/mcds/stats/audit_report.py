"""What ``mcds stats --audit`` prints: every suppressed figure and why, and the attacker's interval
for every suppressed council count. The JSON form is specified by ``audit.schema.json`` beside
this module (generated from these models; a test keeps it in sync).

Nothing here gives away a suppressed value: the intervals are what anyone can work out from the
published figures, and the reasons say which rule hid a figure, not what it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mcds.stats.audit import LOCAL_AUTHORITY, Place
from mcds.stats.compute import TOTAL, Aggregator
from mcds.stats.config import Disclosure
from mcds.stats.ees import Published
from mcds.stats.protect import figures

__all__ = ["SCHEMA_PATH", "AuditReport", "audit_report", "schema", "schema_text", "text"]

SCHEMA_PATH = Path(__file__).with_name("audit.schema.json")

Reason = Literal["small", "secondary", "audit", "rests_on_suppressed", "one_council_area"]
REASONS: dict[str, str] = {
    "small": "a council count from suppress_min to suppress_max",
    "secondary": "secondary suppression: it would give away a small count of the same council",
    "audit": "suppressed by the audit, to protect another suppressed count",
    "rests_on_suppressed": "a figure that rests on a suppressed or small count",
    "one_council_area": "an area of one council: the council's suppressed figure",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Where(_Model):
    year: int
    geographic_level: str
    code: str = Field(description="Country, region or council (new_la_code) code")
    filters: dict[str, str] = Field(description="The row's filter levels (empty for a month of the monthly chart)")
    indicator: str
    month: str = Field("", description="YYYY-MM for a figure of the report's chart of monthly counts")
    breakdown: dict[str, str] = Field(default_factory=dict, description="For a figure of the breakdowns file: its "
                                      "breakdown_topic and breakdown (empty otherwise)")


class Suppressed(_Model):
    where: Where
    reason: Reason
    protects: Where | None = Field(None, description="For reason audit: the suppressed count it protects")


class Interval(_Model):
    where: Where
    lower: int = Field(description="The smallest value consistent with everything published")
    upper: int | None = Field(description="The largest value consistent with everything published (null: none)")
    width: int | None
    single_value_under_rule: bool = Field(description="Only one value left for an attacker who also knows the "
                                                      "rule that the council's suppressed cells include a small one")
    protected: bool


class AuditReport(_Model):
    protection_width: int = Field(description="The narrowest interval a suppressed count may keep")
    figures: int = Field(description="Figures published (data file and monthly chart)")
    suppressed: int = Field(description="Figures suppressed (the symbol for confidential)")
    suppressed_by_audit: int
    rounds: int = Field(description="Times the audit ran before every interval held")
    solves: int = Field(description="Linear and integer programmes solved in the last round")
    seconds: float
    protected: bool
    intervals: list[Interval]
    suppressions: list[Suppressed]


def _where(p: Place, filters: list[str]) -> Where:
    return Where(year=p.year, geographic_level=p.level, code=p.code, indicator=p.indicator, month=p.month,
                 filters=dict(zip(filters, p.sel, strict=False)) if p.sel else {})


def audit_report(pub: Published, agg: Aggregator, cfg: Disclosure) -> AuditReport:
    assert pub.protection is not None
    prot = pub.protection
    filters = [f.id for f in agg.pub.filters]
    names = {TOTAL: agg.pub.filter_levels.total, "Y": agg.pub.filter_levels.yes, "N": agg.pub.filter_levels.no}

    levels = {f"{b.id}:{k}": (b.label, lv.label) for b in agg.pub.breakdowns for k, lv in enumerate(b.levels)}

    def where(p: Place) -> Where:
        w = _where(p, filters)
        w.filters = {f: names[s] for f, s in w.filters.items()}
        if p.breakdown in levels:
            w.breakdown = dict(zip(("breakdown_topic", "breakdown"), levels[p.breakdown], strict=True))
        return w

    shown = figures(pub, agg)
    councils = {(c.time_period, c.new_la_code): c for c in pub.councils}
    region_size: dict[tuple[int, str], int] = {}
    for c in pub.councils:
        region_size[c.time_period, c.region_code] = region_size.get((c.time_period, c.region_code), 0) + 1
    year_size = {y: sum(1 for c in pub.councils if c.time_period == y) for y in {c.time_period for c in pub.councils}}
    out: list[Suppressed] = []
    for p, text in sorted(shown.items()):
        if text != cfg.symbols.suppressed:
            continue
        ind = agg.inds[p.indicator]
        reason: Reason
        if p in prot.added:
            reason = "audit"
        elif p.level == LOCAL_AUTHORITY:
            c = councils[p.year, p.code]
            if not ind.is_count:
                reason = "rests_on_suppressed"
            else:
                reason = "small" if cfg.is_small(int(agg.stat(ind, [c], p.sel).value or 0)) else "secondary"
        elif (region_size.get((p.year, p.code)) == 1) or year_size.get(p.year) == 1:
            reason = "one_council_area"
        else:
            reason = "rests_on_suppressed"
        out.append(Suppressed(where=where(p), reason=reason,
                              protects=where(prot.added[p]) if p in prot.added else None))
    intervals = [Interval(where=where(f.place), lower=f.lower, upper=f.upper,
                          width=None if f.upper is None else f.upper - f.lower,
                          single_value_under_rule=f.single_under_rule, protected=f.protected(prot.audit.width))
                 for f in prot.audit.findings]
    return AuditReport(protection_width=prot.audit.width, figures=len(shown), suppressed=len(out),
                       suppressed_by_audit=len(prot.added), rounds=prot.rounds, solves=prot.audit.solves,
                       seconds=round(prot.seconds, 3), protected=not prot.audit.failures,
                       intervals=intervals, suppressions=out)


def _label(w: Where) -> str:
    levels = ", ".join(f"{k}={v}" for k, v in w.filters.items())
    at = f"month {w.month}" if w.month else f"{w.breakdown['breakdown_topic']}: {w.breakdown['breakdown']}" \
        if w.breakdown else levels
    return f"{w.year} {w.geographic_level} {w.code} {w.indicator} ({at})"


def text(report: AuditReport) -> str:
    """The audit for people: a summary, the intervals, then the suppressions and their reasons."""
    share = report.suppressed / report.figures if report.figures else 0.0
    lines = [
        f"Disclosure audit: {'every suppressed count is protected' if report.protected else 'NOT PROTECTED'} "
        f"(an interval of at least {report.protection_width} for each, and more than one value for an attacker "
        "who knows the rules).",
        f"{report.suppressed} of {report.figures} figures suppressed ({share:.1%}), {report.suppressed_by_audit} of "
        f"them by the audit; {report.rounds} round(s), {report.solves} programmes solved in the last, "
        f"{report.seconds:.2f} s.",
        "",
        f"Suppressed council counts and what an attacker can work out ({len(report.intervals)}):",
    ]
    for i in report.intervals:
        upper = "no upper bound" if i.upper is None else str(i.upper)
        note = "" if i.protected else "  <- NOT PROTECTED"
        rule = " (one value under the rule)" if i.single_value_under_rule else ""
        lines.append(f"  {_label(i.where)}: {i.lower} to {upper}{rule}{note}")
    lines += ["", "Suppressed figures and why:"]
    for s in report.suppressions:
        why = REASONS[s.reason] + (f" ({_label(s.protects)})" if s.protects else "")
        lines.append(f"  {_label(s.where)}: {why}")
    return "\n".join(lines) + "\n"


def schema() -> dict:
    out = AuditReport.model_json_schema()
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out["title"] = "mcds stats --audit --format json"
    return out


def schema_text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
