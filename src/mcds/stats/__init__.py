"""Official statistics from submissions: the standard's indicators, disclosure-controlled,
in the Explore Education Statistics open data format, with a self-contained HTML report.

``run(paths, out)`` is what ``mcds stats`` does. The modules:

- :mod:`~mcds.stats.config`: the indicator catalogue, ``statistics.json`` and ``disclosure.json``;
- :mod:`~mcds.stats.load`: the one place a path becomes the typed DuckDB shape;
- :mod:`~mcds.stats.compute`: unrounded statistics for any councils and filter levels;
- :mod:`~mcds.stats.disclosure`: suppression and rounding by the rules;
- :mod:`~mcds.stats.attack_model`, :mod:`~mcds.stats.audit`: the attacker's model of what a run
  publishes, and its solution for every suppressed count;
- :mod:`~mcds.stats.protect`: suppression that the audit proves; :mod:`~mcds.stats.audit_report`
  what ``mcds stats --audit`` prints;
- :mod:`~mcds.stats.ees`: the EES data and metadata files;
- :mod:`~mcds.stats.guidance`: what a run covers, and the EES data guidance file;
- :mod:`~mcds.stats.html`: the report;
- :mod:`~mcds.stats.check_ees`: the DfE screener's checks of EES files.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mcds.errors import InputError
from mcds.stats.compute import Aggregator, Council, Part, combine, compute, group_parts, part
from mcds.stats.config import Disclosure, disclosure_settings, indicators, publication
from mcds.stats.disclosure import publish_council
from mcds.stats.ees import Published, to_csv
from mcds.stats.load import InvalidSubmission, Package, load_package
from mcds.stats.protect import protect
from mcds.validation.group import Group

PARALLEL_FROM = 4  # packages: below this, starting worker processes costs more than it saves
# Packages validated as one group at most. Per package, a group costs least at around 40 council
# returns (measured: 88 ms a package in groups of 10, 64 in groups of 37, 68 in groups of 75, about
# 100 in one group of 150, one thread each), and a worker holds one group in memory at a time.
RUN_MAX = 40
GUIDANCE = "data_guidance.txt"  # the EES data guidance, beside the data files (mcds.stats.guidance)

__all__ = ["Output", "published", "run", "statistics", "write"]


@dataclass(frozen=True)
class Output:
    data: Path
    meta: Path
    report: Path
    published: Published
    breakdowns: Path | None = None  # the breakdowns data file (its .meta.csv beside it), if the version has one


def statistics(packages: Sequence[Package], cfg: Disclosure | None = None, version: str | None = None) -> Published:
    """The published statistics of submissions already in the typed shape."""
    return protect(compute(packages, version), cfg or disclosure_settings(version), Aggregator(version))


def _part_of(path: Path, version: str | None, in_worker: bool = False) -> tuple:
    """Validate, load and compute one package on its own; errors come back as values, since
    exceptions do not always survive the trip between processes."""
    try:
        pkg = load_package(path, threads=1 if in_worker else None)
    except InvalidSubmission as exc:
        return ("invalid", str(exc.path), exc.report_text)
    except InputError as exc:
        return ("input", exc.path, exc.reason, exc.where)
    try:
        return ("ok", part(pkg, version))
    except InputError as exc:
        return ("input", exc.path, exc.reason, exc.where)
    finally:
        pkg.close()


def _parts_of(paths: Sequence[Path], version: str | None, in_worker: bool = False,
              cfg: Disclosure | None = None) -> list[tuple]:
    """Validate and compute a run of packages (in a worker process when there are several runs): all
    at once as a :class:`~mcds.validation.group.Group`, which costs far less than one by one. A
    package the group does not take, or every package of a group that is not proven valid, is
    validated on its own, which gives the validator's report. The results are in the order of
    ``paths``, up to and including the first error.

    With ``cfg``, each council's statistics are also worked out, and its own rows published by the
    rules with nothing forced (the first thing disclosure control does with every council): done
    here, in the workers, that is done in parallel rather than in the main process after them.
    ``("ok", part, (statistics, rows))``."""
    threads = 1 if in_worker else None  # one worker per core already: more threads per query only contend
    also = [i.sql for i in indicators(version).values() if i.sql]
    group = Group(also=also, threads=threads)
    try:
        joined = [group.add(p) for p in paths]
        found = iter(group_parts(group, version) if group.check() else ())
    finally:
        group.close()
    results = []
    for path, took in zip(paths, joined, strict=True):
        r = next(found, None) if took else None
        if isinstance(r, InputError):
            r = ("input", r.path, r.reason, r.where)
        elif r is not None:
            r = ("ok", r)
        else:
            r = _part_of(path, version, in_worker)
        results.append(r)
        if r[0] != "ok":
            break
    if cfg is not None:
        agg = Aggregator(version)
        results = [(*r, (agg.council_stats(r[1].council), publish_council(agg, r[1].council, cfg)))
                   if r[0] == "ok" else r for r in results]
    return results


Progress = Callable[[int, int], None]  # (packages done, packages in all)


def _runs(paths: Sequence[Path], workers: int) -> list[list[Path]]:
    """Consecutive runs of packages, each one group: at least two per worker, which even out runs
    that take longer than others, and at most :data:`RUN_MAX` packages each."""
    n = max(2 * workers if workers > 1 else 1, -(-len(paths) // RUN_MAX))
    n = min(n, len(paths)) or 1
    size, extra = divmod(len(paths), n)
    runs, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        runs.append(list(paths[start:end]))
        start = end
    return runs


def _parts(paths: Sequence[Path], version: str | None, workers: int | None, progress: Progress | None = None,
           cfg: Disclosure | None = None) -> list[Part] | tuple[list[Part], list[tuple | None]]:
    """Every package's part, in order; with ``cfg``, also what each part's worker worked out for
    disclosure control (see :func:`_parts_of`)."""
    workers = min(workers or os.cpu_count() or 1, len(paths))
    parallel = workers > 1 and len(paths) >= PARALLEL_FROM
    runs = _runs(paths, workers if parallel else 1)
    results: list[tuple] = []
    done = 0
    if parallel:
        ctx = multiprocessing.get_context("spawn")  # never fork a process that may hold DuckDB threads
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            for run, rs in zip(runs, pool.map(_parts_of, runs, [version] * len(runs), [True] * len(runs),
                                              [cfg] * len(runs)), strict=True):
                results += rs
                done += len(run)
                if progress:
                    progress(done, len(paths))
    else:
        for run in runs:
            results += _parts_of(run, version, cfg=cfg)
            done += len(run)
            if progress:
                progress(done, len(paths))
            if results and results[-1][0] != "ok":
                break  # the first error stops the run
    out, rows = [], []
    for r in results:  # the first error in the order given, whatever order the workers finished in
        if r[0] == "invalid":
            raise InvalidSubmission(Path(r[1]), r[2])
        if r[0] == "input":
            raise InputError(r[1], r[2], where=r[3])
        out.append(r[1])
        rows.append(r[2] if len(r) > 2 else None)
    return (out, rows) if cfg is not None else out


def _first_round(parts: Sequence[Part], done: Sequence[tuple | None], councils: Sequence[Council],
                 agg: Aggregator) -> dict:
    """What the workers worked out for disclosure control (see :func:`_parts_of`), for the councils
    that are one part each (a council made of several parts is worked out again from their sum):
    their statistics, taken into ``agg``, and the memo of :func:`mcds.stats.ees.publish` for its
    first round, each council's rows."""
    made = {id(c) for c in councils}
    memo = {}
    for p, d in zip(parts, done, strict=True):
        if d is not None and id(p.council) in made:
            agg.remember(p.council, d[0])
            memo[p.council.time_period, p.council.new_la_code, frozenset()] = d[1]
    return memo


def published(paths: Sequence[Path], cfg: Disclosure | None = None, version: str | None = None,
              workers: int | None = None, progress: Progress | None = None) -> Published:
    """Validate and load every package, compute and disclosure-control the statistics (nothing
    written). Packages are validated in parallel, one process per core."""
    cfg = cfg or disclosure_settings(version)
    parts, done = _parts([Path(p) for p in paths], version, workers, progress, cfg)
    councils = combine(parts)
    agg = Aggregator(version)
    return protect(councils, cfg, agg, _first_round(parts, done, councils, agg))


def write(result: Published, out: Path, cfg: Disclosure | None = None, version: str | None = None) -> Output:
    """Write the data file, its metadata file and the report into ``out`` as a set: each is written
    whole beside its place, and only once all three are written are they moved into place; if moving
    one fails, those already moved are put back as they were (:func:`mcds.writing.atomic_files`)."""
    from mcds.stats.guidance import data_guidance
    from mcds.stats.html import report
    from mcds.writing import atomic_files

    name = publication(version).dataset.name
    texts = {
        f"{name}.csv": to_csv(result.columns, result.rows),
        f"{name}.meta.csv": to_csv(list(result.meta[0]), result.meta),
    }
    b = result.breakdowns
    if b is not None:
        texts |= {f"{b.name}.csv": to_csv(b.columns, b.rows), f"{b.name}.meta.csv": to_csv(list(b.meta[0]), b.meta)}
    cfg = cfg or disclosure_settings(version)
    described = [(f"{name}.csv", f"{publication(version).dataset.title}: one row per reporting year, area "
                  "(England, each region, each council) and combination of filter levels; its metadata file "
                  f"{name}.meta.csv labels each column.")]
    bp = publication(version).breakdowns_published
    if b is not None and bp is not None:
        described.append((f"{b.name}.csv", f"{bp.dataset.title}. {bp.description}"))
    texts[GUIDANCE] = data_guidance(result.councils, described, cfg, version)
    texts["report.html"] = report(result, cfg, version, [*texts, "report.html"])
    out = Path(out)
    with atomic_files([out / file for file in texts]) as tmps:  # all written before any is moved into place
        for tmp, text in zip(tmps, texts.values(), strict=True):
            tmp.write_bytes(text.encode("utf-8"))
    return Output(out / f"{name}.csv", out / f"{name}.meta.csv", out / "report.html", result,
                  out / f"{b.name}.csv" if b is not None else None)


def run(paths: Sequence[Path], out: Path, cfg: Disclosure | None = None, version: str | None = None,
        workers: int | None = None, progress: Progress | None = None) -> Output:
    """What ``mcds stats`` does: statistics of the packages at ``paths`` written into ``out``."""
    cfg = cfg or disclosure_settings(version)
    return write(published(paths, cfg, version, workers, progress), out, cfg, version)
