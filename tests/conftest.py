from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
VALID_FIXTURES = sorted(p for p in (FIXTURES / "valid").iterdir() if p.is_dir())


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(params=VALID_FIXTURES, ids=lambda p: p.name)
def valid_package(request: pytest.FixtureRequest) -> Path:
    return request.param


@pytest.fixture
def earlier_return(tmp_path: Path) -> Path:
    """Kent's valid return moved to the reporting year before (2023-24), without episodes or interviews."""
    from mcds.submission import read_csv_package, write_csv_package

    sub = read_csv_package(FIXTURES / "valid" / "kent")
    sub.metadata["period_start"], sub.metadata["period_end"] = "2023-04-01", "2024-03-31"
    for table in ("missing_episodes", "interview_episodes", "return_interviews"):
        sub.tables[table] = []
    write_csv_package(sub, tmp_path / "earlier")
    return tmp_path / "earlier"


# ------------------------------------------------------------------ sampled comparisons
# A test marked ``@pytest.mark.sample(n)`` compares a second way of running (the validation plan, the
# browser page, a group) with the validator over the conformance cases, which test_conformance.py runs
# in full: by default only every n-th of its parametrized cases runs, so CI stays under 30 minutes.
# MCDS_FULL_RUNNERS=1 runs every case.


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sample(n): run every n-th parametrized case unless MCDS_FULL_RUNNERS=1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("MCDS_FULL_RUNNERS"):
        return
    seen: dict[tuple[str, str], int] = {}
    keep, drop = [], []
    for item in items:
        mark = item.get_closest_marker("sample")
        if mark is None:
            keep.append(item)
            continue
        key = (item.nodeid.split("::")[0], getattr(item, "originalname", item.name))
        k = seen[key] = seen.get(key, -1) + 1
        (keep if k % mark.args[0] == 0 else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
