"""Fuzz every reader for a while and print, per reader, how many inputs were tried and what came out.

    python benchmarks/fuzz_readers.py [--seconds 300] [--target NAME]

Readers: the CSV package (validate), the JSON form (validate), XLSX workbooks (validate and the raw
reader used by the converters), SSDA903 CSV and XML, CIN census XML, Annex A and mapped exports (the
converters). Every input must give either a result ("report": the reader read it, and any problems
are issues) or a clean :class:`mcds.errors.InputError` ("input-error"), within ``TIME_BOUND`` seconds.
Anything else (another exception, a hang) is a defect and is printed with the input that caused it.
``tests/test_fuzz_readers.py`` runs the same targets briefly.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
TIME_BOUND = 20.0


def _seed(path: Path) -> bytes:
    return path.read_bytes()


SEEDS = {
    "csv-package": _seed(FIXTURES / "valid" / "kent" / "children.csv")[:3000],
    "json-form": b"",  # built below
    "xlsx": _seed(FIXTURES / "annex_a" / "kent-2024-25.xlsx"),
    "ssda903-csv": _seed(FIXTURES / "ssda903" / "csv-2025-26" / "header.csv"),
    "ssda903-xml": _seed(FIXTURES / "ssda903" / "xml-2024-25" / "SSDA903_202425.xml"),
    "cin-xml": _seed(FIXTURES / "cin" / "kent-2024-25.xml"),
    "annex-a": _seed(FIXTURES / "annex_a" / "kent-2024-25.xlsx"),
    "mapped": _seed(FIXTURES / "mapped" / "liquidlogic" / "DIM_PERSON.csv")[:3000],
    "mapped-xlsx": _seed(FIXTURES / "mapped" / "mosaic" / "mosaic_export.xlsx"),
}
SEEDS["json-form"] = (b'{"metadata": {"standard_version": "1.0", "old_la_code": "886"}, "children": '
                      b'[{"child_id": "C1", "birth_year_month": "2010-01", "sex": "M", "uasc": true}]}')
TARGETS = tuple(SEEDS)


def _mutate(seed: bytes) -> st.SearchStrategy[bytes]:
    """A seed file with a few random edits: bytes replaced, inserted or cut."""

    @st.composite
    def mutated(draw: st.DrawFn) -> bytes:
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 6))):
            kind = draw(st.sampled_from(["replace", "insert", "cut", "truncate", "dup"]))
            if not data:
                data.extend(draw(st.binary(min_size=1, max_size=20)))
                continue
            at = draw(st.integers(0, len(data) - 1))
            if kind == "replace":
                data[at:at + 1] = draw(st.binary(min_size=1, max_size=4))
            elif kind == "insert":
                data[at:at] = draw(st.sampled_from([b"\x00", b'"', b",", b"\n", b"\r", b"<", b"&", b"\xff\xfe", b"]]>",
                                                    b"{", b"[", b"=1+1", b"\xe9", b"\t"]) | st.binary(max_size=8))
            elif kind == "cut":
                del data[at:at + draw(st.integers(1, 50))]
            elif kind == "truncate":
                del data[at:]
            else:
                data[at:at] = data[at:at + draw(st.integers(1, 200))]
        return bytes(data)

    return mutated()


def _mutate_zip(seed: bytes) -> st.SearchStrategy[bytes]:
    """A workbook with one of its members mutated (the ZIP stays valid, the XML inside does not), or raw
    byte edits of the ZIP itself."""

    @st.composite
    def mutated(draw: st.DrawFn) -> bytes:
        with zipfile.ZipFile(io.BytesIO(seed)) as z:
            members = {i.filename: z.read(i) for i in z.infolist()}
        if draw(st.booleans()):
            return draw(_mutate(seed))
        name = draw(st.sampled_from(sorted(members)))
        members[name] = draw(_mutate(members[name][:20000]))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for n, d in members.items():
                z.writestr(n, d)
        return buf.getvalue()

    return mutated()


def payloads(target: str) -> st.SearchStrategy[bytes]:
    seed = SEEDS[target]
    raw = st.binary(max_size=400)
    if target in ("xlsx", "annex-a", "mapped-xlsx"):
        return _mutate_zip(seed) | raw
    return _mutate(seed) | raw


def run_target(target: str, payload: bytes, tmp: Path) -> tuple[str, float]:
    """Feed ``payload`` to the reader ``target``: ("report" | "input-error", seconds). Other exceptions propagate."""
    from mcds.errors import InputError

    tmp.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    try:
        _run(target, payload, tmp)
        outcome = "report"
    except InputError as exc:
        assert str(exc) and exc.path, "an InputError must name the file"
        outcome = "input-error"
    return outcome, time.monotonic() - start


def _run(target: str, payload: bytes, tmp: Path) -> None:
    from mcds.validate import validate

    if target == "csv-package":
        pkg = tmp / "pkg"
        shutil.copytree(FIXTURES / "valid" / "kent", pkg, dirs_exist_ok=True)
        (pkg / "children.csv").write_bytes(payload)
        validate(pkg)
        from mcds.convert.package import read_any

        read_any(pkg)
    elif target == "json-form":
        (tmp / "sub.json").write_bytes(payload)
        validate(tmp / "sub.json")
        from mcds.submission import read_json_form

        read_json_form(tmp / "sub.json")
    elif target == "xlsx":
        (tmp / "sub.xlsx").write_bytes(payload)
        validate(tmp / "sub.xlsx")
        from mcds.workbook import read_workbook

        read_workbook(tmp / "sub.xlsx")
    elif target == "ssda903-csv":
        folder = tmp / "903"
        shutil.copytree(FIXTURES / "ssda903" / "csv-2025-26", folder, dirs_exist_ok=True)
        (folder / "header.csv").write_bytes(payload)
        from mcds.convert.ssda903 import convert_ssda903

        convert_ssda903([folder], "886", 2026)
    elif target == "ssda903-xml":
        (tmp / "903.xml").write_bytes(payload)
        from mcds.convert.ssda903 import convert_ssda903

        convert_ssda903([tmp / "903.xml"], "886", 2025)
    elif target == "cin-xml":
        (tmp / "cin.xml").write_bytes(payload)
        from mcds.convert.ssda903 import convert_ssda903

        convert_ssda903([FIXTURES / "ssda903" / "csv-2025-26"], "886", 2026, cin=tmp / "cin.xml")
    elif target == "annex-a":
        (tmp / "annex.xlsx").write_bytes(payload)
        from mcds.convert.annex_a import convert_annex_a

        convert_annex_a(tmp / "annex.xlsx", "886", 2025)
    elif target == "mapped":
        folder = tmp / "ll"
        shutil.copytree(FIXTURES / "mapped" / "liquidlogic", folder, dirs_exist_ok=True)
        (folder / "DIM_PERSON.csv").write_bytes(payload)
        from mcds.convert.mapped import convert_mapped

        convert_mapped([folder], folder / "mapping.yaml")
    elif target == "mapped-xlsx":
        folder = tmp / "mosaic"
        shutil.copytree(FIXTURES / "mapped" / "mosaic", folder, dirs_exist_ok=True)
        (folder / "mosaic_export.xlsx").write_bytes(payload)
        from mcds.convert.mapped import convert_mapped

        convert_mapped([folder], folder / "mapping.yaml")
    else:  # pragma: no cover
        raise ValueError(target)


def fuzz_one(target: str, seconds: float) -> tuple[Counter[str], float, list[str]]:
    """Fuzz one reader for ``seconds``: (outcome counts, slowest run, defects)."""
    import tempfile
    import traceback

    from hypothesis import HealthCheck, Phase, given, settings

    counts: Counter[str] = Counter()
    slowest = 0.0
    defects: list[str] = []
    deadline = time.monotonic() + seconds

    @settings(max_examples=10**9, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.generate], report_multiple_bugs=False)
    @given(payload=payloads(target))
    def fuzz(payload: bytes) -> None:
        nonlocal slowest
        if time.monotonic() > deadline:
            raise _Stop
        with tempfile.TemporaryDirectory() as tmp:
            try:
                outcome, took = run_target(target, payload, Path(tmp))
            except Exception as exc:  # a defect: record it with the input that caused it
                counts["defect"] += 1
                if len(defects) < 5:
                    defects.append(f"{type(exc).__name__}: {exc} <- {payload[:120]!r}\n"
                                   + "".join(traceback.format_exception(exc)[-3:]))
                return
        counts[outcome] += 1
        slowest = max(slowest, took)
        if took > TIME_BOUND:
            counts["defect"] += 1
            defects.append(f"too slow ({took:.1f}s) <- {payload[:120]!r}")

    with contextlib.suppress(_Stop):  # the time is up
        fuzz()
    return counts, slowest, defects


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=300.0, help="total time, shared between the readers")
    ap.add_argument("--target", choices=TARGETS, action="append")
    args = ap.parse_args(argv)
    targets = args.target or list(TARGETS)
    total_defects = total = 0
    print(f"{'reader':<14} {'examples':>8} {'report':>8} {'error':>8} {'defects':>8} {'slowest':>8}", flush=True)
    for target in targets:
        counts, slowest, defects = fuzz_one(target, args.seconds / len(targets))
        n = sum(counts.values())
        total += n
        print(f"{target:<14} {n:>8} {counts['report']:>8} {counts['input-error']:>8} {counts['defect']:>8} "
              f"{slowest:>7.2f}s", flush=True)
        for d in defects:
            print("   DEFECT", d)
        total_defects += counts["defect"]
    print(f"{total} inputs, {total_defects} defects")
    return 1 if total_defects else 0


class _Stop(Exception):
    pass


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
