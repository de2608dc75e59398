"""What the workers of ``mcds stats`` work out for disclosure control (each council's statistics and
its own rows, published by the rules with nothing forced) changes nothing that is published: the
figures are those of disclosure control done wholly in the main process, including for a council
made of several packages, whose figures the workers never saw whole."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

from mcds import stats
from mcds.stats.compute import Aggregator, Part, combine
from mcds.stats.config import disclosure_settings, publication
from mcds.stats.load import load_package

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "valid"
PATHS = [FIXTURES / "kent", FIXTURES / "manchester", FIXTURES / "croydon"]
protect = sys.modules["mcds.stats.protect"].protect  # (the module is shadowed by its function)


@pytest.fixture(scope="module")
def worked() -> tuple[list[Part], list[tuple]]:
    return stats._parts(PATHS, None, workers=1, cfg=disclosure_settings())  # type: ignore[return-value]


def _published(parts: list[Part], done: list[tuple] | None) -> tuple[list[dict], dict]:
    cfg = disclosure_settings()
    councils = combine(parts)
    agg = Aggregator()
    memo = stats._first_round(parts, done, councils, agg) if done is not None else None
    pub = protect(councils, cfg, agg, memo)
    return pub.rows, pub.months


def test_the_workers_rows_are_the_main_process_rows(worked: tuple[list[Part], list[tuple]]) -> None:
    parts, done = worked
    assert len(done) == len(parts) and all(d is not None for d in done)
    seeded = _published(parts, done)
    assert seeded == _published(parts, None)
    # and the workers' rows are what publishing would give: some council count is suppressed in them
    assert any(v == "c" for d in done for v in d[1].values())


def _totals(rows: list[dict], code: str, indicator: str) -> str:
    filters = [f.id for f in publication().filters]
    total = publication().filter_levels.total
    (row,) = [r for r in rows if r.get("new_la_code") == code and all(r[f] == total for f in filters)]
    return row[indicator]


def test_a_council_of_two_packages_is_published_from_their_sum(worked: tuple[list[Part], list[tuple]]) -> None:
    parts, done = worked
    twin = Part(copy.deepcopy(parts[0].council), frozenset())  # a second package of Kent's, with other children
    two = [*parts, twin]
    seeded = _published(two, [*done, done[0]])
    assert seeded == _published(two, None)
    kent = parts[0].council.new_la_code
    once = _totals(_published(parts, None)[0], kent, "children_looked_after")
    assert _totals(seeded[0], kent, "children_looked_after") == str(2 * int(once))  # the sum, not one package's


def test_workers_in_parallel_publish_what_one_process_does(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = disclosure_settings()
    pkgs = [load_package(p) for p in PATHS]
    try:
        alone = stats.statistics(pkgs, cfg)  # the library path: no workers, nothing worked out ahead
    finally:
        for p in pkgs:
            p.close()
    monkeypatch.setattr(stats, "PARALLEL_FROM", 2)  # three packages in two worker processes
    both = stats.published(PATHS, cfg, workers=2)
    assert both.rows == alone.rows
    assert both.months == alone.months

