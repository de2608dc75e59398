"""The ``mcds`` command: a thin click shell over the library.

Each command is one module in :mod:`mcds.commands` exposing ``command``; they are found
by name, so adding a command never touches this file. Exit codes: 0 valid or done,
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

EXIT_INTERNAL = 3


class Group(click.Group):
    """Lists commands in name order and turns library errors into clean messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MCDSError as exc:
            click.echo(f"mcds: error: {exc}", err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # output piped into `head`: stop quietly
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except Exception as exc:  # a bug: never show a traceback to a council officer
            click.echo(f"mcds: internal error ({type(exc).__name__}): {exc}\n"
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


for _info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
    if not _info.name.startswith("_"):
        _module = importlib.import_module(f"mcds.commands.{_info.name}")
        main.add_command(_module.command)


if __name__ == "__main__":
    sys.exit(main())
