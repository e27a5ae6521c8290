"""s5cmd's usage errors and per-command help, for the boto3 backend and ``s3env CMD -h``.

s5cmd (urfave/cli) answers a bad flag with ``Incorrect Usage: …``, a blank line and the
command's help, all on stdout, exit status 1 (flags.py raises s3env's one ``UsageError``, the
backend prints it so); ``-h``/``--help`` prints the help, status 0.
The help texts are s5cmd v2.3.0's own, kept in ``s5cmd_help.json`` (s5cmd is MIT-licensed);
``tests/test_shim_usage.py`` checks them against the real binary.  To refresh them after a
new s5cmd release:

    python -m s3env.shim.boto3.usage --regenerate
"""

from __future__ import annotations

import json
import os
from functools import cache

from s3env.shim.base import SHIM_COMMANDS

# (a plain path: pathlib would cost 4 ms of every command's start)
HELP_FILE = os.path.join(os.path.dirname(__file__), "s5cmd_help.json")
HELP_FLAGS = ("h", "help")


class HelpRequested(Exception):
    """``-h``/``--help`` among a command's flags."""


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


@cache
def _all_help() -> dict[str, str]:
    return json.loads(_read(HELP_FILE))


def help_text(command: str) -> str:
    return _all_help().get(command, "")


def incorrect_usage(command: str, message: str) -> str:
    return f"Incorrect Usage: {message}\n\n{help_text(command)}"


def regenerate(s5cmd: str) -> dict[str, str]:
    """Each command's ``-h`` output from an s5cmd binary, in a clean environment."""
    import subprocess

    texts = {}
    for command in SHIM_COMMANDS:
        result = subprocess.run([s5cmd, command, "-h"], env={}, capture_output=True, text=True, check=True)
        texts[command] = result.stdout
    return texts


def _main() -> None:
    import argparse
    import shutil

    parser = argparse.ArgumentParser(description="Refresh s5cmd_help.json from an s5cmd binary.")
    parser.add_argument("--regenerate", action="store_true", required=True)
    parser.add_argument("--s5cmd", default=None, help="the s5cmd binary (default: the s5cmd package's)")
    args = parser.parse_args()
    binary = args.s5cmd
    if binary is None:
        from s3env.shim.s5cmd import find_s5cmd

        binary = find_s5cmd() or shutil.which("s5cmd")
    if not binary:
        raise SystemExit("s5cmd not found")
    with open(HELP_FILE, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(regenerate(binary), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {HELP_FILE}")


if __name__ == "__main__":
    _main()
