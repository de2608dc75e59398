"""Files far larger than the memory the process may use: refused with a message naming the file, never an
out-of-memory kill. Each run is a subprocess limited to 1 GB of address space (RLIMIT_AS)."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
LIMIT = 1024**3

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def _grow(path: Path, size: int) -> None:
    """Append copies of the file's data rows until it is ``size`` bytes."""
    lines = path.read_bytes().splitlines(keepends=True)
    body = b"".join(lines[1:]) or b"x\n"
    with open(path, "ab") as fh:
        written = path.stat().st_size
        while written < size:
            fh.write(body)
            written += len(body)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mcds.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          preexec_fn=_limited, timeout=120)


def test_validate_refuses_a_package_larger_than_memory(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(KENT, pkg)
    _grow(pkg / "children.csv", 400 * 1024**2)
    r = _run("validate", str(pkg))
    assert r.returncode == 2, (r.returncode, r.stderr[-500:])
    assert "too large to read in the memory available" in r.stderr and str(pkg) in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_converter_refuses_a_file_larger_than_memory(tmp_path: Path) -> None:
    src = tmp_path / "903"
    shutil.copytree(ROOT / "fixtures" / "ssda903" / "csv-2025-26", src)
    _grow(src / "episodes.csv", 150 * 1024**2)
    r = _run("convert", "ssda903", str(src), "--la", "886", "--year", "2026", "--out", str(tmp_path / "out"))
    assert r.returncode == 2, (r.returncode, r.stderr[-500:])
    assert "episodes.csv" in r.stderr and "too large" in r.stderr
    assert not (tmp_path / "out").exists()


def test_small_input_still_works_under_the_limit(tmp_path: Path) -> None:
    r = _run("validate", str(KENT))
    assert r.returncode == 0, r.stderr[-500:]


def test_xml_larger_than_memory_is_refused(tmp_path: Path) -> None:
    xml = tmp_path / "903.xml"
    block = (ROOT / "fixtures" / "ssda903" / "xml-2024-25" / "SSDA903_202425.xml").read_text(encoding="utf-8")
    head, _, rest = block.partition("<CHILD>")
    body = "<CHILD>" + rest.rpartition("</EXPSSDA903>")[0]
    with open(xml, "w", encoding="utf-8") as fh:
        fh.write(head)
        while fh.tell() < 120 * 1024**2:
            fh.write(body)
        fh.write("</EXPSSDA903>\n")
    r = _run("convert", "ssda903", str(xml), "--la", "886", "--year", "2025", "--out", str(tmp_path / "out"))
    assert r.returncode == 2, (r.returncode, r.stderr[-500:])
    assert "903.xml" in r.stderr and "too large" in r.stderr
