from __future__ import annotations

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
