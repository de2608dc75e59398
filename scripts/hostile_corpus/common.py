"""Paths, the commands each kind of input goes through, and the case registry (``CASES``, ``build``, ``manifest``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
OUT = ROOT / "tests" / "hostile"
KENT = FIXTURES / "valid" / "kent"
KEY = "hostile-corpus-key-0123456789abcdef0123456789"  # a test key (not secret): for pseudonymise runs

# ---------------------------------------------------------------- the commands each kind of input goes through

PACKAGE = "{case}/package"


def package_runs(target: str = PACKAGE) -> dict[str, list[str]]:
    return {
        "validate": ["validate", target],
        "convert-package": ["convert", "package", target, "--to", "json", "--out", "{out}/out.json"],
        "pseudonymise": ["pseudonymise", target, "{out}/pseudo", "--key-env", "MCDS_HOSTILE_KEY"],
        "stats": ["stats", target, "--out", "{out}/stats"],
    }


def workbook_runs(target: str) -> dict[str, list[str]]:
    return {
        "validate": ["validate", target],
        "convert-package": ["convert", "package", target, "--to", "json", "--out", "{out}/out.json"],
        "annex-a": ["convert", "annex-a", target, "--la", "886", "--year", "2025", "--out", "{out}/pkg"],
    }


def xml903_runs(target: str) -> dict[str, list[str]]:
    return {"convert-ssda903": ["convert", "ssda903", target, "--la", "886", "--year", "2025", "--out", "{out}/pkg"]}


def cin_runs(target: str) -> dict[str, list[str]]:
    return {"convert-ssda903-cin": ["convert", "ssda903", "{fixtures}/ssda903/csv-2025-26", "--cin", target,
                                    "--la", "886", "--year", "2026", "--out", "{out}/pkg"]}


def csv903_runs(target: str = "{case}/903") -> dict[str, list[str]]:
    # the return is fixtures/ssda903/csv-2025-26: the 2025-26 collection (converted as another year, its
    # episodes lie outside the period and mcds convert, validating what it wrote, exits 1)
    return {"convert-ssda903": ["convert", "ssda903", target, "--la", "886", "--year", "2026", "--out", "{out}/pkg"]}


def mapped_runs(target: str = "{case}/export") -> dict[str, list[str]]:
    return {"convert-mapped": ["convert", "mapped", target, "--mapping", f"{target}/mapping.yaml", "--out", "{out}/pkg"]}


# ---------------------------------------------------------------- cases


@dataclass
class Expect:
    exit: int
    contains: tuple[str, ...] = ()      # fragments of stdout + stderr
    absent: tuple[str, ...] = ()
    output_contains: tuple[str, ...] = ()  # fragments of the written output (convert package --to json)


@dataclass
class Case:
    id: str
    description: str
    build: Callable[[Path], None]
    runs: dict[str, list[str]]
    expect: dict[str, Expect]               # by run name; "*" for every run without its own
    generated: bool = False                 # huge or symbolic links: built at test time, not committed
    seconds: float = 30.0                   # time bound of each run
    extra: dict[str, object] = field(default_factory=dict)

    def expected(self, run: str) -> Expect:
        return self.expect.get(run) or self.expect["*"]


CASES: list[Case] = []


def case(id: str, description: str, runs: dict[str, list[str]], expect: dict[str, Expect] | Expect, *,
         generated: bool = False, seconds: float = 30.0) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    def register(build: Callable[[Path], None]) -> Callable[[Path], None]:
        CASES.append(Case(id, description, build, runs, expect if isinstance(expect, dict) else {"*": expect},
                          generated, seconds))
        return build

    return register


# ---------------------------------------------------------------- writing the corpus


def manifest(cases: list[Case]) -> list[dict[str, object]]:
    out = []
    for c in cases:
        out.append({
            "id": c.id, "description": c.description, "generated": c.generated, "seconds": c.seconds,
            "runs": [{"name": name, "args": args, "exit": c.expected(name).exit,
                      "contains": list(c.expected(name).contains), "absent": list(c.expected(name).absent),
                      "output_contains": list(c.expected(name).output_contains)}
                     for name, args in c.runs.items()],
        })
    return out


def build(case_id: str, folder: Path) -> Path:
    """Build one case into ``folder/<id>``."""
    c = next(c for c in CASES if c.id == case_id)
    d = folder / c.id
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    c.build(d)
    return d
