"""Small formatting helpers shared by commands (plain text tables, JSON, notices)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any


def examples(*lines: str) -> str:
    """A help epilog that click prints as written (``\\b`` stops it re-wrapping the block)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip()]
    for row in rows:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    sys.stdout.write("\n".join(lines) + "\n")


def notice(message: str) -> None:
    print(f"s3env: {message}", file=sys.stderr)


def show(value: str | None, empty: str = "-") -> str:
    return empty if value is None or value == "" else value
