"""The CLI reference page, from each command's own ``--help``."""

from __future__ import annotations

from collections.abc import Iterator

import click

from .markdown import COLUMNS, code, fenced, header, md_table


def command_help(path: tuple[str, ...]) -> str:
    from click.testing import CliRunner

    from mcds.cli import main

    result = CliRunner().invoke(main, [*path, "--help"], prog_name="mcds", terminal_width=COLUMNS)
    if result.exit_code != 0:
        msg = f"`mcds {' '.join(path)} --help` failed: {result.output}"
        raise RuntimeError(msg)
    return result.output


def iter_commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(group, info_name="mcds")
    for name in sorted(group.list_commands(ctx)):
        cmd = group.get_command(ctx, name)
        if cmd is None or getattr(cmd, "hidden", False):
            continue
        yield (*path, name), cmd
        if isinstance(cmd, click.Group):
            yield from iter_commands(cmd, (*path, name))


def summary(cmd: click.Command) -> str:
    """The command's first sentence, whole. (click's own short help, as ``mcds --help`` lists the commands,
    cuts it to fit a line and ends it with "...".)"""
    return cmd.get_short_help_str(limit=len(cmd.help or "") + 1)  # a limit the first sentence always fits


def command_anchor(path: tuple[str, ...]) -> str:
    return "-".join(path)


def cli_page() -> str:
    from mcds.cli import main

    commands = list(iter_commands(main))
    rows = [[f"[{code('mcds ' + ' '.join(p))}](#{command_anchor(p)})", summary(cmd)]
            for p, cmd in commands]
    parts = [header("the `mcds` commands' own help (`mcds COMMAND --help`)"),
             "# Command-line reference\n\n",
             "Every command of the `mcds` toolkit, with the help it prints. Exit codes: 0 valid or done, "
             "1 invalid data (or rows rejected in a conversion), 2 bad usage or a file that cannot be read, "
             "3 a bug in mcds.\n\n",
             md_table(["Command", "What it does"], rows), "\n## mcds {#mcds}\n\n", fenced(command_help(()), "text"), "\n"]
    for p, _ in commands:
        level = "#" * min(2 + len(p) - 1, 4)
        parts.append(f"{level} mcds {' '.join(p)} {{#{command_anchor(p)}}}\n\n{fenced(command_help(p), 'text')}\n")
    return "".join(parts)
