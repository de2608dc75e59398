"""The breakdowns file (standard 1.1, statistics.json ``breakdowns``): England's and each region's
counts by sex, nationality group, type of exploitation and NRM outcome, one breakdown at a time."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from mcds.stats import run
from mcds.stats.breakdowns import count, counts
from mcds.stats.compute import TOTAL, Aggregator, compute
from mcds.stats.config import publication
from mcds.stats.load import load_package

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "valid"
PUB = publication()


def _councils(*names: str):  # type: ignore[no-untyped-def]
    packages = [load_package(FIXTURES / n) for n in names]
    try:
        return compute(packages)
    finally:
        for p in packages:
            p.close()


def _truth(name: str, breakdown: str) -> Counter:
    """Children looked after by level, counted here from the package's own CSV with Python alone."""
    with (FIXTURES / name / "children.csv").open(encoding="utf-8", newline="") as f:
        kids = list(csv.DictReader(f))
    b = next(b for b in PUB.breakdowns if b.id == breakdown)
    labels = [lv.label for lv in b.levels]
    out: Counter = Counter()
    for k in kids:
        if breakdown == "sex":
            out[{"M": "Male", "F": "Female"}.get(k["sex"], "Unknown")] += 1
        elif breakdown == "exploitation_type":
            types = [t for t in (k["exploitation_types"] or "").split(";") if t]
            names = {"criminal": 0, "sexual": 1, "labour": 2, "domestic_servitude": 3, "organ_harvesting": 4, "unknown": 5}
            for t in types:
                out[labels[names[t]]] += 1
            if not types:
                out[labels[-1]] += 1
    return out


@pytest.mark.parametrize("breakdown", ["sex", "exploitation_type"])
@pytest.mark.parametrize("name", ["kent", "manchester"])
def test_levels_count_the_children_as_the_package_holds_them(name: str, breakdown: str) -> None:
    (c,) = _councils(name)
    agg = Aggregator()
    ind = agg.inds["children_looked_after"]
    b = next(b for b in PUB.breakdowns if b.id == breakdown)
    got = Counter({lv.label: count(agg, ind, [c], b, k).value for k, lv in enumerate(b.levels)})
    assert +got == _truth(name, breakdown)


def test_exclusive_levels_add_up_to_all_children_and_overlapping_ones_cover_them() -> None:
    councils = _councils("kent", "manchester", "croydon")
    agg = Aggregator()
    total = (TOTAL,) * len(PUB.filters)
    for c in councils:
        for ind in counts(agg):
            whole = agg.stat(ind, [c], total)
            if whole.kind != "value":
                continue
            for b in PUB.breakdowns:
                levels = [count(agg, ind, [c], b, k) for k in range(len(b.levels))]
                if any(s.kind != "value" for s in levels):
                    continue
                values = [s.value for s in levels]
                if b.exclusive:
                    assert sum(values) == whole.value, (c.name, ind.id, b.id)
                else:
                    assert all(v <= whole.value for v in values) and sum(values) >= whole.value, (c.name, ind.id, b.id)


def test_a_council_not_collecting_what_a_breakdown_needs_makes_its_areas_x(tmp_path: Path) -> None:
    councils = _councils("kent", "manchester")
    councils[0].not_collected.add("children.nationality")
    agg = Aggregator()
    ind = agg.inds["children_missing"]
    nat = next(b for b in PUB.breakdowns if b.id == "nationality_group")
    sex = next(b for b in PUB.breakdowns if b.id == "sex")
    assert count(agg, ind, councils, nat, 0).kind == "x"
    assert count(agg, ind, councils[1:], nat, 0).kind == "value"
    assert count(agg, ind, councils, sex, 0).kind == "value"


def test_the_file_is_national_and_regional_rounded_and_its_total_row_is_the_data_files(tmp_path: Path) -> None:
    out = run([FIXTURES / "kent", FIXTURES / "manchester", FIXTURES / "croydon"], tmp_path / "o")
    assert out.breakdowns is not None
    with out.breakdowns.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with out.data.open(encoding="utf-8", newline="") as f:
        main = list(csv.DictReader(f))
    assert {r["geographic_level"] for r in rows} == {"National", "Regional"}
    counts = list(PUB.breakdowns_published.indicators)
    assert out.breakdowns.read_text(encoding="utf-8").splitlines()[0].endswith(",".join(counts))
    for r in rows:
        for i in counts:
            assert r[i] in ("c", "x", "low") or int(r[i]) % 10 == 0, (r["breakdown"], i, r[i])
    topics = {r["breakdown_topic"] for r in rows}
    assert topics == {"Total", *(b.label for b in PUB.breakdowns)}
    for r in (r for r in rows if r["breakdown_topic"] == "Total"):
        same = next(m for m in main if m["geographic_level"] == r["geographic_level"]
                    and m["region_code"] == r["region_code"] and all(m[f.id] == "Total" for f in PUB.filters))
        assert all(r[i] == same[i] for i in counts)
    # DuckDB reads the file as EES would: one row per area, topic and level, none twice
    con = duckdb.connect()
    dupes = con.execute("SELECT count(*) FROM (SELECT geographic_level, region_code, breakdown_topic, breakdown "
                        "FROM read_csv(?, all_varchar = true) GROUP BY ALL HAVING count(*) > 1)",
                        [str(out.breakdowns)]).fetchone()[0]
    assert dupes == 0
    html = out.report.read_text(encoding="utf-8")
    assert "missing_from_care_breakdowns.csv" in html


def test_the_breakdowns_are_deterministic_and_independent_of_argument_order(tmp_path: Path) -> None:
    run([FIXTURES / "kent", FIXTURES / "croydon", FIXTURES / "manchester"], tmp_path / "a")
    run([FIXTURES / "manchester", FIXTURES / "kent", FIXTURES / "croydon"], tmp_path / "b")
    for name in ("missing_from_care_breakdowns.csv", "missing_from_care_breakdowns.meta.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_version_1_0_publishes_no_breakdowns() -> None:
    assert publication("1.0").breakdowns == ()


def test_only_the_counts_the_file_publishes_are_broken_down() -> None:
    # the indicator query counts levels for breakdowns_published.indicators only: asking for another
    # count's levels is an error, never a silent 0
    (c,) = _councils("kent")
    agg = Aggregator()
    published = {i.id for i in counts(agg)}
    others = [i for i in agg.inds.values() if i.is_count and i.id not in published]
    assert others and published
    b = PUB.breakdowns[0]
    assert count(agg, agg.inds[sorted(published)[0]], [c], b, 0).kind == "value"
    with pytest.raises(ValueError, match="not broken down"):
        count(agg, others[0], [c], b, 0)
