"""The project's command line: `python -m <package> <command>`."""

from __future__ import annotations

import argparse
import sys

from . import config, owners
from .markdown import MissingBlockError


def _owners(arguments: argparse.Namespace) -> int:
    root = config.find_root()
    changed = owners.update(root, check=arguments.check)
    names = ", ".join(str(path.relative_to(root)) for path in changed)
    if arguments.check:
        if changed:
            print(f"Out of date with params.yaml: {names}. Run: python -m {owners.PACKAGE} owners")
            return 1
        print("Owners are up to date everywhere.")
        return 0
    print(f"Updated: {names}." if changed else "Owners were already up to date everywhere.")
    return 0


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog=f"python -m {owners.PACKAGE}", description=__doc__)
    commands = cli.add_subparsers(dest="command", required=True, metavar="COMMAND")
    owners_command = commands.add_parser(
        "owners",
        help="write the owners from params.yaml into the roles page, CODEOWNERS and every document",
    )
    owners_command.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if any file is out of date"
    )
    owners_command.set_defaults(handler=_owners)
    return cli


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        return arguments.handler(arguments)
    except (config.ConfigError, MissingBlockError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
