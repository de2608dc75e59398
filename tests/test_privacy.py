"""Privacy, proven: messages echo at most their own cell; the pseudonymisation key never appears in any
output; statistics never show a council count from 1 to 5 nor let one be recovered by subtraction; and
fields marked direct_identifier or special_category never reach published output.

How ``trafficking_concern`` is treated: the standard marks it ``quasi_identifier``. It reaches published
output only as one of the publication's two Total/Yes/No filters (Yes = suspected or identified), i.e.
as an aggregate under the same primary and secondary suppression as every other cell; its codes never
appear as values, and no indicator counts from it.
"""

from __future__ import annotations

import base64
import csv
import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcds import standard as std
from mcds.cli import main
from mcds.stats.config import disclosure_settings, publication

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
CROYDON = ROOT / "fixtures" / "valid" / "croydon"
S = std.load()
PUBLISHED_SENSITIVITY = ("direct_identifier", "special_category")


def _dict_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write_dict_rows(path: Path, rows: list[dict[str, str]], fields: list[str] | None = None) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields or list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in r.output and "internal error" not in r.output, r.output
    return r.exit_code, r.output


# ---------------------------------------------------------------- messages echo at most one cell


def _sentinel_package(folder: Path) -> dict[str, tuple[str, int, str]]:
    """Kent with every cell of the first 30 rows of every table replaced by a unique sentinel:
    {sentinel: (table, row, field)}."""
    shutil.copytree(KENT, folder)
    sentinels: dict[str, tuple[str, int, str]] = {}
    for t in S.tables.values():
        path = folder / f"{t.name}.csv"
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        for r in range(1, min(len(rows), 31)):
            for c, name in enumerate(rows[0]):
                token = f"S{t.name[:3].upper()}R{r + 1}C{c}Z"
                sentinels[token] = (t.name, r + 1, name)
                rows[r][c] = token
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    return sentinels


def test_each_issue_echoes_only_its_own_cell(tmp_path: Path) -> None:
    sentinels = _sentinel_package(tmp_path / "pkg")
    code, out = run("validate", str(tmp_path / "pkg"), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert len(report["issues"]) > 100
    checked = 0
    for issue in report["issues"]:
        text = json.dumps({k: issue.get(k) for k in ("message", "value")})
        found = {s for s in sentinels if s in text}
        if not found:
            continue
        checked += 1
        assert len(found) == 1, f"{issue['code']} echoes several cells: {sorted(found)}"
        table, row, _ = sentinels[found.pop()]
        # a column fault (issue 16) echoes the first of its cells and lists their rows
        where = issue["row"] if issue["code"] != "column-fault" else issue["rows"][0]
        assert (issue["table"], where) == (table, row), issue
    assert checked > 100
    # the text and CSV renderings carry the same messages: no row is ever dumped whole
    for fmt in ("text", "csv", "github"):
        _, out = run("validate", str(tmp_path / "pkg"), "--format", fmt)
        for line in out.splitlines():
            assert len({s for s in sentinels if s in line}) <= 1, line


def test_conversion_messages_echo_at_most_one_cell(tmp_path: Path) -> None:
    """A converter's rejections name the row and echo at most the one cell (903 rows with sentinels)."""
    src = tmp_path / "903"
    shutil.copytree(ROOT / "fixtures" / "ssda903" / "csv-2025-26", src)
    path = src / "missing.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    for r in range(1, len(rows)):
        rows[r] = [f"M{r}C{c}X" if name != "MIS_START" else "" for c, name in enumerate(rows[0])]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    code, _ = run("convert", "ssda903", str(src), "--la", "886", "--year", "2026", "--out", str(tmp_path / "o"),
                    "--report", str(tmp_path / "r.json"))
    assert code == 1
    issues = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["issues"]
    assert issues
    for i in issues:
        text = json.dumps(i)
        assert len({t for t in (f"M{r}C{c}X" for r in range(len(rows)) for c in range(len(rows[0]))) if t in text}) <= 1


# ---------------------------------------------------------------- the key never appears


KEY = "K3y-n0t-t0-l3ak-" + "f00dfeedcafebabe" * 3


def _forms_of_key(key: bytes) -> list[bytes]:
    return [key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key), base64.urlsafe_b64encode(key),
            base64.b64encode(key).rstrip(b"="), key[:16], key[-16:]]


def _every_byte(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.mark.parametrize("form", ["csv", "json", "xlsx"])
def test_key_never_appears_in_any_output(tmp_path: Path, form: str) -> None:
    key_file = tmp_path / "secret" / "key"
    key_file.parent.mkdir()
    key_file.write_text(KEY + "\n", encoding="utf-8")
    out = tmp_path / "out" / {"csv": "pkg", "json": "sub.json", "xlsx": "sub.xlsx"}[form]
    code, printed = run("pseudonymise", str(KENT), str(out), "--key-file", str(key_file))
    assert code == 0
    code2, printed2 = run("pseudonymise", str(KENT), str(tmp_path / "out" / "env.json"), "--key-env", "MCDS_KEY",
                          env={"MCDS_KEY": KEY})
    assert code2 == 0
    written = _every_byte(tmp_path / "out")
    if form == "xlsx":  # the workbook's XML is compressed: search it decompressed too
        import zipfile

        with zipfile.ZipFile(out) as z:
            written += b"".join(z.read(n) for n in z.namelist())
    haystack = written + printed.encode() + printed2.encode()
    for needle in _forms_of_key(KEY.encode()):
        assert needle not in haystack
    # and the pseudonyms did change: the key was used
    assert b"20fab2bb64f805a1c6a8772f42529fce" not in written


@pytest.mark.parametrize("bad", ["short-key", ""])
def test_key_never_appears_in_errors(tmp_path: Path, bad: str) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(bad, encoding="utf-8")
    code, out = run("pseudonymise", str(KENT), str(tmp_path / "o.json"), "--key-file", str(key_file))
    assert code == 2 and not (tmp_path / "o.json").exists()
    if bad:
        for needle in _forms_of_key(bad.encode()):
            assert needle.decode() not in out
    code, out = run("pseudonymise", str(KENT), str(tmp_path / "o.json"), "--key-env", "MCDS_KEY", env={"MCDS_KEY": bad})
    assert code == 2
    if bad:
        assert bad not in out


def test_key_never_appears_when_the_input_is_broken(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"metadata": {}, "children": [{"child_id": "A", "child_id": "B"}]}', encoding="utf-8")
    code, out = run("pseudonymise", str(broken), str(tmp_path / "o.json"), "--key-env", "MCDS_KEY", env={"MCDS_KEY": KEY})
    assert code == 2 and not (tmp_path / "o.json").exists()
    for needle in _forms_of_key(KEY.encode()):
        assert needle.decode() not in out


# ---------------------------------------------------------------- sensitive fields never reach published output


def _sensitive_fields() -> set[str]:
    return {f"{t.name}.{f.name}" for t in S.tables.values() for f in t.fields if f.sensitivity in PUBLISHED_SENSITIVITY}


def test_sensitivity_annotations_are_there() -> None:
    sensitive = _sensitive_fields()
    assert "children.child_id" in sensitive and "children.ethnicity" in sensitive
    assert "children.exploitation_types" in sensitive
    trafficking = S.tables["children"].field("trafficking_concern")
    assert trafficking.sensitivity == "quasi_identifier"


def test_no_published_column_or_filter_comes_from_a_sensitive_field() -> None:
    pub = publication()
    sensitive = _sensitive_fields()
    names = {n.split(".")[1] for n in sensitive}
    for f in pub.filters:
        assert not set(f.sources) & sensitive, f.id
        assert f.id not in names
    from mcds.stats.config import indicators

    special = {f.name for t in S.tables.values() for f in t.fields if f.sensitivity == "special_category"}
    for f in pub.filters:
        assert not any(name in f.yes for name in special), f.id
    for ind in indicators().values():
        assert ind.id not in names
        assert not set(ind.sources) & sensitive, (ind.id, set(ind.sources) & sensitive)
        # the SQL itself: no special-category field is read (child_id is only counted, never shown)
        assert not any(re.search(rf"\b{name}\b", ind.sql or "") for name in special), ind.id


def _stats(paths: list[Path], out: Path) -> bytes:
    code, printed = run("stats", *map(str, paths), "--out", str(out))
    assert code == 0, printed
    return b"".join(p.read_bytes() for p in sorted(out.iterdir()))


def test_published_output_ignores_special_category_and_identifier_values(tmp_path: Path) -> None:
    """Changing every special-category value and renaming every child changes no byte of the statistics."""
    base = _stats([KENT], tmp_path / "a")
    changed = tmp_path / "kent"
    shutil.copytree(KENT, changed)
    special = {f.name: f for f in S.tables["children"].fields if f.sensitivity == "special_category"}
    path = changed / "children.csv"
    rows = _dict_rows(path)
    # every special-category value moves to another child with the same filter levels (with the dates
    # that go with it, so the data stays valid), and every ethnicity changes
    # (the breakdowns file publishes, by design, England's and the regions' counts by the fields its
    # breakdowns read: sex, nationality, exploitation types and NRM outcome; those stay with their child)
    from mcds.stats.config import publication

    by_design = {n for b in publication().breakdowns for n in S.tables["children"].field_names
                 if any(src == f"children.{n}" for src in b.sources) or any(n in lv.when for lv in b.levels)}
    by_design |= {n for n in S.tables["children"].field_names if n.startswith("nrm_")}  # (the NRM outcome's)
    moved = [n for n in S.tables["children"].field_names
             if (n in special or n.startswith("ictg_")) and n not in by_design]
    assert "ethnicity" in moved and "nationality" not in moved
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in rows:
        groups.setdefault((r["uasc"], r["trafficking_concern"]), []).append(r)
    receiver: dict[str, str] = {}  # whose NRM referrals (the table's rows move with the fields) go to whom
    for members in groups.values():
        blocks = [{n: r[n] for n in moved} for r in members]
        for r, b, giver in zip(members, blocks[1:] + blocks[:1], members[1:] + members[:1], strict=True):
            r.update(b)
            receiver[giver["child_id"]] = r["child_id"] if any(n.startswith("nrm_") for n in moved) else giver["child_id"]
    ethnicities = [c.code for c in S.codelist("ethnicity").codes]
    for n, r in enumerate(rows):
        r["ethnicity"] = ethnicities[n % len(ethnicities)]
    alternatives = {"ethnicity": ethnicities}
    # rename every child consistently in every table (a different pseudonymisation key)
    ids = {r["child_id"]: f"renamed{n:05d}" for n, r in enumerate(rows)}
    for r in rows:
        r["child_id"] = ids[r["child_id"]]
    _write_dict_rows(path, rows)
    for t in ("placements", "missing_episodes", "return_interviews", "nrm_referrals"):
        p = changed / f"{t}.csv"
        trows = _dict_rows(p)
        for r in trows:
            r["child_id"] = ids[receiver[r["child_id"]] if t == "nrm_referrals" else r["child_id"]]
        _write_dict_rows(p, trows)
    code, out = run("validate", str(changed))
    assert code == 0, out
    assert _stats([changed], tmp_path / "b") == base
    text = base.decode()
    for r in rows[:50]:
        assert r["child_id"] not in text
    for codes in alternatives.values():
        for c in codes:
            if len(c) >= 4:  # short codes such as "M" occur in ordinary words
                assert f",{c}," not in text


# ---------------------------------------------------------------- disclosure: never 1 to 5, nothing recoverable


def _disclosure_checker():  # type: ignore[no-untyped-def]
    """The statistics tests' independent checker (linear algebra over every Total/Yes/No relation)."""
    path = ROOT / "tests" / "test_disclosure.py"
    spec = importlib.util.spec_from_file_location("_disclosure_checker", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.recoverable


recoverable = _disclosure_checker()
CFG = disclosure_settings()


def _random_package(folder: Path, data: st.DataObject) -> Path:
    """Kent with a random subset of children (and their rows in every table), so counts are small."""
    shutil.copytree(KENT, folder)
    children = _dict_rows(KENT / "children.csv")
    keep_n = data.draw(st.integers(3, 60), label="children")
    seed = data.draw(st.integers(0, 10_000), label="seed")
    import random

    rnd = random.Random(seed)
    kept = {r["child_id"] for r in rnd.sample(children, keep_n)}
    for t in S.tables.values():
        p = folder / f"{t.name}.csv"
        rows = _dict_rows(p)
        if "child_id" in rows[0] if rows else False:
            rows = [r for r in rows if r["child_id"] in kept]
        if t.name == "interview_episodes":
            ri = {r["interview_id"] for r in _dict_rows(folder / "return_interviews.csv")}
            me = {r["episode_id"] for r in _dict_rows(folder / "missing_episodes.csv")}
            rows = [r for r in rows if r["interview_id"] in ri and r["episode_id"] in me]
        _write_dict_rows(p, rows, t.field_names)
    return folder


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_stats_never_show_small_counts_nor_let_them_be_recovered(tmp_path_factory: pytest.TempPathFactory,
                                                                  data: st.DataObject) -> None:
    tmp = tmp_path_factory.mktemp("stats")
    pkg = _random_package(tmp / "kent", data)
    code, printed = run("validate", str(pkg))
    if code != 0:  # a subset can break a rule (an interview of a child not kept); that is not what we test
        return
    code, printed = run("stats", str(pkg), "--out", str(tmp / "out"))
    assert code == 0, printed
    pub = publication()
    from mcds.stats.config import indicators

    counts = [i.id for i in indicators().values() if i.is_count]
    rows = _dict_rows(tmp / "out" / f"{pub.dataset.name}.csv")
    filters = [f.id for f in pub.filters]
    levels = {pub.filter_levels.total: "Total", pub.filter_levels.yes: "Yes", pub.filter_levels.no: "No"}
    local = [r for r in rows if r["geographic_level"] == "Local authority"]
    assert local
    for ind in counts:
        grid = {}
        for r in local:
            v = r[ind]
            if v.isdigit():
                assert not CFG.suppress_min <= int(v) <= CFG.suppress_max, (ind, r)
            grid[tuple(levels[r[f]] for f in filters)] = v
        assert recoverable(grid, len(filters)) == set(), (ind, grid)
    # the one council is also the region and the country: their rounded rows give nothing away either
    for r in rows:
        for ind in counts:
            v = r[ind]
            assert not (v.isdigit() and CFG.suppress_min <= int(v) <= CFG.suppress_max), (ind, r["geographic_level"], v)
