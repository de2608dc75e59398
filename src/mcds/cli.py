"""The ``mcds`` command: a thin click shell over the library.

Each command is one module in :mod:`mcds.commands` exposing ``command``, named as the
module with ``-`` for ``_`` (``check_ees.py`` is ``mcds check-ees``). They are found by name
and imported only when run, so adding a command never touches this file and ``mcds validate``
does not pay for loading the statistics or converters. Exit codes: 0 valid or done,
1 invalid data, 2 bad usage or unreadable input, 3 a bug in mcds (please report it).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

import click

from mcds import __version__, commands
from mcds import standard as std
from mcds.errors import MCDSError
from mcds.issues import printable

EXIT_INTERNAL = 3


def _command_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))


def _whole_summaries(command: click.Command) -> None:
    """List each command by its first sentence whole: click cuts it to fit one line and ends it with
    "..." (``mcds --help`` cut 8 of 18 mid-sentence); given as ``short_help``, it is wrapped instead.
    Sub-commands too (``mcds convert --help``)."""
    if command.short_help is None and command.help:
        command.short_help = command.get_short_help_str(limit=len(command.help))
    for sub in getattr(command, "commands", {}).values():
        _whole_summaries(sub)


class Group(click.Group):
    """Finds commands lazily, lists them in name order, and turns library errors into clean messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(m.replace("_", "-") for m in _command_modules())})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = cmd_name.replace("-", "_")
        if cmd_name in self.commands or module not in _command_modules():
            return super().get_command(ctx, cmd_name)
        command = importlib.import_module(f"mcds.commands.{module}").command
        _whole_summaries(command)
        self.add_command(command, cmd_name)
        return command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from mcds import console

        console.setup()  # any console encoding: plain fallbacks for what it cannot write, never a crash
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MCDSError as exc:
            click.echo(f"mcds: error: {printable(str(exc))}", err=True)  # names the user's files
            ctx.exit(2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # output piped into `head`: stop quietly
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except Exception as exc:  # a bug: never show a traceback to a council officer
            click.echo(f"mcds: internal error ({type(exc).__name__}): {printable(str(exc))}\n"
                       "This is a bug in mcds. Please report it, without attaching any personal data.", err=True)
            ctx.exit(EXIT_INTERNAL)


def _version_message() -> str:
    return f"mcds {__version__} (standard versions: {', '.join(std.supported_versions())})"


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, message=_version_message())
def main() -> None:
    """The Missing from Care Data Standard toolkit.

    Validate, convert and pseudonymise data about children who go missing from care,
    and publish disclosure-controlled statistics.
    """


if __name__ == "__main__":
    sys.exit(main())
