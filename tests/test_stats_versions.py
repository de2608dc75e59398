"""Statistics from packages of two versions of the standard (mcds.stats.versions): a 1.0 package is
brought up to the current version in the typed shape as `mcds upgrade` would bring its files, so
a run over 1.0 packages publishes exactly what a run over their upgraded copies publishes, and what
1.0 cannot record is `x`, never 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mcds import standard as std
from mcds.cli import main
from mcds.migration import chain
from mcds.stats import published
from mcds.stats.config import indicators
from mcds.stats.load import load_package
from mcds.stats.versions import bring_up, older_packages
from mcds.upgrade import upgrade
from mcds.validation.group import SCHEMA, Group

ROOT = Path(__file__).resolve().parent.parent
OLD = ROOT / "fixtures" / "1.0"
CURRENT = std.current_version()


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name in ("kent", "croydon", "manchester"):
        target = tmp_path_factory.mktemp("up") / name
        upgrade(OLD / name, target)
        out[name] = target
    return out


def _figures(paths: list[Path]) -> list[dict[str, str]]:
    return published(paths, workers=1).rows


def test_the_fixtures_are_of_the_older_version() -> None:
    assert CURRENT != "1.0"
    assert load_package(OLD / "kent").version == "1.0"


@pytest.mark.parametrize("names", [("kent", "manchester"), ("croydon", "kent", "manchester")])
def test_a_run_of_old_packages_publishes_what_their_upgraded_copies_publish(upgraded: dict[str, Path],
                                                                             names: tuple[str, ...]) -> None:
    """All of one version: they are validated as a group and brought up together."""
    assert _figures([OLD / n for n in names]) == _figures([upgraded[n] for n in names])


def test_a_mixed_run_publishes_what_the_upgraded_copies_publish(upgraded: dict[str, Path]) -> None:
    """Mixed: the group takes the first package's version; the others are validated on their own and
    brought up one by one (both ways round)."""
    want = _figures([upgraded["kent"], upgraded["manchester"]])
    assert _figures([OLD / "kent", upgraded["manchester"]]) == want
    assert _figures([upgraded["kent"], OLD / "manchester"]) == want


def test_a_new_table_is_derived_as_upgrade_derives_it_on_its_own_and_in_a_group(upgraded: dict[str, Path]) -> None:
    steps = chain("1.0", CURRENT)
    derived = {d.table for m in steps for d in m.derive if d.field is None}
    assert derived, "the migration map derives no table"
    pkg = load_package(OLD / "kent")
    try:
        bring_up(pkg.con, "1.0", CURRENT)
        new = load_package(upgraded["kent"])
        try:
            for t in sorted(derived):
                fields = ", ".join(f'"{f}"' for f in std.load(CURRENT).tables[t].field_names)
                mine = pkg.con.execute(f"SELECT {fields} FROM {t} ORDER BY ALL").fetchall()
                assert mine, f"{t}: nothing derived from kent"
                assert mine == new.con.execute(f"SELECT {fields} FROM {t} ORDER BY ALL").fetchall()
        finally:
            new.close()
    finally:
        pkg.close()
    # in a group: each derived row is in its own submission, with the group's prefixed keys
    group = Group()
    try:
        assert all(group.add(OLD / n) for n in ("kent", "croydon"))
        assert group.check()
        bring_up(group.con, "1.0", CURRENT, schema=SCHEMA, group=True)
        for t in sorted(derived):
            got = dict(group.con.execute(f"SELECT _pkg, count(*) FROM {t} GROUP BY _pkg").fetchall())
            for n, name in enumerate(("kent", "croydon")):
                one = load_package(upgraded[name])
                try:
                    want = one.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                finally:
                    one.close()
                assert got.get(n, 0) == want, (t, name)
            bad = group.con.execute(f"SELECT count(*) FROM {t} t JOIN children c ON t.child_id = c.child_id "
                                    "WHERE t._pkg <> c._pkg").fetchone()[0]
            assert bad == 0
    finally:
        group.close()


def test_what_the_old_version_cannot_record_is_not_collected() -> None:
    """Every field added since 1.0 and not derived joins the package's not_collected; an indicator
    resting on one is x for that council, and the run says so."""
    pkg = load_package(OLD / "kent")
    try:
        raised = bring_up(pkg.con, "1.0", CURRENT)
    finally:
        pkg.close()
    added = {(c.table, c.field) for m in chain("1.0", CURRENT) for c in m.of_kind("field-added")}
    derived = {(d.table, d.field) for m in chain("1.0", CURRENT) for d in m.derive if d.field}
    gaps = raised.not_collected(set())
    for table, field in added - derived:
        assert f"{table}.{field}" in gaps
    for table, field in derived:
        assert f"{table}.{field}" not in gaps
    assert raised.not_collected({"return_interviews"}) >= {"return_interviews"}

    result = published([OLD / "kent"], workers=1)
    inds = indicators()
    older = older_packages(result.councils, inds.values())
    assert [(o.council, o.version) for o in older] == [("Kent", "1.0")]
    lacking = set(older[0].lacking)
    for ind in inds.values():
        needs_gap = any(n in gaps or n.split(".", 1)[0] in gaps for n in ind.sources)
        assert (ind.id in lacking) is needs_gap
        if needs_gap:
            kent = [r for r in result.rows if r.get("la_name") == "Kent"]
            assert {r[ind.id] for r in kent} == {"x"}, ind.id


def test_the_command_says_which_package_is_of_an_older_version(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["stats", str(OLD / "kent"), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert f"Note: {OLD / 'kent'} follows version 1.0 of the standard" in r.output


def test_packages_of_one_old_version_are_noted_once(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["stats", str(OLD / "kent"), str(OLD / "croydon"), str(OLD / "manchester"),
                                  "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    [note] = [line for line in r.output.splitlines() if line.startswith("Note:")]
    assert note.startswith("Note: 3 packages (") and "follow version 1.0 of the standard" in note


def test_a_package_newer_than_the_run_is_refused(upgraded: dict[str, Path]) -> None:
    from mcds.errors import InputError

    with pytest.raises(InputError, match=r"newer than the version 1\.0"):
        published([upgraded["kent"]], version="1.0", workers=1)
