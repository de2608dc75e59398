"""``mcds check-ees`` against the DfE's screener itself, when a copy of its repository
(dfe-analytical-services/eesyscreener, a work tree or a bare git directory) is at
``$MCDS_EESYSCREENER_DIR``: a fixture passes here exactly when the screener's own integration
test says it passes (``tests/testthat/pass``, ``fail``, ``pass-warn-api``, the last passing but not
suitable for the API); every check the screener runs is a check here; the version matches.
Skipped without the copy (CI has no network). The screener is GPL-3: its files are read, never copied."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from mcds.stats.check_ees import CHECKS, SCREENER_VERSION, pairs_in, screen_pair

ROOT = os.environ.get("MCDS_EESYSCREENER_DIR", "")
FOLDERS = {"pass": (True, None), "fail": (False, None), "pass-warn-api": (True, False)}
needs_screener = pytest.mark.skipif(not ROOT or not Path(ROOT).is_dir(), reason="MCDS_EESYSCREENER_DIR not set")


def _git(*args: str) -> bytes | None:
    done = subprocess.run(["git", "--git-dir", ROOT, *args], capture_output=True, check=False)
    return done.stdout if done.returncode == 0 else None


def _worktree() -> bool:
    return (Path(ROOT) / "DESCRIPTION").is_file()


def read(path: str) -> str:
    if _worktree():
        return (Path(ROOT) / path).read_text(encoding="utf-8")
    return (_git("show", f"HEAD:{path}") or b"").decode("utf-8")


def _fixtures() -> list[tuple[str, str, str]]:
    """(folder, data file, metadata file) of every fixture pair."""
    if not ROOT or not Path(ROOT).is_dir():
        return []
    out = []
    for folder in FOLDERS:
        if _worktree():
            names = sorted(p.name for p in (Path(ROOT) / "tests" / "testthat" / folder).iterdir())
        else:
            listing = (_git("ls-tree", "--name-only", f"HEAD:tests/testthat/{folder}") or b"").decode()
            names = sorted(listing.split("\n")) if listing else []
        datas = [n for n in names if n.endswith(".csv") and ".meta." not in n]
        for d in datas:
            stem = d.removesuffix(".csv")
            meta = next((n for n in names if n.startswith(stem + ".meta.")), stem + ".meta.csv")
            out.append((folder, d, meta))
    return out


def _materialise(folder: str, name: str, into: Path) -> bool:
    """Copy the file into ``into``; False if the repository lists it but this copy lacks its content
    (a large file left out of a partial copy). A file it does not list is left absent, as it is there."""
    target = into / name
    if _worktree():
        source = Path(ROOT) / "tests" / "testthat" / folder / name
        if source.is_file():
            target.write_bytes(source.read_bytes())
        return True
    path = f"tests/testthat/{folder}/{name}"
    if not _git("ls-tree", "--name-only", "HEAD", path):
        return True
    blob = _git("show", f"HEAD:{path}")
    if blob is not None:
        target.write_bytes(blob)
    return blob is not None


FIXTURES = _fixtures()


@needs_screener
@pytest.mark.parametrize(("folder", "data", "meta"), FIXTURES or [("none", "none", "none")],
                         ids=[f"{f}/{d}" for f, d, _ in FIXTURES] or ["none"])
def test_check_ees_agrees_with_the_screener_on_its_fixture(tmp_path: Path, folder: str, data: str, meta: str) -> None:
    if not (_materialise(folder, data, tmp_path) and _materialise(folder, meta, tmp_path)):
        pytest.skip("the fixture is not in this copy of the repository (a large file left out)")
    result = screen_pair(tmp_path / data, tmp_path / meta)
    passed, api = FOLDERS[folder]
    assert result.passed == passed, [i.line() for i in result.issues]
    if api is not None:
        assert result.api_suitable == api, [i.line() for i in result.issues]


@needs_screener
def test_every_check_the_screener_runs_is_a_check_of_check_ees() -> None:
    calls: set[str] = set()
    for path in ("R/screen_dfs.R", "R/screen_filenames.R"):
        calls |= set(re.findall(r"^\s+(?:pre)?check_([a-z_]+)\(", read(path), re.MULTILINE))
    ours = {c.check for c in CHECKS.values() if c.check}
    assert calls - ours == set()
    assert ours - calls == {"file_read"}  # screen_csv's own failure when a file cannot be read


@needs_screener
def test_check_ees_matches_the_screener_version() -> None:
    version = re.search(r"^Version:\s*(\S+)", read("DESCRIPTION"), re.MULTILINE)
    assert version and version.group(1) == SCREENER_VERSION


def test_pairs_in_a_folder_follow_the_screener_runs(tmp_path: Path) -> None:
    for name in ("a.csv", "a.meta.csv", "b.csv", "b.meta.txt", "c.meta.csv", "notes.txt"):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    assert pairs_in(tmp_path) == ([("a.csv", "a.meta.csv"), ("b.csv", "b.meta.txt")], ["c.meta.csv"])
