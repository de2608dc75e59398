"""Property: whatever text a council's system writes into a cell (commas, quotes, line breaks,
spaces, any script), the CSV reader keeps it whole, and the issue names the right row and echoes
the cell as written. Runs through DuckDB's fast path and the Python fallback alike."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mcds

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "standard" / "1.0" / "conformance" / "valid-base" / "input"
CODES = ("M", "F", "U")

cell = st.one_of(st.sampled_from(CODES), st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                                         blacklist_characters="\x00"), max_size=12))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(cell, min_size=1, max_size=6), st.booleans())
def test_cells_survive_and_rows_are_right(tmp_path_factory, values: list[str], crlf: bool) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("p") / "pkg"
    shutil.copytree(BASE, folder)
    path = folder / "children.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, template = rows[0], rows[1]
    data = []
    for n, v in enumerate(values):
        r = list(template)
        r[0] = f"K{n}"
        r[header.index("sex")] = v
        data.append(r)
    # a bare carriage return is a line break to every CSV reader (and to Excel): quote such cells
    quoting = csv.QUOTE_ALL if any("\r" in v for v in values) else csv.QUOTE_MINIMAL
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\r\n" if crlf else "\n", quoting=quoting).writerows([header, *rows[1:], *data])
    report = mcds.validate(folder)
    got = sorted((r, v) for c, r, f, v in report.project("code", "row", "field", "value") if c == "codelist-value")
    expected = sorted((len(rows) + 1 + n, v) for n, v in enumerate(values) if v not in CODES and v != "")
    assert got == expected
    missing = sorted(r for c, r, f in report.project("code", "row", "field") if c == "required-missing")
    assert missing == [len(rows) + 1 + n for n, v in enumerate(values) if v == ""]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([b"a", b",", b"\n", b"\r\n", b"\r", b"\xc3\xa9"]), max_size=40),
       st.integers(min_value=1, max_value=5))
def test_line_counting_is_exact_at_any_chunk_size(tmp_path_factory, parts: list[bytes], chunk: int) -> None:  # type: ignore[no-untyped-def]
    """The count the fast read is checked against: lines (a last line without an end counts), and
    whether every line ends the same way, however the file falls into chunks (a CRLF split between
    two chunks included)."""
    from mcds.readers.csvpkg import _line_ends

    data = b"".join(parts)
    path = tmp_path_factory.mktemp("l") / "f.csv"
    path.write_bytes(data)
    lf, cr, crlf = data.count(b"\n"), data.count(b"\r"), data.count(b"\r\n")
    expected = (lf + (bool(data) and not data.endswith(b"\n")), cr == 0 or cr == crlf == lf)  # an empty file has no line
    assert _line_ends(path, chunk=chunk) == expected
