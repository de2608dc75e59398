"""The hostile corpus (scripts/make_hostile_corpus.py, tests/hostile/): every case through the real CLI,
once per command that takes its kind of input.

Each run must: exit with the expected code (2 when the input cannot be used, with a message naming the
file and the place; 1 or 0 when it was readable and its problems are issues in the report); print no
traceback and no "internal error"; finish within the case's time bound; write nothing at all when it
exits 2, and leave no temporary file behind in any case; never open a network connection; and never
change the corpus it reads.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcds.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "hostile"
SCRIPT = ROOT / "scripts" / "make_hostile_corpus.py"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_hostile_corpus", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


corpus = _script()
MANIFEST = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))
RUNS = [(c, r) for c in MANIFEST for r in c["runs"]]


def test_manifest_matches_the_script() -> None:
    """The committed corpus is what the script generates (run it after changing a case)."""
    assert json.loads(json.dumps(corpus.manifest(corpus.CASES))) == MANIFEST
    committed = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert committed == {c.id for c in corpus.CASES if not c.generated}


def test_corpus_is_small_and_covers_every_input_kind() -> None:
    size = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert size < 3 * 1024**2  # 2.6 MB with version 1.1's six tables
    ids = {c["id"].split("-")[0] for c in MANIFEST}
    assert {"pkg", "zip", "xlsx", "xml", "csv", "json", "903", "mapped"} <= ids
    commands = {r["args"][0] if r["args"][0] != "convert" else f"convert {r['args'][1]}" for _, r in RUNS}
    assert commands == {"validate", "convert package", "convert ssda903", "convert annex-a", "convert mapped",
                        "stats", "pseudonymise"}


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("hostile-generated")
    built: dict[str, Path] = {}

    def get(case_id: str) -> Path:
        if case_id not in built:
            built[case_id] = corpus.build(case_id, folder)
        return built[case_id]

    return get


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.mark.parametrize(("case", "run"), RUNS, ids=[f"{c['id']}:{r['name']}" for c, r in RUNS])
def test_hostile_case(case: dict, run: dict, tmp_path: Path, generated, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    folder = generated(case["id"]) if case["generated"] else CORPUS / case["id"]
    before = _snapshot(folder)
    out = tmp_path / "out"
    args = [a.format(case=folder, out=out, fixtures=ROOT / "fixtures") for a in run["args"]]
    monkeypatch.setenv("MCDS_HOSTILE_KEY", corpus.KEY)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)

    start = time.monotonic()
    result = CliRunner().invoke(main, args)
    elapsed = time.monotonic() - start

    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in text and "internal error" not in text, text[-2000:]
    assert result.exit_code == run["exit"], text[-2000:]
    for fragment in run["contains"]:
        assert fragment in text, f"{fragment!r} not in: {text[-2000:]}"
    for fragment in run["absent"]:
        assert fragment not in text, f"{fragment!r} in: {text[-2000:]}"
    assert elapsed < case["seconds"], f"took {elapsed:.1f}s"
    if run["exit"] == 2:
        assert not out.exists(), f"wrote {sorted(p.name for p in out.rglob('*'))}"
        assert text.startswith("mcds: error: ") or "\nmcds: error: " in text or text.startswith("Usage")
    if out.exists():
        strays = [p.name for p in out.rglob(".*")]
        assert strays == [], f"temporary files left behind: {strays}"
    if run["output_contains"]:
        written = (out / "out.json").read_text(encoding="utf-8")
        compact = json.dumps(json.loads(written), ensure_ascii=False)
        for fragment in run["output_contains"]:
            assert fragment in compact, f"{fragment!r} not in the output"
    assert _snapshot(folder) == before, "the run changed its input"


@pytest.mark.parametrize("case_id", ["pkg-path-dotdot", "xlsx-dates", "xlsx-formula", "json-duplicate-keys",
                                     "xml-903-billion-laughs", "mapped-xlsx-far-cell"])
def test_committed_cases_are_what_the_script_generates(tmp_path: Path, case_id: str) -> None:
    built = corpus.build(case_id, tmp_path)
    committed = CORPUS / case_id
    files = sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    for f in files:
        assert (built / f).read_bytes() == (committed / f).read_bytes(), f
