"""Tool writers, one module each, behind ``ToolWriter`` and this registry.

Adding a tool (rclone, mc…) means adding one module and one line here.
"""

from __future__ import annotations

from s3env.integrations.writers.aws import AwsFilesWriter
from s3env.integrations.writers.base import (
    DesiredSection,
    IniKeysTarget,
    IniTarget,
    ToolWriter,
    WholeFileDir,
    WholeFileTarget,
    WriteContext,
)
from s3env.integrations.writers.env_files import EnvFilesWriter
from s3env.integrations.writers.megfile import MegfileWriter

WRITERS: dict[str, ToolWriter] = {
    writer.name: writer for writer in (AwsFilesWriter(), MegfileWriter(), EnvFilesWriter())
}

__all__ = [
    "WRITERS",
    "DesiredSection",
    "IniKeysTarget",
    "IniTarget",
    "ToolWriter",
    "WholeFileDir",
    "WholeFileTarget",
    "WriteContext",
]
