"""Pseudonymisation leaves nothing of an identifier behind, whatever a council's identifiers look like,
and a pseudonymised submission is not pseudonymised again unless asked for."""

from __future__ import annotations

import hashlib
import json
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
from mcds import standard as std
from mcds.cli import main
from mcds.pseudonymise import (
    AlreadyPseudonymisedError,
    already_pseudonymised,
    child_kinds,
    identifier_fields,
    identifier_kinds,
    pseudonym,
    pseudonymise,
)
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
# A home's URN (Ofsted's, shared by the children placed there, or text that is also a child's id) and a
# missing-together group id a council's system built from a child's id or the date they went missing.
urn_style = st.sampled_from(["SC{n}00017", "{c}", "URN-{c}", "{c}{n}"])
group_style = st.sampled_from(["G{n}", "{c}-{d}", "{d}{c}", "GRP.{d}.{n}"])
RECORDS = (("placements", "placement_id"), ("missing_episodes", "episode_id"), ("return_interviews", "interview_id"),
           ("nrm_referrals", "referral_id"))


def _with_ids(children: list[str], styles: dict[str, str]) -> tuple[Submission, set[str], bool]:
    """``BASE`` with the council's child ids and record ids built from them in the given styles (and, if
    styles has them, provider URNs and missing-together groups of two episodes); the identifiers; whether
    the record ids are still keys (``A-1`` + ``12`` is ``A-11`` + ``2``)."""
    sub = Submission(dict(BASE.metadata), {t: [dict(r) for r in rows] for t, rows in BASE.tables.items()})
    child = dict(zip(list(dict.fromkeys(r["child_id"] for r in sub.rows("children"))), children, strict=True))
    records: dict[str, dict[str, str]] = {}
    for table, key in RECORDS:
        if key in styles:
            records[key] = {r[key]: styles[key].format(c=child[r["child_id"]], n=n) for n, r in enumerate(sub.rows(table))}
    others: set[str] = set()
    if "provider_urn" in styles:
        for n, r in enumerate(sub.rows("placements")):
            r["provider_urn"] = styles["provider_urn"].format(c=child[r["child_id"]], n=n % 3)
            others.add(r["provider_urn"])
    if "group_id" in styles:
        episodes = sub.rows("missing_episodes")
        for n, r in enumerate(episodes):
            first = episodes[n - n % 2]
            r["group_id"] = styles["group_id"].format(c=child[first["child_id"]], n=n // 2,
                                                      d=(first["start_date"] or "").replace("-", ""))
            others.add(r["group_id"])
    for rows in sub.tables.values():
        for r in rows:
            if r.get("child_id"):
                r["child_id"] = child[r["child_id"]]
            for key, new in records.items():
                if r.get(key):
                    r[key] = new[r[key]]
    keys = all(len(set(new.values())) == len(new) for new in records.values())
    return sub, {*children, *others, *(v for new in records.values() for v in new.values())}, keys


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
@given(children=child_ids, placement=record_style, episode=record_style, interview=record_style, referral=record_style,
       urn=urn_style, group=group_style)
def test_no_identifier_survives_and_the_links_hold(children: list[str], placement: str, episode: str,
                                                   interview: str, referral: str, urn: str, group: str) -> None:
    styles = {"placement_id": placement, "episode_id": episode, "interview_id": interview, "referral_id": referral,
              "provider_urn": urn, "group_id": group}
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
        # the data files and the metadata (the descriptor's other text is the standard's, examples included)
        meta = json.dumps(json.loads((folder / "pkg" / "datapackage.json").read_text(encoding="utf-8"))["mcds"])
        written = b"".join(p.read_bytes() for p in (folder / "pkg").glob("*.csv")) + meta.encode()
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


# ---------------------------------------------------------------- identifiers that are not a child's


def test_a_child_id_and_a_urn_or_group_with_the_same_text_get_different_pseudonyms() -> None:
    children = ["SC100017", "ABC.12345", "C1", "C2", "C3", "C4"]
    sub, _, _ = _with_ids(children, {"provider_urn": "{c}", "group_id": "{c}"})
    out = pseudonymise(sub, KEY)
    child = {b["child_id"]: a["child_id"] for b, a in zip(sub.rows("children"), out.rows("children"), strict=True)}
    for table, field in (("placements", "provider_urn"), ("missing_episodes", "group_id")):
        pairs = {(b[field], a[field]) for b, a in zip(sub.rows(table), out.rows(table), strict=True)}
        assert {o for o, _ in pairs} <= set(children) and len(pairs) > 1
        for original, p in pairs:
            assert HEX64.fullmatch(p) and p != child[original], (field, original)
    urns = {a["provider_urn"] for a in out.rows("placements")}
    groups = {a["group_id"] for a in out.rows("missing_episodes")}
    placements = {a["placement_id"] for a in out.rows("placements")}
    assert urns.isdisjoint(groups) and urns.isdisjoint(placements) and groups.isdisjoint(child.values())
    # the domain the URN is hashed in, so that other software can make the same pseudonym of a URN
    assert out.rows("placements")[0]["provider_urn"] == pseudonym(KEY, sub.rows("placements")[0]["provider_urn"],
                                                                  b"mcds:placements.provider_urn\x00")


def test_urns_and_groups_shared_between_records_keep_one_pseudonym() -> None:
    sub, _, _ = _with_ids(["NHS-943-476-5919", "ABC.12345", "C1", "C2", "C3", "C4"],
                          {"provider_urn": "SC{n}00017", "group_id": "{c}-{d}"})
    _joins_hold(sub, pseudonymise(sub, KEY))  # every kind one to one, URNs and groups included
    out = pseudonymise(sub, KEY)
    for table, field, shared in (("placements", "provider_urn", 3), ("missing_episodes", "group_id", 9)):
        assert len({r[field] for r in sub.rows(table)}) == len({r[field] for r in out.rows(table)}) == shared


def test_identifier_fields_of_each_version() -> None:
    fields = {v: identifier_fields(Submission({"standard_version": v})) for v in ("1.0", "1.1")}
    assert fields["1.0"] == {"children": ["child_id"], "placements": ["placement_id", "child_id"],
                             "missing_episodes": ["episode_id", "child_id", "placement_id"],
                             "return_interviews": ["interview_id", "child_id"],
                             "interview_episodes": ["interview_id", "episode_id"]}
    assert fields["1.1"]["placements"] == ["placement_id", "child_id", "provider_urn"]
    assert fields["1.1"]["missing_episodes"] == ["episode_id", "child_id", "placement_id", "group_id"]
    assert fields["1.1"]["nrm_referrals"] == ["referral_id", "child_id"]
    assert child_kinds(std.load("1.1")) == child_kinds(std.load("1.0")) == {("children", "child_id")}


# The pseudonyms of every identifier of the 1.0 example returns under KEY, as the toolkit made them before
# the identifiers of 1.1 were added (SHA-256 of the pseudonymised tables as sorted JSON), and of their first child.
GOLDEN_1_0 = {
    "kent": ("7b811978b11abe96f967a918ec16c5dbb48274b9f53b91051580b4597d105885",
             "03fa1584085a1c987d233fec0a39a046f8787b82f835faab24fc870ff2b3d874"),
    "manchester": ("5138cd29dc3411ead998ef4b28cfc0ed6613cdfc09d85586720c61fd0ea008ea",
                   "b0bc4a70c7ef63bf14d3ed09a7739581eff06129e7bc3c0ebd34e38898563321"),
}


@pytest.mark.parametrize("council", sorted(GOLDEN_1_0))
def test_1_0_returns_pseudonymise_as_before(council: str) -> None:
    sub = read_csv_package(ROOT / "fixtures" / "1.0" / council)
    assert sub.version == "1.0"
    sub.metadata["pseudonymised"] = "false"
    out = pseudonymise(sub, KEY)
    tables, first_child = GOLDEN_1_0[council]
    assert out.rows("children")[0]["child_id"] == first_child == pseudonym(KEY, sub.rows("children")[0]["child_id"])
    assert hashlib.sha256(json.dumps(out.tables, sort_keys=True).encode()).hexdigest() == tables


# ---------------------------------------------------------------- not pseudonymised twice


def _mixed(raw: Submission, hashed: Submission, *, take: set[str]) -> Submission:
    """``hashed`` with the fields in ``take`` as ``raw`` has them, in every table."""
    out = Submission(dict(hashed.metadata, pseudonymised="false"))
    for t, rows in hashed.tables.items():
        out.tables[t] = [{k: (b[k] if k in take else v) for k, v in a.items()}
                         for b, a in zip(raw.rows(t), rows, strict=True)]
    return out


def test_only_child_identifiers_tell_whether_a_submission_is_pseudonymised() -> None:
    raw, _, _ = _with_ids(["SC100017", "ABC.12345", "C1", "C2", "C3", "C4"],
                          {"placement_id": "{c}-{n}", "episode_id": "{c}-{n}", "provider_urn": "SC{n}00017",
                           "group_id": "{c}-{d}"})
    hashed = pseudonymise(raw, KEY)
    # hashed child ids beside raw URNs, groups and record ids: pseudonymised already
    others = {"provider_urn", "group_id", "placement_id", "episode_id", "interview_id", "referral_id"}
    hashed_children = _mixed(raw, hashed, take=others)
    assert all(not HEX64.fullmatch(r["provider_urn"]) for r in hashed_children.rows("placements"))
    assert already_pseudonymised(hashed_children)
    with pytest.raises(AlreadyPseudonymisedError):
        pseudonymise(hashed_children, KEY)
    # raw child ids beside hashed URNs, groups and record ids: not pseudonymised, and the children get the
    # pseudonyms they get from the raw export
    hashed_rest = _mixed(raw, hashed, take={"child_id"})
    assert all(HEX64.fullmatch(r["provider_urn"]) for r in hashed_rest.rows("placements"))
    assert already_pseudonymised(hashed_rest) is None
    assert pseudonymise(hashed_rest, KEY).rows("children") == hashed.rows("children")
    # every field pointing at the children counts: one raw child id, in the NRM referrals, is enough
    one_raw = _mixed(raw, hashed, take=set())
    assert already_pseudonymised(one_raw)
    one_raw.rows("nrm_referrals")[0]["child_id"] = raw.rows("nrm_referrals")[0]["child_id"]
    assert already_pseudonymised(one_raw) is None


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
