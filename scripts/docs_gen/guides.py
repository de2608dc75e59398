"""The guides for councils' own case-management systems (docs/councils/<system>.md): their downloads.

Each guide is built on the mapping bundled for its system in ``fixtures/mapped/<system>/``, with the
synthetic export beside it. The site offers both, so that a reader can run the guide's commands on
the same files and get the output the page shows (the page's commands ran on them at build).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .markdown import ROOT

SYSTEMS = {"liquidlogic": "Liquidlogic", "mosaic": "Mosaic", "eclipse": "Eclipse"}
EXAMPLES = "examples"  # the site folder: examples/<system>/
MAPPING = "mapping.yaml"  # the bundled mapping's name in its fixture folder


def fixture(system: str) -> Path:
    return ROOT / "fixtures" / "mapped" / system


def guide_downloads() -> dict[str, tuple[str, Callable[[], bytes]]]:
    """Site path -> (what it is, a function giving its bytes): each system's mapping, and its export zipped
    in a folder called ``export`` (as the guide names it)."""
    from .downloads import zip_folder

    out: dict[str, tuple[str, Callable[[], bytes]]] = {}
    for system, title in SYSTEMS.items():
        folder = fixture(system)
        a = "an" if title[0] in "AEIOU" else "a"
        out[f"{EXAMPLES}/{system}/{system}.yaml"] = (
            f"The mapping of {a} {title} export, for `mcds convert mapped`.", lambda f=folder: (f / MAPPING).read_bytes())
        out[f"{EXAMPLES}/{system}/{system}-export.zip"] = (
            f"A synthetic {title} export (it describes no real child), zipped in a folder `export`.",
            lambda f=folder: zip_folder(f, "export", keep=lambda p: p.name != MAPPING))
    return out
