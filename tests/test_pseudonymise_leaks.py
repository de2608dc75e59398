"""Pseudonymisation leaves nothing of an identifier behind, whatever a council's identifiers look like,
and a pseudonymised submission is not pseudonymised again unless asked for."""

from __future__ import annotations

import re
import shutil
import string
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import mcds
from mcds.cli import main
from mcds.pseudonymise import AlreadyPseudonymisedError, identifier_kinds, pseudonymise
from mcds.submission import Submission, read_csv_package, write_csv_package

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
KEY = b"Kq8vT2mZ7rXw4LpN9bHc3Fd6Gy1Js5Ve-leaks"
HEX64 = re.compile(r"[0-9a-f]{64}")
CHILDREN = 6


def _small_export() -> Submission:
    """The first few Kent children who went missing, with every row about them: a council's own export."""
    kent = read_csv_package(KENT)
    kept = list(dict.fromkeys(e["child_id"] for e in kent.rows("missing_episodes")))[:CHILDREN]
    sub = Submission({**kent.metadata, "pseudonymised": "false"})
    for name, rows in kent.tables.items():
        if name != "interview_episodes":
            sub.tables[name] = [dict(r) for r in rows if r["child_id"] in kept]
    interviews = {r["interview_id"] for r in sub.rows("return_interviews")}
    sub.tables["interview_episodes"] = [dict(r) for r in kent.rows("interview_episodes") if r["interview_id"] in interviews]
    return sub


BASE = _small_export()

# A council's identifiers: upper-case letters and digits with separators, starting with a letter, so that no
# code, date or time of the standard holds one and none can turn up by chance in lower-case hexadecimal.
token = st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=6)
separator = st.sampled_from("-._")
child_id = st.builds(lambda first, rest, seps: first + "".join(s + t for s, t in zip(seps, rest, strict=False)),
                     st.sampled_from(string.ascii_uppercase), st.lists(token, min_size=1, max_size=4),
                     st.lists(separator, min_size=4, max_size=4))
child_ids = st.lists(child_id, min_size=CHILDREN, max_size=CHILDREN, unique=True)
# How the council's system builds a record id from the child's id and the record's number.
record_style = st.sampled_from(["{c}-{n}", "{c}.{n}", "{c}_P{n}", "{c}P{n}", "{c}{n}", "R{n}-{c}", "{n}{c}", "X{n}{c}Y"])


def _with_ids(children: list[str], styles: dict[str, str]) -> tuple[Submission, set[str], bool]:
    """``BASE`` with the council's child ids and record ids built from them in the given styles; the
    identifiers; whether the record ids are still keys (``A-1`` + ``12`` is ``A-11`` + ``2``)."""
    sub = Submission(dict(BASE.metadata), {t: [dict(r) for r in rows] for t, rows in BASE.tables.items()})
    child = dict(zip(list(dict.fromkeys(r["child_id"] for r in sub.rows("children"))), children, strict=True))
    records: dict[str, dict[str, str]] = {}
    for table, key in (("placements", "placement_id"), ("missing_episodes", "episode_id"),
                       ("return_interviews", "interview_id")):
        records[key] = {r[key]: styles[key].format(c=child[r["child_id"]], n=n) for n, r in enumerate(sub.rows(table))}
    for rows in sub.tables.values():
        for r in rows:
            if r.get("child_id"):
                r["child_id"] = child[r["child_id"]]
            for key, new in records.items():
                if r.get(key):
                    r[key] = new[r[key]]
    keys = all(len(set(new.values())) == len(new) for new in records.values())
    return sub, {*children, *(v for new in records.values() for v in new.values())}, keys


def _joins_hold(before: Submission, after: Submission) -> None:
    """Each kind of identifier maps one to one, the same in every table: every foreign key still joins."""
    for kind in set(identifier_kinds(before.standard).values()):
        places = [p for p, k in identifier_kinds(before.standard).items() if k == kind]
        pairs = {(b[f], a[f]) for t, f in places for b, a in zip(before.rows(t), after.rows(t), strict=True) if b[f]}
        assert len({o for o, _ in pairs}) == len({p for _, p in pairs}) == len(pairs), kind
        assert all(HEX64.fullmatch(p) for _, p in pairs)
    for t in after.standard.tables.values():
        for fk in t.foreign_keys:
            ref = fk["reference"]
            targets = {tuple(r[f] for f in ref["fields"]) for r in after.rows(ref["resource"])}
            values = {tuple(r[f] for f in fk["fields"]) for r in after.rows(t.name) if all(r[f] for f in fk["fields"])}
            assert values and values <= targets, (t.name, fk)


def test_the_small_export_is_valid(tmp_path: Path) -> None:
    write_csv_package(BASE, tmp_path / "base")
    assert mcds.validate(tmp_path / "base").valid
    assert all(BASE.rows(t) for t in BASE.standard.tables)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(children=child_ids, placement=record_style, episode=record_style, interview=record_style)
def test_no_identifier_survives_and_the_links_hold(children: list[str], placement: str, episode: str,
                                                   interview: str) -> None:
    styles = {"placement_id": placement, "episode_id": episode, "interview_id": interview}
    sub, originals, keys = _with_ids(children, styles)
    assume(keys)
    assert all(len(v) <= 64 for v in originals)
    out = pseudonymise(sub, KEY)
    cells = [v for rows in out.tables.values() for r in rows for v in r.values() if v]
    assert not [(o, c) for c in cells for o in originals if o in c]
    _joins_hold(sub, out)
    folder = Path(tempfile.mkdtemp(prefix="mcds-leaks-"))
    try:
        write_csv_package(out, folder / "pkg")
        written = b"".join(p.read_bytes() for p in (folder / "pkg").iterdir())
        assert not [o for o in originals if o.encode() in written]
        report = mcds.validate(folder / "pkg")
        assert report.valid, report.project("code", "table", "field", "value")[:5]
    finally:
        shutil.rmtree(folder)


def test_the_same_child_has_the_same_pseudonym_whatever_else_changes() -> None:
    a, _, _ = _with_ids(["NHS-943-476-5919", "ABC.12345", "C1", "C2", "C3", "C4"], dict.fromkeys(
        ("placement_id", "episode_id", "interview_id"), "{c}-{n}"))
    b, _, _ = _with_ids(["NHS-943-476-5919", "ABC.12345", "C1", "C2", "C3", "C4"], dict.fromkeys(
        ("placement_id", "episode_id", "interview_id"), "R{n}"))
    pa, pb = pseudonymise(a, KEY), pseudonymise(b, KEY)
    assert pa.rows("children") == pb.rows("children")  # year-on-year matching: child ids alone decide
    assert {r["placement_id"] for r in pa.rows("placements")}.isdisjoint(r["placement_id"] for r in pb.rows("placements"))


# ---------------------------------------------------------------- not pseudonymised twice


def test_a_pseudonymised_submission_is_refused_unless_asked_for() -> None:
    once = pseudonymise(BASE, KEY)
    once.metadata["pseudonymised"] = "false"  # the flag lost on the way: the identifiers still tell
    with pytest.raises(AlreadyPseudonymisedError):
        pseudonymise(once, KEY)
    twice = pseudonymise(once, KEY, again=True)
    assert {r["child_id"] for r in twice.rows("children")}.isdisjoint(r["child_id"] for r in once.rows("children"))
    # identifiers that are hexadecimal but not this toolkit's pseudonyms (the fixtures' 32 characters) are not refused
    assert pseudonymise(BASE, KEY).rows("children")[0]["child_id"] != BASE.rows("children")[0]["child_id"]


def test_cli_refuses_to_pseudonymise_again_without_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCDS_KEY", KEY.decode())
    write_csv_package(BASE, tmp_path / "export")
    runner = CliRunner()
    r = runner.invoke(main, ["pseudonymise", str(tmp_path / "export"), str(tmp_path / "once"), "--key-env", "MCDS_KEY"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["pseudonymise", str(tmp_path / "once"), str(tmp_path / "twice"), "--key-env", "MCDS_KEY"])
    assert r.exit_code == 2 and r.output.startswith("mcds: error: ") and "Traceback" not in r.output
    assert not (tmp_path / "twice").exists()
    r = runner.invoke(main, ["pseudonymise", str(tmp_path / "once"), str(tmp_path / "twice"), "--key-env", "MCDS_KEY",
                             "--again"])
    assert r.exit_code == 0, r.output
    once, twice = read_csv_package(tmp_path / "once"), read_csv_package(tmp_path / "twice")
    assert twice.tables == pseudonymise(once, KEY, again=True).tables != once.tables
