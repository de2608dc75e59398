"""The MkDocs hook (mkdocs.yml ``hooks:``): adds the downloads to the site at build time."""

from __future__ import annotations

from typing import Any

from .downloads import all_downloads

# ---------------------------------------------------------------- MkDocs hook (mkdocs.yml `hooks:`)


def on_files(files: Any, config: Any) -> Any:
    """Add the downloads to the site at build time, without writing into docs/."""
    from mkdocs.structure.files import File

    for rel_path, data in all_downloads().items():
        files.append(File.generated(config, rel_path, content=data))
    return files
