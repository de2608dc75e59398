"""Stages Precheck time and Check time: time_period and time_identifier."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mcds.stats.ees_checks import lookups as lk
from mcds.stats.ees_checks.files import Pair
from mcds.stats.ees_checks.registry import Finding, check

_PERIOD = re.compile(r"[0-9]{4}([0-9]{2})?")


def _na(v: str | None) -> str:
    return "NA" if v is None else v


def _base(pair: Pair) -> str | None:
    """The file's first time_identifier, the one the others are judged by."""
    ids = pair.data.col("time_identifier")
    return ids[0] if ids else None


@check("ees-time-period-num")
def time_period_num(pair: Pair) -> Iterator[Finding]:
    for (period,) in pair.data.distinct("time_period"):
        if period is None or not _PERIOD.fullmatch(period):
            yield Finding(pair.data.first("time_period", period), _na(period))


@check("ees-time-id-valid")
def time_id_valid(pair: Pair) -> Iterator[Finding]:
    for (ident,) in pair.data.distinct("time_identifier"):
        if ident not in lk.TIME_IDS:
            yield Finding(pair.data.first("time_identifier", ident), _na(ident))


@check("ees-time-id-mix")
def time_id_mix(pair: Pair) -> Iterator[Finding]:
    base = _base(pair)
    allowed = [i for g in lk.TIME_ID_GROUPS if base in g for i in g]
    for (ident,) in pair.data.distinct("time_identifier"):
        if ident not in allowed:
            yield Finding(pair.data.first("time_identifier", ident), _na(ident),
                          {"base": _na(base), "allowed": ", ".join(f"'{a}'" for a in allowed) or "none"})


@check("ees-time-period")
def time_period(pair: Pair) -> Iterator[Finding]:
    base = _base(pair)
    digits = 4 if base in lk.FOUR_DIGIT_IDS else 6 if base in lk.SIX_DIGIT_IDS else None
    if digits is None:
        return
    for (period,) in pair.data.distinct("time_period"):
        if period is None or len(period) != digits:
            yield Finding(pair.data.first("time_period", period), _na(period), {"digits": digits, "identifier": base})
            return


@check("ees-time-period-six")
def time_period_six(pair: Pair) -> Iterator[Finding]:
    for (period,) in pair.data.distinct("time_period"):
        if period is None:
            yield Finding(pair.data.first("time_period", period), "NA")
            return
    for (period,) in pair.data.distinct("time_period"):
        if period is not None and len(period) == 6 and not _consecutive(period):
            yield Finding(pair.data.first("time_period", period), period)


def _consecutive(period: str) -> bool:
    """Do the year ends of a six character period follow one another (``201920``, ``199900``)?"""
    try:
        first, second = int(period[2:4]), int(period[4:6])
    except ValueError:  # not digits: R's as.numeric gives NA and the check cannot pass
        return False
    return (first, second) == (99, 0) or first + 1 == second
