"""Console-script entry point.  Kept tiny: the hot paths must not import typer or boto3."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from s3env.cli import run

    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
