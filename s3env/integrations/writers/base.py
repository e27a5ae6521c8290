"""The interface every tool writer implements.

A writer is pure: from the profiles and the active profile it says which files it targets
and what they should contain.  ``s3env.integrations.sync`` does all reading, ownership checks, backups
and atomic writes, the same way for every writer.

Three kinds of target:
- ``IniTarget``: a user's INI file where s3env owns only some sections (the AWS files).  The
  writer returns the *desired sections*; everything else in the file is left byte for byte.
- ``IniKeysTarget``: single keys in one section of a user's INI file (megfile's aliases).
- ``WholeFileTarget``: a file that belongs to s3env entirely (the pre-rendered env files).
- ``WholeFileDir``: a directory of such files, one per profile (``env/profiles``): files there
  that no ``WholeFileTarget`` names any more (a profile removed or renamed) are removed, when
  s3env wrote them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from s3env.core.model import Profile

Items = Sequence[tuple[str, Any]]  # (key, str) or (key, [(subkey, str), ...]) for a nested block


@dataclass(frozen=True)
class DesiredSection:
    header: str
    items: Items
    profile: str | None = None
    #: sections of one group (e.g. the ``[default]`` pair) are taken all or none: only when
    #: none of them exists unowned, or when the user passes --take-default.
    group: str | None = None


@dataclass(frozen=True)
class IniTarget:
    label: str  # short name for messages and backups, e.g. "aws-config"
    path: Path
    kind: str  # "config" or "credentials": how botocore reads it
    secret: bool
    sections: tuple[DesiredSection, ...] = ()
    #: group -> headers that belong to it in this file, whether or not s3env writes them now
    group_headers: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class IniKeysTarget:
    """Single keys of one section in a user's INI file (parsed by Python's configparser)."""

    label: str
    path: Path
    section: str
    keys: dict[str, str]  # key -> value s3env wants there
    secret: bool = False


@dataclass(frozen=True)
class WholeFileTarget:
    label: str
    path: Path
    text: str
    secret: bool = True
    notice: str | None = None  # one line for the user about this file (e.g. what it cannot carry)


@dataclass(frozen=True)
class WholeFileDir:
    """A directory where a writer keeps whole files (its ``WholeFileTarget`` s there).  ``sync``
    removes a file in it that no target of the writer names, but only one s3env wrote: a regular
    file (not a link) of the user's, named ``*.SUFFIX`` for one of ``suffixes``, whose first line
    starts with ``marker``.  Anything else there is left alone."""

    label: str
    directory: Path
    suffixes: tuple[str, ...]
    marker: str


@dataclass(frozen=True)
class WriteContext:
    profiles: tuple[Profile, ...]  # with secrets
    active: str | None
    store_root: Path
    aws_config: Path
    aws_credentials: Path
    home: Path
    s3env_command: tuple[str, ...]  # how tools run s3env (credential_process)
    options: dict[str, Any] = field(default_factory=dict)

    def active_profile(self) -> Profile | None:
        return next((p for p in self.profiles if p.name == self.active), None)


Target = IniTarget | IniKeysTarget | WholeFileTarget | WholeFileDir


class ToolWriter(ABC):
    name: str = ""
    description: str = ""

    @abstractmethod
    def targets(self, ctx: WriteContext) -> list[Target]: ...

    def notices(self, ctx: WriteContext, texts: dict[Path, str | None]) -> list[str]:
        """What the user should know about the files as they are now (``texts``: each INI
        target's current text, None when absent), e.g. a section of theirs that decides instead of
        s3env's.  Pure; nothing by default."""
        return []
