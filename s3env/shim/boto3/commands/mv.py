"""``mv``: ``cp``, then the source removed (s5cmd ``command/mv.go``)."""

from __future__ import annotations

from s3env.shim.boto3.commands.cp import FLAGS, copy_command
from s3env.shim.boto3.context import Context

__all__ = ["FLAGS", "run"]


def run(ctx: Context, args: list[str]) -> int:
    return copy_command(ctx, "mv", args, delete_source=True)
