"""The toolkit installed from its wheel, as docs/councils/install.md says, with no git and no network.

The wheel and the sdist are built as the docs build builds them for the downloads page
(``docs_gen.toolkit``, the project's backend installed here, no isolated environment to download).
The wheel is installed into a fresh virtual environment by the page's own offline commands, from a
folder holding only the wheel: its dependencies are found already installed (the project
environment's site-packages is on the new environment's path, after its own), so the install needs
no network and fails if the wheel declares a dependency that is not there. Then ``mcds`` runs from
outside the repository, on an example copied out of it, and finds the standard inside the wheel.
"""

from __future__ import annotations

import email.parser
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from mcds import standard as std

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("test_install_wheel")]  # its site or browser built once, on one worker


sys.path.insert(0, str(ROOT / "scripts"))  # the docs generator, which builds the downloads
toolkit = importlib.import_module("docs_gen.toolkit")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return toolkit.build_distributions(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def installed(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed by install.md's offline Linux commands; its folder."""
    where = tmp_path_factory.mktemp("council")
    (where / toolkit.FOLDER).mkdir()
    shutil.copy2(built["wheel"], where / toolkit.FOLDER)
    shell, commands = toolkit.install_steps("offline-linux")
    assert shell == "linux" and commands[0].startswith("python3 -m venv ")
    env = {k: v for k, v in clean_env().items() if not k.startswith("PIP_")}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}  # no other index
    python = Path(sys.base_exec_prefix) / "bin" / Path(sys.executable).name  # python3, as the page says
    subprocess.run([str(python if python.exists() else sys.executable), *commands[0].split()[1:]],
                   cwd=where, env=env, check=True, capture_output=True, timeout=120)
    venv = where / "mcds-env"
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               env=env, check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies, as a folder filled by `pip download` would give them (without the network): the
    # project environment's libraries, but not its own (editable) mcds, on the path after the new environment's.
    libraries = where / "libraries"
    libraries.mkdir()
    for entry in Path(sysconfig.get_path("purelib")).iterdir():
        if not re.match(r"(_editable_impl_)?mcds\b", entry.name):
            (libraries / entry.name).symlink_to(entry)
    (site / "zz_project_libraries.pth").write_text(f"{libraries}\n", encoding="utf-8")
    script = " && ".join(commands[1:])  # activate, then pip install --no-index --find-links mcds-wheels mcds
    result = subprocess.run(["bash", "-c", script], cwd=where, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Successfully installed mcds-" in result.stdout
    return venv


def clean_env() -> dict[str, str]:
    """The environment without anything that would lead Python to this checkout or the project's venv."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}


def run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "mcds"), *args], cwd=cwd, env={**clean_env(), "NO_COLOR": "1"},
                          capture_output=True, text=True, timeout=120)


def test_the_wheel_carries_every_version_of_the_standard(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["wheel"]) as z:
        names = set(z.namelist())
        meta = email.parser.Parser().parsestr(z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode())
        entry = z.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    for version in std.supported_versions():
        folder = std.standard_root() / version
        files = [p for p in folder.rglob("*") if p.is_file()] if isinstance(folder, Path) else []
        assert files, version
        missing = [p.relative_to(folder).as_posix() for p in files
                   if f"mcds/_standard/{version}/{p.relative_to(folder).as_posix()}" not in names]
        assert missing == [], f"{version}: not in the wheel: {missing[:5]}"
    assert "mcds/_standard/versions.json" in names
    assert "mcds = mcds.cli:main" in entry
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    required = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    assert sorted(required) == sorted(d.replace(" ", "") for d in declared)


def test_the_sdist_carries_the_standard_and_the_sources(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as t:
        names = {m.name.split("/", 1)[1] for m in t.getmembers() if "/" in m.name}
    for version in std.supported_versions():
        assert f"standard/{version}/datapackage.json" in names
    assert {"pyproject.toml", "src/mcds/cli.py", "README.md"} <= names


def test_the_installed_toolkit_runs_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    example = tmp_path / "kent"
    shutil.copytree(ROOT / "fixtures" / "valid" / "kent", example)
    result = run(installed, "validate", "kent", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid: 0 errors" in result.stdout
    broken = tmp_path / "broken"
    shutil.copytree(example, broken)
    episodes = broken / "missing_episodes.csv"
    lines = episodes.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("episode_type")] = "runaway"
    episodes.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    result = run(installed, "validate", "broken", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    found = {(i["code"], i["row"], i["field"]) for i in json.loads(result.stdout)["issues"]}
    assert ("codelist-value", 2, "episode_type") in found
    version = run(installed, "--version", cwd=tmp_path)
    assert version.stdout.startswith(f"mcds {toolkit.project()[1]} ")


def test_the_installed_toolkit_lists_every_field_of_the_standard(installed: Path, tmp_path: Path) -> None:
    result = run(installed, "schema", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    listed = {(t["name"], f["name"]) for t in json.loads(result.stdout)["tables"] for f in t["fields"]}
    s = std.load()
    assert listed == {(t.name, f.name) for t in s.tables.values() for f in t.fields}


def test_the_installed_toolkit_reads_the_standard_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    code = "import mcds, mcds.standard as s; print(mcds.__file__); print(s.standard_root())"
    out = subprocess.run([str(installed / "bin" / "python"), "-c", code], cwd=tmp_path, env=clean_env(), check=True,
                         capture_output=True, text=True).stdout.splitlines()
    assert all(Path(line).resolve().is_relative_to(installed.resolve()) for line in out), out
    assert not any(str(ROOT) in line for line in out)


def test_the_download_names_are_what_the_build_makes(built: dict[str, Path]) -> None:
    assert {kind: path.name for kind, path in built.items()} == toolkit.distribution_names()
