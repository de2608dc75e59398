"""Command outputs in hand-written pages: ``<!-- mcds-run -->`` blocks run in a scratch folder."""

from __future__ import annotations

import contextlib
import csv
import os
import re
import shlex
import shutil
import tempfile
from pathlib import Path

import click

from .downloads import has_command
from .embeds import fill_embeds
from .markdown import COLUMNS, DOCS, REFERENCE, ROOT, fenced

# ---------------------------------------------------------------- command outputs in hand-written pages

RUN = re.compile(r"<!-- mcds-run(?: exit=(?P<exit>\d+))?: (?P<cmd>.+?) -->\n(?P<body>.*?)<!-- mcds-run end -->\n", re.S)
SESSION = re.compile(r"<!-- mcds-session: (?P<directive>.+?) -->")
DEMO_KEY = "6d63647320646f63756d656e746174696f6e206578616d706c65206b6579206f6e6c792c206e6576657220757365"


class Session:
    """A scratch folder shared by the command blocks of one page."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.blocked_by: str | None = None

    def prepare(self, directive: str) -> None:
        words = shlex.split(directive)
        if words[0] == "copy" and len(words) == 4 and words[2] == "->":
            src, dst = ROOT / words[1], self.folder / words[3]
            if src.is_dir():
                shutil.copytree(src, dst)
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
        elif words[0] == "demo-key" and len(words) == 2:  # a fixed key, so the page's output never changes
            (self.folder / words[1]).write_text(DEMO_KEY + "\n", encoding="utf-8")
        elif words[0] == "set" and len(words) == 5:  # set FILE ROW FIELD VALUE: change one cell of a CSV file
            path, row, fname, value = self.folder / words[1], int(words[2]), words[3], words[4]
            with path.open(encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh))
            rows[row - 1][rows[0].index(fname)] = value
            with path.open("w", encoding="utf-8", newline="") as fh:
                csv.writer(fh, lineterminator="\n").writerows(rows)
        else:
            msg = f"unknown mcds-session directive: {directive}"
            raise ValueError(msg)

    def run(self, command: str) -> tuple[int | None, str]:
        """(exit code, output); exit code None when the command is not in the toolkit yet."""
        words = shlex.split(command)
        if words[0] in ("cat", "head"):  # show a file the page's commands wrote (head -n N FILE)
            path = self.folder / words[-1]
            if self.blocked_by or not path.is_file():
                self.blocked_by = self.blocked_by or f"the file `{words[-1]}` from an earlier step, which has not run yet"
                return None, ""
            lines = path.read_text(encoding="utf-8").splitlines()
            return 0, "\n".join(lines[: int(words[2])] if words[0] == "head" else lines)
        if words[0] != "mcds":
            msg = f"documented commands must start with mcds: {command}"
            raise ValueError(msg)
        sub = [w for w in words[1:3] if not w.startswith("-")]
        if sub and not (has_command(sub[0]) and _is_group(sub[0])):
            sub = sub[:1]
        if self.blocked_by or (sub and not has_command(*sub)):
            self.blocked_by = self.blocked_by or f"`{' '.join(['mcds', *sub])}`, which is not in the toolkit yet"
            return None, ""
        # In this process, as `mcds` would run in a terminal of COLUMNS characters without colour; stdout and
        # stderr together, as the reader sees them. (A subprocess per command would be slower by its imports.)
        from click.testing import CliRunner

        from mcds.cli import main

        env = {"COLUMNS": str(COLUMNS), "NO_COLOR": "1", "TERM": "dumb", "FORCE_COLOR": None}
        with contextlib.chdir(self.folder):
            result = CliRunner(env=env).invoke(main, words[1:], prog_name="mcds", terminal_width=COLUMNS)
        if result.exception and not isinstance(result.exception, SystemExit):
            msg = f"`{command}` raised {type(result.exception).__name__}: {result.exception}"
            raise StaleExample(msg) from result.exception
        out = result.output.replace(str(self.folder) + os.sep, "").replace(str(self.folder), ".")
        return result.exit_code, out


def _is_group(name: str) -> bool:
    from mcds.cli import main

    return isinstance(main.get_command(click.Context(main), name), click.Group)


class StaleExample(RuntimeError):
    pass


def fill_runs(text: str, page: str) -> str:
    """Fill a hand-written page's embeds from the standard, run its command blocks and put their real output in."""
    text = fill_embeds(text, page)
    if "<!-- mcds-run" not in text:
        return text
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mcds-docs-") as tmp:
        session = Session(Path(tmp))
        for m in SESSION.finditer(text):
            session.prepare(m["directive"])

        def replace(m: re.Match[str]) -> str:
            command, expected = m["cmd"], int(m["exit"] or 0)
            status, output = session.run(command)
            opener = m.group(0).split("\n", 1)[0]
            if status is None:
                body = (f'!!! note "Output to come"\n    This step needs {session.blocked_by}. '
                        "Its real output appears here once it is.\n\n"
                        f"```console\n$ {command}\n```\n")
                return f"{opener}\n{body}<!-- mcds-run end -->\n"
            if status != expected:
                problems.append(f"{page}: `{command}` exited {status}, expected {expected}:\n{output}")
            shown = f"$ {command}\n{output.rstrip()}"
            if status:
                shown += f"\n$ echo $?\n{status}"
            return f"{opener}\n{fenced(shown, 'console')}<!-- mcds-run end -->\n"

        text = RUN.sub(replace, text)
    if problems:
        raise StaleExample("\n\n".join(problems))
    return text


def pages_with_runs() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "<!-- mcds-" in p.read_text(encoding="utf-8")
                  and not p.relative_to(DOCS).as_posix().startswith(REFERENCE + "/"))
