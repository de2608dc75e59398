"""Writing outputs whole, and never over what was there.

Every output is written beside its place under a hidden temporary name and moved in only when
complete: a run that is killed leaves the previous output, or none. Before anything is written:

- an output is never an input of the run, a folder holding one, or inside one (:func:`guard_output`);
- a folder is replaced only when it is empty or is a CSV package of the standard's layout, as
  mcds writes it: ``datapackage.json`` with its ``mcds`` metadata and only the CSV files its
  resources name. A folder holding anything else is refused, as are the current folder and its
  ancestors;
- an existing file is replaced only when mcds wrote it (:func:`written_by_mcds`), or when the
  command is told to (``overwrite``: each command's ``--overwrite``): a workbook mcds wrote and
  nobody saved since (its mark holds), a ZIP file mcds wrote (:func:`write_zip`) with its members
  as they were (its comment's mark holds), or a JSON file in mcds's own layout (the JSON form or a
  conversion report, as mcds formats them: the same rule as for a package folder);
- a symbolic link is followed: what it points at is replaced and the link is kept;
- leftovers of an interrupted run beside the output (``.NAME.XXXXXXXX`` temporary copies and
  ``.NAME.old``) are removed once stale, or ``.NAME.old`` is put back when ``NAME`` is missing.

Outputs get the permissions of the output they replace, or those any new file or folder gets
(``0666`` and ``0777`` less the umask), not the owner-only ones of the temporary copies they are
made as; an output that holds a key is written ``private`` (owner only).

Several files (the statistics) are replaced as a set by :func:`atomic_files`: if moving one in
fails, those already moved are put back as they were.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from mcds.errors import InputError

__all__ = ["STALE_AFTER", "ZIP_MARK", "atomic_files", "atomic_path", "guard_output", "in_progress", "replaceable",
           "umask", "write_zip", "written_by_mcds", "zip_written_by_mcds"]

STALE_AFTER = 600.0  # seconds untouched after which a leftover temporary copy is no run's work in progress
DESCRIPTOR_LIMIT = 16 * 1024 * 1024  # bytes: a datapackage.json mcds writes is a few tens of KB
PACKAGE = "datapackage.json"


def _real(path: Path | str) -> Path:
    """The absolute path written to: symbolic links followed, so a link is kept and its target replaced."""
    return Path(os.path.realpath(path))


def _cwd() -> Path | None:
    try:
        return _real(Path.cwd())
    except OSError:
        return None


def guard_output(target: Path | str, inputs: Iterable[Path | str | None] = (), *, replaces: bool = True,
                 overwrite: bool = False) -> Path:
    """Refuse ``target`` before any work if writing it could destroy something; return the path written to.

    Refused: an output that is one of ``inputs``, a folder holding one, or inside one (``None``
    inputs are skipped);
    when the output ``replaces`` what is at ``target`` (every writer but one writing files into a
    folder), also the current folder or one holding it, a folder mcds did not write, and an
    existing file unless ``overwrite`` (the command's ``--overwrite``)."""
    real = _real(target)
    for given in inputs:
        if given is None:
            continue
        source = _real(given)
        if source == real:
            raise InputError(target, f"is also an input of this command ({given}): write the output somewhere else")
        if real in source.parents:
            raise InputError(target, f"holds an input of this command ({given}), which writing it would destroy: "
                                     "give a new folder for the output")
        if source in real.parents:  # it would overwrite, or be read next time as, part of the input
            raise InputError(target, f"is inside an input of this command ({given}): write the output outside it")
    if replaces:
        _check_replaceable(Path(target), real, directory=real.is_dir())
        if not overwrite and real.is_file() and not written_by_mcds(real):
            raise InputError(target, "is a file mcds did not write (or one changed since), which writing it would "
                                     "destroy: give a new name, or --overwrite to replace it")
    return real


JSON_LIMIT = 512 * 1024 * 1024  # bytes: a JSON file larger than this is not read to tell whether mcds wrote it


def _json_written_by_mcds(path: Path) -> bool:
    from mcds.derive import dumps

    try:
        if path.stat().st_size > JSON_LIMIT:
            return False
        text = path.read_bytes().decode("utf-8")
        doc = json.loads(text)
    except (OSError, ValueError, RecursionError):
        return False
    if not isinstance(doc, dict) or dumps(doc) != text:
        return False
    form = isinstance(doc.get("metadata"), dict) and all(isinstance(v, list) for k, v in doc.items() if k != "metadata")
    report = isinstance(doc.get("converter"), str) and isinstance(doc.get("rows"), dict)
    return form or report


ZIP_MARK = "mcds-sha256:"
"""How a ZIP file mcds wrote (:func:`write_zip`) says so: its comment is this and the SHA-256 of its
members' names and contents, in order, so a member added, removed, renamed or changed since (the
comment kept by the tool that did it) breaks the mark. A workbook carries its mark inside instead
(:data:`mcds.safety.XLSX_MARK`), where Excel cannot keep it when it saves."""


def _zip_digest(members: Iterable[tuple[str, Iterable[bytes]]]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for name, chunks in members:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\x00")
        for chunk in chunks:
            digest.update(chunk)
        digest.update(b"\x00")
    return digest.hexdigest()


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            yield chunk


def zip_written_by_mcds(path: Path | str) -> bool:
    """Whether the ZIP file at ``path`` is one mcds wrote and its members are as written: its comment's
    mark (:data:`ZIP_MARK`) holds. Anything unreadable, or too large to check, is not."""
    from mcds.safety import MAX_ZIP_MEMBERS, MAX_ZIP_UNCOMPRESSED

    try:
        if Path(path).stat().st_size > MAX_ZIP_UNCOMPRESSED or not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as zf:
            comment = zf.comment.decode("ascii", "replace")
            infos = zf.infolist()
            if (not comment.startswith(ZIP_MARK) or len(infos) > MAX_ZIP_MEMBERS
                    or sum(i.file_size for i in infos) > MAX_ZIP_UNCOMPRESSED):
                return False
            return comment == ZIP_MARK + _zip_digest((i.filename, _chunks(zf, i)) for i in infos)
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError):
        return False


def write_zip(target: Path | str, members: Sequence[tuple[str, bytes]]) -> Path:
    """Write ``members`` (name, contents) as the ZIP file ``target``, whole (:func:`atomic_path`), the
    same bytes for the same members (each dated 1980-01-01), and marked as mcds's (:data:`ZIP_MARK`)
    so that a later run may replace it."""
    from mcds.safety import ZIP_EPOCH

    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, data)
        zf.comment = (ZIP_MARK + _zip_digest((name, [data]) for name, data in members)).encode("ascii")
    return Path(target)


def written_by_mcds(path: Path | str) -> bool:
    """Whether the file at ``path`` is one mcds wrote, which a later run may replace: a workbook whose
    mark holds (:func:`mcds.safety.xlsx_written_by_mcds`), a ZIP file whose mark holds
    (:func:`zip_written_by_mcds`), or a JSON object formatted as mcds writes JSON and shaped as the
    JSON form or a conversion report."""
    from mcds.safety import xlsx_written_by_mcds

    path = Path(path)
    return xlsx_written_by_mcds(path) or zip_written_by_mcds(path) or _json_written_by_mcds(path)


def replaceable(folder: Path) -> bool:
    """Whether ``folder`` may be replaced: empty, or a CSV package in the layout mcds writes (only
    ``datapackage.json``, with its ``mcds`` metadata, and the CSV files its resources name)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    names = set()
    for e in entries:
        if not e.is_file(follow_symlinks=False):
            return False
        names.add(e.name)
    if not names:
        return True
    if PACKAGE not in names:
        return False
    try:
        desc_file = Path(folder) / PACKAGE
        if desc_file.stat().st_size > DESCRIPTOR_LIMIT:
            return False
        desc = json.loads(desc_file.read_bytes())
    except (OSError, ValueError, RecursionError):
        return False
    if not isinstance(desc, dict) or not isinstance(desc.get("mcds"), dict) or not isinstance(desc.get("resources"), list):
        return False
    named = {r.get("path") for r in desc["resources"] if isinstance(r, dict)}
    return all(n == PACKAGE or (n in named and n.endswith(".csv")) for n in names)


def _check_replaceable(target: Path, real: Path, *, directory: bool) -> None:
    if real.parent == real:
        raise InputError(target, "is the root of the file system: give a new folder for the output")
    cwd = _cwd()
    if cwd is not None and (real == cwd or real in cwd.parents):
        raise InputError(target, "is the current folder or holds it: give a new folder for the output, e.g. --out out")
    if not os.path.lexists(real):
        return
    if directory and not real.is_dir():
        raise InputError(target, "is a file mcds did not write as a CSV package: give a new folder for the output")
    if not directory and real.is_dir():
        raise InputError(target, "is a folder: give the name of a file to write")
    if directory and not replaceable(real):
        raise InputError(target, "holds files that are not a CSV package mcds wrote, which writing it would destroy: "
                                 "give a new or empty folder for the output")


# ---------------------------------------------------------------- leftovers of interrupted runs


def _leftover(name: str) -> re.Pattern[str]:
    """The names :mod:`tempfile` gives this module's copies (8 characters) and the moved-aside ``.old``."""
    return re.compile(rf"\.{re.escape(name)}\.(?:[a-z0-9_]{{8}}|old)")


def _latest_change(path: Path) -> float:
    latest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        with os.scandir(path) as entries:
            for e in entries:
                latest = max(latest, e.stat(follow_symlinks=False).st_mtime)
    return latest


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def clean_leftovers(real: Path, now: float | None = None) -> None:
    """Remove the stale leftovers of interrupted runs beside ``real``; put a stale ``.NAME.old`` back
    as ``NAME`` when ``NAME`` is missing (the run died between moving the old output aside and the
    new one in). Copies touched in the last :data:`STALE_AFTER` seconds may be another run's work."""
    pattern = _leftover(real.name)
    cutoff = (time.time() if now is None else now) - STALE_AFTER
    try:
        entries = [Path(e.path) for e in os.scandir(real.parent) if pattern.fullmatch(e.name)]
    except OSError:
        return
    for path in entries:
        try:
            if _latest_change(path) >= cutoff:
                continue
            if path.name.endswith(".old") and not os.path.lexists(real):
                os.replace(path, real)
            else:
                _remove(path)
        except OSError:
            continue  # not ours to fight over: the write itself says whether the output can be written


# ---------------------------------------------------------------- writers


def _unwritable(target: Path, exc: OSError) -> InputError:  # a full disk or a read-only folder: a usage error
    return InputError(target, f"cannot be written ({exc.strerror or exc})")


def _prepare(target: Path, directory: bool) -> Path:
    real = _real(target)
    _check_replaceable(target, real, directory=directory)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(target, exc) from None
    clean_leftovers(real)
    return real


def umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o077)  # elsewhere: set and put back (new files meanwhile are only stricter)
    os.umask(mask)
    return mask


def _settle_mode(tmp: Path, real: Path, directory: bool, private: bool = False) -> None:
    """Give a finished temporary copy, just before it is moved in, the permissions of the output it
    replaces (a folder a council restricted stays restricted), else those of a new one under the
    umask. :mod:`tempfile` makes copies owner-only, which keeps a half-written output private; a
    ``private`` output (a key) stays so, and a mode the writer set itself is kept."""
    owner_only = 0o700 if directory else 0o600
    if private or stat.S_IMODE(tmp.stat().st_mode) != owner_only:
        return
    mode = (0o777 if directory else 0o666) & ~umask()
    with contextlib.suppress(OSError):
        if real.is_dir() == directory:
            mode = stat.S_IMODE(real.stat().st_mode)
    tmp.chmod(mode)


_IN_PROGRESS: set[Path] = set()  # the temporary copies atomic_path and atomic_files are writing now


def in_progress(path: Path | str) -> bool:
    """Whether ``path`` is a temporary copy of an output this module is writing now: what a writer
    finishes inside :func:`atomic_path` is mcds's output (a workbook then carries mcds's mark, see
    :func:`mcds.safety.normalise_xlsx`); a file written anywhere else (a fixture of a council's own
    export, made by a script) is not."""
    return Path(os.path.abspath(path)) in _IN_PROGRESS


def _temporary(target: Path, real: Path, directory: bool) -> Path:
    try:
        if directory:
            return Path(tempfile.mkdtemp(prefix=f".{real.name}.", dir=real.parent))
        fd, name = tempfile.mkstemp(prefix=f".{real.name}.", dir=real.parent)
        os.close(fd)
        return Path(name)
    except OSError as exc:
        raise _unwritable(target, exc) from None


def _move_folder_in(target: Path, tmp: Path, real: Path) -> None:
    _check_replaceable(target, real, directory=True)  # again: the folder may have changed while the output was made
    if not os.path.lexists(real):
        tmp.rename(real)
        return
    old = real.with_name(f".{real.name}.old")
    _remove(old)
    real.rename(old)
    try:
        tmp.rename(real)
    except BaseException:
        old.rename(real)  # put the previous output back
        raise
    _remove(old)


@contextlib.contextmanager
def atomic_path(target: Path | str, *, directory: bool = False, private: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it into place.

    ``target`` is checked first (see the module's description); on any failure the temporary file
    or folder is removed and ``target`` is untouched. The output gets the permissions of a new file
    or folder under the umask; ``private`` (a file holding a key) keeps it to its owner."""
    target = Path(target)
    real = _prepare(target, directory)
    tmp = _temporary(target, real, directory)
    _IN_PROGRESS.add(Path(os.path.abspath(tmp)))
    try:
        yield tmp
        _settle_mode(tmp, real, directory, private)
        if directory:
            _move_folder_in(target, tmp, real)
        else:
            os.replace(tmp, real)
    except OSError as exc:
        _remove(tmp)
        raise _unwritable(target, exc) from None
    except BaseException:
        _remove(tmp)
        raise
    finally:
        _IN_PROGRESS.discard(Path(os.path.abspath(tmp)))


def _keep_copy(real: Path, backup: Path) -> None:
    try:
        os.link(real, backup)  # the previous contents, kept under a second name at no cost
    except OSError:
        shutil.copy2(real, backup)  # a file system without hard links


def _move_set_in(targets: Sequence[Path], tmps: Sequence[Path], reals: Sequence[Path]) -> None:
    moved: list[tuple[Path, Path | None]] = []
    backups: list[Path] = []
    current = targets[0]
    try:
        for target, tmp, real in zip(targets, tmps, reals, strict=True):
            current = target
            backup = None
            if os.path.lexists(real):
                backup = real.with_name(f".{real.name}.old")
                _remove(backup)
                _keep_copy(real, backup)
                backups.append(backup)
            os.replace(tmp, real)
            moved.append((real, backup))
    except BaseException as exc:
        kept = set()
        for real, backup in reversed(moved):  # put back what was moved in, so the set is the previous one
            try:
                if backup is None:
                    real.unlink(missing_ok=True)
                else:
                    os.replace(backup, real)
            except OSError:
                if backup is not None:
                    kept.add(backup)  # the previous contents stay beside the file rather than be lost
        for backup in backups:
            if backup not in kept:
                _remove(backup)
        if isinstance(exc, OSError):
            raise _unwritable(current, exc) from None
        raise
    for backup in backups:
        _remove(backup)


@contextlib.contextmanager
def atomic_files(targets: Sequence[Path | str]) -> Iterator[list[Path]]:
    """Yield a temporary path beside each of ``targets``; once all are written, move them into place
    as a set: if moving one fails, those already moved are put back to their previous contents (or
    removed, if new), so either every file is replaced or none is."""
    paths = [Path(t) for t in targets]
    reals = [_prepare(t, False) for t in paths]
    tmps: list[Path] = []
    try:
        for target, real in zip(paths, reals, strict=True):
            tmps.append(_temporary(target, real, False))
            _IN_PROGRESS.add(Path(os.path.abspath(tmps[-1])))
        yield list(tmps)
        for tmp, real in zip(tmps, reals, strict=True):
            _settle_mode(tmp, real, False)
        _move_set_in(paths, tmps, reals)
    except OSError as exc:  # while the files were written: the set's folder cannot take them
        raise _unwritable(paths[0].parent, exc) from None
    finally:
        for tmp in tmps:
            _IN_PROGRESS.discard(Path(os.path.abspath(tmp)))
            _remove(tmp)
