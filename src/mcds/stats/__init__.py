"""Official statistics from submissions: the standard's indicators, disclosure-controlled,
in the Explore Education Statistics open data format, with a self-contained HTML report.

``run(paths, out)`` is what ``mcds stats`` does. The modules:

- :mod:`~mcds.stats.config`: the indicator catalogue, ``statistics.json`` and ``disclosure.json``;
- :mod:`~mcds.stats.load`: the one place a path becomes the typed DuckDB shape;
- :mod:`~mcds.stats.compute`: unrounded statistics for any councils and filter levels;
- :mod:`~mcds.stats.disclosure`: suppression and rounding;
- :mod:`~mcds.stats.ees`: the EES data and metadata files;
- :mod:`~mcds.stats.html`: the report;
- :mod:`~mcds.stats.check_ees`: the DfE screener's checks of EES files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mcds.stats.compute import Aggregator, compute
from mcds.stats.config import Disclosure, disclosure_settings, publication
from mcds.stats.ees import Published, publish, to_csv
from mcds.stats.load import Package, load_package

__all__ = ["Output", "published", "run", "statistics", "write"]


@dataclass(frozen=True)
class Output:
    data: Path
    meta: Path
    report: Path
    published: Published


def statistics(packages: Sequence[Package], cfg: Disclosure | None = None, version: str | None = None) -> Published:
    """The published statistics of submissions already in the typed shape."""
    return publish(compute(packages, version), cfg or disclosure_settings(version), Aggregator(version))


def published(paths: Sequence[Path], cfg: Disclosure | None = None, version: str | None = None) -> Published:
    """Load every package, compute and disclosure-control the statistics (nothing written)."""
    packages: list[Package] = []
    try:
        for p in paths:
            packages.append(load_package(p))
        return statistics(packages, cfg, version)
    finally:
        for p in packages:
            p.close()


def write(result: Published, out: Path, cfg: Disclosure | None = None, version: str | None = None) -> Output:
    """Write the data file, its metadata file and the report into ``out``, each atomically."""
    from mcds.stats.html import report
    from mcds.submission import atomic_path

    name = publication(version).dataset.name
    texts = {
        f"{name}.csv": to_csv(result.columns, result.rows),
        f"{name}.meta.csv": to_csv(list(result.meta[0]), result.meta),
        "report.html": report(result, cfg or disclosure_settings(version), version),
    }
    out = Path(out)
    for file, text in texts.items():
        with atomic_path(out / file) as tmp:
            tmp.write_bytes(text.encode("utf-8"))
            tmp.chmod(0o644)  # published files: readable by all
    return Output(out / f"{name}.csv", out / f"{name}.meta.csv", out / "report.html", result)


def run(paths: Sequence[Path], out: Path, cfg: Disclosure | None = None, version: str | None = None) -> Output:
    """What ``mcds stats`` does: statistics of the packages at ``paths`` written into ``out``."""
    cfg = cfg or disclosure_settings(version)
    return write(published(paths, cfg, version), out, cfg, version)
