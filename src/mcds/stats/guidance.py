"""What a run covers, and the EES data guidance file that says so beside the data files.

A run of a few councils' returns is not England: its National and Regional rows are totals of the
councils in the run. EES publications keep such rows (leaving the National row out would leave a
reader to add up the councils, and the breakdowns file is published at national and regional level
only) and say what they cover in the data guidance, the text EES asks for of every publication and
data file; so does the report's title area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mcds import standard as std
from mcds.stats.compute import Council
from mcds.stats.config import Disclosure, publication

__all__ = ["Coverage", "coverage", "data_guidance", "filter_definitions", "period_end"]


@dataclass(frozen=True)
class Coverage:
    year: int
    end: dt.date  # the end of the year's reporting period
    councils: int  # councils in the run
    in_operation: int  # councils in the council codelist in operation at the end of the year's period

    @property
    def complete(self) -> bool:
        return self.councils >= self.in_operation

    def sentence(self, country: str) -> str:
        if self.complete:
            return f"These figures cover every council in {country} ({self.in_operation:,})."
        return (f"These figures cover {self.councils:,} of the {self.in_operation:,} councils in {country} "
                f"on {self.end.day} {self.end:%B %Y}: the figures labelled {country} and each "
                f"region are totals of these councils only, not figures for the whole of {country} or the region.")


def period_end(councils: Sequence[Council], year: int) -> dt.date:
    ends = [c.period_end for c in councils if c.time_period == year]
    return max(ends) if ends else dt.date(year, 3, 31)


def period_end_text(year: int, councils: Sequence[Council]) -> str:
    d = period_end(councils, year)
    return f"{d.day} {d:%B %Y}"


def coverage(councils: Sequence[Council], year: int, version: str | None = None) -> Coverage:
    end = period_end(councils, year)
    live = sum(1 for c in std.load(version).codelist("council").by_code.values()
               if (c.extra.get("valid_from") or "0000") <= end.isoformat() < (c.extra.get("valid_to") or "9999"))
    return Coverage(year, end, len({c.new_la_code for c in councils if c.time_period == year}), live)


def filter_definitions(version: str | None = None) -> list[tuple[str, str]]:
    """Each filter's label and definition: its hint, and the descriptions of the fields it reads."""
    fields = {f"{f.table}.{f.name}": f for f in std.load(version).all_fields()}
    out = []
    for f in publication(version).filters:
        described = [f"From the field {s}: {fields[s].description}" for s in f.sources if s in fields]
        when = f.hint.removeprefix("Filter by whether ").rstrip(".")
        out.append((f.label, " ".join([f"Yes when {when}." if when != f.hint.rstrip(".") else when + ".", *described])))
    return out


def data_guidance(councils: Sequence[Council], files: Sequence[tuple[str, str]], cfg: Disclosure,
                  version: str | None = None) -> str:
    """The EES data guidance (plain text): the publication, its coverage, and each data file."""
    pub, rel = publication(version), cfg.release
    years = sorted({c.time_period for c in councils})
    lines = [pub.dataset.title, "=" * len(pub.dataset.title), "", f"Status: {rel.status}.",
             f"Producer: {rel.producer or 'not set'}.", f"Contact: {rel.contact or 'not set'}.", "",
             "Description", "-----------",
             f"Counts and rates of looked-after children who went missing from care or were away from placement "
             f"without authorisation, and of their episodes, for {pub.country.name}, its regions and each council in "
             f"the run, for all children and by {', '.join(f.label.lower() for f in pub.filters)}; computed by mcds "
             f"from councils' returns in the Missing from Care Data Standard {std.load(version).version}, "
             "disclosure-controlled and audited before publication.", ""]
    lines += ["Coverage", "--------"]
    lines += [f"Reporting year ending {period_end_text(y, councils)}: "
              f"{coverage(councils, y, version).sentence(pub.country.name)}" for y in years]
    lines += ["", "Filters", "-------", *(f"{label}: {text}" for label, text in filter_definitions(version))]
    lines += ["", "Data files", "----------"]
    for name, description in files:
        lines += [f"{name}: {description}"]
    lines += ["", "Symbols", "-------", f"{cfg.symbols.suppressed}: not shown, to protect confidentiality.",
              f"{cfg.symbols.rounds_to_zero}: more than zero, but rounds to zero.",
              f"{cfg.symbols.not_collected}: not available: the council's records do not hold these data.",
              f"{cfg.symbols.not_applicable}: not applicable.", "",
              f"National and regional counts are rounded to the nearest {cfg.round_base}; council counts from "
              f"{cfg.suppress_min} to {cfg.suppress_max} are suppressed, with any other figure from which one "
              "could be worked out.", ""]
    return "\n".join(lines)
