from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import mcds
from mcds.cli import main
from mcds.convert.package import read_any
from mcds.pseudonymise import UnusableKeyError, identifier_fields, key_from_env, key_from_file, pseudonymise
from mcds.submission import Submission, read_csv_package, write_csv_package

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
KEY = b"a-council-secret-key-for-tests-0123456789abcdef"
HEX64 = re.compile(r"[0-9a-f]{64}")


def export() -> Submission:
    """Kent as a council's own export: not yet pseudonymised (the fixture says it is)."""
    sub = read_csv_package(KENT)
    sub.metadata["pseudonymised"] = "false"
    return sub


@pytest.fixture
def raw_kent(tmp_path: Path) -> Path:
    write_csv_package(export(), tmp_path / "export")
    return tmp_path / "export"


def _all_bytes(folder: Path) -> bytes:
    if folder.is_file():
        return folder.read_bytes()
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_identifiers_replaced_consistently_across_tables_and_runs() -> None:
    sub = export()
    a, b = pseudonymise(sub, KEY), pseudonymise(sub, KEY)
    assert a.tables == b.tables
    first = sub.rows("children")[0]["child_id"]
    expected = hmac.new(KEY, first.encode(), hashlib.sha256).hexdigest()  # as in every earlier year
    assert a.rows("children")[0]["child_id"] == expected
    old = {c["child_id"] for c in sub.rows("children")}
    new = {c["child_id"] for c in a.rows("children")}
    assert not old & new and len(new) == len(old)
    ids = identifier_fields(sub)
    assert ids == {"children": ["child_id"], "placements": ["placement_id", "child_id", "provider_urn"],
                   "missing_episodes": ["episode_id", "child_id", "placement_id", "group_id"],
                   "return_interviews": ["interview_id", "child_id"], "interview_episodes": ["interview_id", "episode_id"],
                   "nrm_referrals": ["referral_id", "child_id"]}
    for t in ("placements", "missing_episodes", "return_interviews"):
        assert {r["child_id"] for r in a.rows(t)} <= new
    for t, names in ids.items():
        for before, after in zip(sub.rows(t), a.rows(t), strict=True):
            # Every identifier is a pseudonym (a missing one stays missing); nothing else changes.
            assert all(HEX64.fullmatch(after[f]) for f in names if before[f])
            assert all(after[f] == before[f] for f in names if not before[f])
            assert {k: v for k, v in before.items() if k not in names} == {k: v for k, v in after.items() if k not in names}
    assert a.metadata["pseudonymised"] == "true"
    assert pseudonymise(sub, KEY + b"x").rows("children")[0]["child_id"] != expected


def test_record_ids_are_pseudonymised_in_their_own_domain() -> None:
    sub = export()
    # the same text as a child id, a placement id and an episode id
    sub.rows("placements")[0]["placement_id"] = sub.rows("missing_episodes")[0]["episode_id"] = "X1"
    sub.rows("children")[0]["child_id"] = "X1"
    out = pseudonymise(sub, KEY)
    values = {out.rows("placements")[0]["placement_id"], out.rows("missing_episodes")[0]["episode_id"],
              out.rows("children")[0]["child_id"]}
    assert len(values) == 3


def test_short_keys_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "k").write_bytes(b"Kq8vT2mZ7rXw4LpN9bHc3Fd6Gy1Js5V" + b"\n")
    with pytest.raises(UnusableKeyError) as e:
        key_from_file(tmp_path / "k")
    assert "Kq8vT2mZ" not in str(e.value)
    monkeypatch.setenv("MCDS_KEY", "Kq8vT2mZ7rXw4LpN9bHc3Fd6Gy1Js5V")
    with pytest.raises(UnusableKeyError):
        key_from_env("MCDS_KEY")
    (tmp_path / "k").write_bytes(b"Kq8vT2mZ7rXw4LpN9bHc3Fd6Gy1Js5Ve" + b"\r\n")
    assert key_from_file(tmp_path / "k") == b"Kq8vT2mZ7rXw4LpN9bHc3Fd6Gy1Js5Ve"
    with pytest.raises(UnusableKeyError):
        pseudonymise(export(), KEY[:31])


@pytest.mark.parametrize("out_name", ["out", "out.json", "out.xlsx"])
def test_cli_never_writes_the_key_and_output_is_valid(tmp_path: Path, raw_kent: Path, out_name: str) -> None:
    key_file = tmp_path / "secret.key"
    key_file.write_bytes(KEY + b"\n")
    r = CliRunner().invoke(main, ["pseudonymise", str(raw_kent), str(tmp_path / out_name), "--key-file", str(key_file)])
    assert r.exit_code == 0, r.output
    data = _all_bytes(tmp_path / out_name)
    for needle in (KEY, KEY.hex().encode(), KEY[:16]):
        assert needle not in data
        assert needle.decode(errors="ignore") not in r.output
    if out_name.endswith(".xlsx"):  # the workbook is a zip: search its unzipped parts too
        import zipfile

        with zipfile.ZipFile(tmp_path / out_name) as z:
            assert not any(KEY[:16] in z.read(n) for n in z.namelist())
    result = read_any(tmp_path / out_name)
    assert result.metadata["pseudonymised"] == "true"
    assert result.tables == pseudonymise(export(), KEY).tables
    report = mcds.validate(tmp_path / out_name)
    assert report.valid, report.project("code", "table", "row", "field")[:5]


def test_cli_key_from_environment(tmp_path: Path, raw_kent: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCDS_TEST_KEY", KEY.decode())
    runner = CliRunner()
    r = runner.invoke(main, ["pseudonymise", str(raw_kent), str(tmp_path / "a"), "--key-env", "MCDS_TEST_KEY"])
    assert r.exit_code == 0
    assert read_csv_package(tmp_path / "a").tables == pseudonymise(export(), KEY).tables
    r = runner.invoke(main, ["pseudonymise", str(raw_kent), str(tmp_path / "b"), "--key-env", "MCDS_NO_SUCH_VAR"])
    assert r.exit_code == 2 and not (tmp_path / "b").exists()
    r = runner.invoke(main, ["pseudonymise", str(raw_kent), str(tmp_path / "c")])
    assert r.exit_code == 2


def test_ids_built_from_child_ids_keep_nothing_of_them(tmp_path: Path) -> None:
    sub = export()
    # A council whose system builds placement ids from the child's id, with a separator in both.
    local = {c["child_id"]: f"NHS-943-476-{n}" for n, c in enumerate(sub.rows("children"), start=1000)}
    for t in sub.tables.values():
        for r in t:
            if r.get("child_id"):
                r["child_id"] = local[r["child_id"]]
    renamed = {}
    for p in sub.rows("placements"):
        renamed[p["placement_id"]] = f"{p['child_id']}-{p['placement_id']}"
        p["placement_id"] = renamed[p["placement_id"]]
    for e in sub.rows("missing_episodes"):
        e["placement_id"] = renamed.get(e["placement_id"], e["placement_id"])
    out = pseudonymise(sub, KEY)
    ids = {p["placement_id"] for p in out.rows("placements")}
    assert len(ids) == len(renamed) and all(HEX64.fullmatch(i) for i in ids)
    cells = [v for rows in out.tables.values() for r in rows for v in r.values() if v]
    assert not any("NHS-" in v for v in cells)
    assert {e["placement_id"] for e in out.rows("missing_episodes") if e["placement_id"]} <= ids
    write_csv_package(out, tmp_path / "out")
    assert mcds.validate(tmp_path / "out").valid
    written = _all_bytes(tmp_path / "out")
    assert not any(i.encode() in written for i in (*local.values(), *renamed.values()))
