"""The toolkit itself as downloads: its wheel and source distribution, built offline from this checkout.

A council installs the wheel with nothing but Python (docs/councils/install.md): no git, no
network once the wheel and its dependencies are in a folder. The docs build makes both files
with the project's own build backend in this environment (``build --no-isolation``: no isolated
environment to download), so the site offers exactly what this commit builds.
"""

from __future__ import annotations

import functools
import tempfile
import tomllib
from pathlib import Path

from .markdown import ROOT

TOOLKIT = "toolkit"  # the site folder of the wheel and the sdist
KINDS = ("wheel", "sdist")


def project() -> tuple[str, str]:
    """The distribution's name and version, from pyproject.toml."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return meta["name"], meta["version"]


def distribution_names() -> dict[str, str]:
    """The file name of each distribution (what the downloads page links to, before anything is built)."""
    name, version = project()
    stem = f"{name.replace('-', '_')}-{version}"
    return {"wheel": f"{stem}-py3-none-any.whl", "sdist": f"{stem}.tar.gz"}


def build_distributions(outdir: Path) -> dict[str, Path]:
    """Build the wheel and the sdist into ``outdir`` with the project's backend, installed here."""
    from build import ProjectBuilder
    from pyproject_hooks import quiet_subprocess_runner

    builder = ProjectBuilder(ROOT, runner=quiet_subprocess_runner)
    missing = set().union(*(builder.check_dependencies(kind) for kind in KINDS))
    if missing:
        needed = ", ".join(sorted(" -> ".join(chain) for chain in missing))
        msg = f"cannot build the toolkit offline: install its build requirements first ({needed})"
        raise RuntimeError(msg)
    built = {kind: Path(builder.build(kind, outdir)) for kind in KINDS}
    names = distribution_names()
    for kind, path in built.items():
        if path.name != names[kind]:
            msg = f"the {kind} was built as {path.name}, not {names[kind]} as the downloads page says"
            raise RuntimeError(msg)
    return built


@functools.cache
def distributions() -> dict[str, bytes]:
    """File name -> bytes of the wheel and the sdist (built once a process)."""
    with tempfile.TemporaryDirectory(prefix="mcds-dist-") as tmp:
        return {path.name: path.read_bytes() for path in build_distributions(Path(tmp)).values()}


# ---------------------------------------------------------------- the install steps of docs/councils/install.md

FOLDER = "mcds-wheels"  # the folder of the wheel and its dependencies, carried to a computer without internet
PROMPTS = {"linux": ("console", "$ "), "powershell": ("ps1con", "PS C:\\Users\\you> "), "cmd": ("doscon", "C:\\Users\\you> ")}
ACTIVATE = {"linux": "source mcds-env/bin/activate", "powershell": "mcds-env\\Scripts\\Activate.ps1",
            "cmd": "mcds-env\\Scripts\\activate.bat"}
PYTHON = {"linux": "python3", "powershell": "py", "cmd": "py"}


def install_steps(how: str) -> tuple[str, list[str]]:
    """(shell, commands) of one way to install: ``venv-SHELL`` (the downloaded wheel), ``offline-SHELL``
    (from a folder holding the wheel and its dependencies), ``download`` and ``download-windows`` (fill
    that folder on a computer with internet), ``pipx`` and ``pipx-offline``. SHELL is linux, powershell or cmd."""
    wheel = distribution_names()["wheel"]
    name = project()[0]
    kind, _, shell = how.partition("-")
    if kind in ("venv", "offline") and shell in PROMPTS:
        source = wheel if kind == "venv" else f"--no-index --find-links {FOLDER} {name}"
        return shell, [f"{PYTHON[shell]} -m venv mcds-env", ACTIVATE[shell], f"pip install {source}"]
    if how == "download":
        return "linux", [f"pip download {wheel} --dest {FOLDER}"]
    if how == "download-windows":  # for a Windows computer, from any other: name its platform and Python
        return "linux", [f"pip download {wheel} --dest {FOLDER} --only-binary=:all: --platform win_amd64 "
                         "--python-version 3.12"]
    if how == "pipx":
        return "linux", [f"pipx install {wheel}"]
    if how == "pipx-offline":
        return "linux", [f'pipx install {FOLDER}/{wheel} --pip-args="--no-index --find-links {FOLDER}"']
    msg = f"unknown install steps: {how}"
    raise ValueError(msg)


def install_block(how: str) -> str:
    """A code block of the install steps, prompts and all, for a hand-written page."""
    shell, commands = install_steps(how)
    lexer, prompt = PROMPTS[shell]
    return f"```{lexer}\n" + "".join(f"{prompt}{c}\n" for c in commands) + "```\n"
