"""The statistics a version of the standard defines, read from its files.

- ``indicators.csv`` and ``indicators/<id>.sql``: the indicator catalogue;
- ``statistics.json``: the published data set, its country and its filters;
- ``disclosure.json``: the default disclosure control (a publisher may override it).

Nothing about an indicator, a filter or a threshold is written in code.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mcds import standard as std
from mcds.errors import InputError

__all__ = [
    "EES_SYMBOLS",
    "Breakdown",
    "Disclosure",
    "Filter",
    "Indicator",
    "Publication",
    "Release",
    "disclosure_settings",
    "indicators",
    "publication",
    "weakened",
]

Unit = Literal["count", "percent", "days", "ratio"]


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    label: str
    definition: str
    numerator: str
    denominator: str
    unit: Unit
    decimal_places: int
    sources: tuple[str, ...]
    sql_path: str
    sql: str

    @property
    def is_count(self) -> bool:
        return self.unit == "count"

    @property
    def from_ratio(self) -> bool:
        """Computed from two other indicators rather than by its own SQL."""
        return not self.sql and bool(self.numerator and self.denominator)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in cell.split(";") if p.strip())


@functools.cache
def indicators(version: str | None = None) -> dict[str, Indicator]:
    """The indicator catalogue, in file order, with the text of each indicator's SQL."""
    s = std.load(version)
    out: dict[str, Indicator] = {}
    for r in csv.DictReader(io.StringIO(s.read_text("indicators.csv"))):
        sql = s.read_text(r["sql"]).strip().rstrip(";") if r["sql"] else ""
        out[r["id"]] = Indicator(
            id=r["id"], label=r["label"], definition=r["definition"], numerator=r["numerator"],
            denominator=r["denominator"], unit=r["unit"],  # type: ignore[arg-type]
            decimal_places=int(r["decimal_places"]), sources=_split(r["sources"]), sql_path=r["sql"], sql=sql,
        )
    return out


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Filter(_Strict):
    id: str
    label: str
    hint: str = ""
    group: str = Field("", description="The children of the filter's Yes level, as the report labels them")
    yes: str = Field(description="SQL boolean expression over the children table: true for the filter's Yes level")
    sources: tuple[str, ...]


class Country(_Strict):
    code: str
    name: str


class Dataset(_Strict):
    name: str
    title: str


class FilterLevels(_Strict):
    total: str
    yes: str
    no: str


class Level(_Strict):
    label: str
    when: str = Field("", description="SQL boolean expression over the children table: true for a child in the level")
    otherwise: bool = Field(False, description="The level of every child in none of the others (it has no SQL)")


class Breakdown(_Strict):
    """Children split one way (by sex, nationality group, ...), published one breakdown at a time,
    never crossed with the filters or with another breakdown."""

    id: str
    label: str
    hint: str = ""
    exclusive: bool = Field(description="Each child is in exactly one level (the first whose SQL is true, or the "
                                        "otherwise level); when false, a child may be in several, or only in the "
                                        "otherwise level (in none of the others)")
    sources: tuple[str, ...]
    levels: tuple[Level, ...]

    def model_post_init(self, _context: Any) -> None:
        if len(self.levels) > 32:  # the levels a child is in are counted as the bits of one integer
            msg = f"breakdown {self.id}: at most 32 levels"
            raise ValueError(msg)
        others = [n for n, lv in enumerate(self.levels) if lv.otherwise]
        if others not in ([], [len(self.levels) - 1]) or any(bool(lv.when) == lv.otherwise for lv in self.levels):
            msg = f"breakdown {self.id}: every level has SQL, but the otherwise level, which comes last"
            raise ValueError(msg)
        if not self.exclusive and not others:
            msg = f"breakdown {self.id}: a breakdown whose levels overlap needs an otherwise level"
            raise ValueError(msg)


class BreakdownLevels(_Strict):
    total: str


class BreakdownsPublished(_Strict):
    dataset: Dataset
    geographic_levels: tuple[Literal["National", "Regional"], ...]
    indicators: tuple[str, ...] = Field(description="The count indicators broken down, in the order of the file's columns")
    description: str = ""


class Publication(_Strict):
    description: str = ""
    dataset: Dataset
    time_identifier: str
    time_period: str
    country: Country
    filter_levels: FilterLevels
    filters: tuple[Filter, ...]
    breakdown_levels: BreakdownLevels | None = None
    breakdowns: tuple[Breakdown, ...] = ()
    breakdowns_published: BreakdownsPublished | None = None
    report_indicator: str = Field("", description="The indicator the report charts for all children, each filter's "
                                                  "Yes group and each council")


class Symbols(_Strict):
    suppressed: str = "c"
    not_collected: str = "x"
    not_applicable: str = "z"
    rounds_to_zero: str = "low"


class Release(_Strict):
    """What the report and the data guidance say about the release (a publisher sets these in the
    settings file given to ``mcds stats --disclosure``); blank means not set, and the report says so."""

    status: Literal["Management information", "Official statistics in development", "Official statistics"] = Field(
        "Management information", description="Only a producer entitled to (under the Statistics and Registration "
        "Service Act 2007 and the Code of Practice for Statistics) may call a release official statistics")
    producer: str = ""
    published: str = Field("", description="The date the release is published, as the publisher writes it")
    next_update: str = ""
    contact: str = Field("", description="A team name and email address or telephone number")
    methodology_url: str = ""


class Disclosure(_Strict):
    """Disclosure control settings (see ``standard/<version>/disclosure.json``)."""

    description: str = ""
    suppress_min: int = Field(1, ge=1)
    suppress_max: int = Field(5, ge=0)
    secondary_suppression: bool = True
    median_minimum: int = Field(6, ge=1)
    round_base: int = Field(10, ge=1)
    protection_width: int | None = Field(None, ge=1, description="The narrowest interval an attacker may be left "
                                         "with for a suppressed count (largest minus smallest value consistent with "
                                         "everything published); suppress_max when not given")
    symbols: Symbols = Symbols()
    release: Release = Release()

    @property
    def width(self) -> int:
        return self.suppress_max if self.protection_width is None else self.protection_width

    def is_small(self, n: int) -> bool:
        """A count that is suppressed in council rows (and that no statistic may rest on)."""
        return self.suppress_min <= n <= self.suppress_max


@functools.cache
def publication(version: str | None = None) -> Publication:
    return Publication.model_validate(std.load(version).read_json("statistics.json"))


def disclosure_settings(version: str | None = None, override: Path | None = None) -> Disclosure:
    """The standard's default disclosure control, with any settings from ``override`` on top."""
    base: dict[str, Any] = std.load(version).read_json("disclosure.json")
    if override is not None:
        from mcds.safety import load_json, read_text

        text = read_text(Path(override))
        load_json(Path(override), text)  # a repeated key, NaN, runaway nesting or a lone surrogate: refused, with its place
        extra = json.loads(text)  # the same document, its numbers as numbers for the settings' types
        if not isinstance(extra, dict):
            raise InputError(override, "disclosure settings must be a JSON object")
        symbols = {**base.get("symbols", {}), **extra.pop("symbols", {})}
        base = {**base, **extra, "symbols": symbols}
    try:
        settings = Disclosure.model_validate(base)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(override or "disclosure.json", f"{where}: {first['msg']}") from None
    if override is not None:
        weaker = weakened(Disclosure.model_validate(std.load(version).read_json("disclosure.json")), settings)
        if weaker:
            raise InputError(override, f"{weaker}; a publisher may protect more than the standard, never less")
    return settings


# The symbols of the DfE's open data standards (and its screener) for these meanings.
EES_SYMBOLS = frozenset({"c", "x", "z", "low"})


def weakened(standard: Disclosure, settings: Disclosure) -> str:
    """What in ``settings`` protects less than the standard's own (empty when nothing does)."""
    if not settings.secondary_suppression:
        return "secondary_suppression is off"
    for name, direction in (("suppress_min", -1), ("suppress_max", 1), ("median_minimum", 1), ("round_base", 1)):
        mine, theirs = getattr(settings, name), getattr(standard, name)
        if (mine - theirs) * direction < 0:
            return f"{name} {mine} is {'above' if direction < 0 else 'below'} the standard's {theirs}"
    if settings.round_base % standard.round_base:
        return f"round_base {settings.round_base} is not a multiple of the standard's {standard.round_base}"
    if settings.width < standard.width:
        return f"protection_width {settings.width} is below the standard's {standard.width}"
    symbols = settings.symbols.model_dump()
    for meaning, symbol in symbols.items():
        if symbol and symbol[0] in "=+-@\t\r\uff1d\uff0b\uff0d\uff20":
            return f"symbols.{meaning} {symbol!r} would start a spreadsheet formula"
        if symbol not in EES_SYMBOLS:
            return f"symbols.{meaning} {symbol!r} is not one of the EES symbols ({', '.join(sorted(EES_SYMBOLS))})"
    if len(set(symbols.values())) < len(symbols):
        return "two meanings share one symbol"
    if symbols != standard.symbols.model_dump():
        return "the symbols differ from the standard's (EES readers know them by these meanings)"
    return ""
