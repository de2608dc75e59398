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
