"""megfile: named-profile aliases in ``~/.config/megfile/megfile.conf``.

megfile reads its endpoint, region and keys from the AWS files that ``AwsFilesWriter``
writes (the profile's nested ``s3 =`` block: megfile ignores ``[services]``), so it needs
nothing more to follow ``s3env use``.  What it reads beyond them is its own config file,
whose ``[alias]`` table maps a URL scheme to a protocol.  s3env adds one alias per profile,
``NAME = s3+NAME``, so ``megfile ls NAME://bucket/`` reaches profile NAME whatever profile
is active (megfile's ``s3+NAME://`` scheme selects AWS profile NAME; megfile accepts only
letters, digits and ``_`` there, so other names get no alias).  Only those keys are
s3env's: the user's own aliases and every other byte of the file stay as they were, and a
name the user already uses, or one that is a megfile protocol, is skipped with a notice.
"""

from __future__ import annotations

import re

from s3env.integrations.writers.base import IniKeysTarget, ToolWriter, WriteContext

CONFIG_RELATIVE = ".config/megfile/megfile.conf"  # megfile hard-codes ~/.config, not XDG
ALIAS_SECTION = "alias"
# Schemes megfile handles itself: an alias with one of these names would hijack it.
RESERVED = frozenset({"file", "s3", "http", "https", "hdfs", "sftp", "sftp2", "stdio", "webdav", "webdavs"})


# megfile accepts ``s3+NAME://`` only for ``\w+`` names (``is_s3``: ``^s3(\+\w+)?://``).
_WORD_RE = re.compile(r"[A-Za-z0-9_]+\Z")


def alias_for(name: str) -> str | None:
    """``s3+NAME`` for names megfile can use as a profile scheme, else None."""
    if name.lower() in RESERVED or not _WORD_RE.match(name):
        return None
    return f"s3+{name}"


class MegfileWriter(ToolWriter):
    name = "megfile"
    description = "megfile aliases NAME:// -> s3+NAME:// in ~/.config/megfile/megfile.conf"

    def targets(self, ctx: WriteContext) -> list[IniKeysTarget]:
        keys = {p.name: alias for p in ctx.profiles if (alias := alias_for(p.name)) is not None}
        return [IniKeysTarget("megfile-conf", ctx.home / CONFIG_RELATIVE, ALIAS_SECTION, keys)]
