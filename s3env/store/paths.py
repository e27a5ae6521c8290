"""Where s3env keeps its own files, as ``pathlib`` paths.  ``S3ENV_HOME`` overrides everything
(tests rely on it).  The rules themselves are in ``locations`` (plain strings, for start-up)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from s3env.store import locations
from s3env.store.locations import BACKUP_DIR, ENV_DIR, LOCK_FILE, PROFILE_ENV_DIR, PROFILES_FILE, SECRETS_FILE

__all__ = [
    "BACKUP_DIR",
    "ENV_DIR",
    "LOCK_FILE",
    "PROFILES_FILE",
    "PROFILE_ENV_DIR",
    "SECRETS_FILE",
    "StorePaths",
    "aws_config_file",
    "aws_credentials_file",
    "home_dir",
    "store_dir",
]


def store_dir(env: Mapping[str, str] | None = None) -> Path:
    """Always absolute (see ``locations.store_dir``)."""
    return Path(locations.store_dir(env))


class StorePaths:
    __slots__ = ("root",)

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.abspath(root))  # never relative to wherever a command runs

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StorePaths) and other.root == self.root

    def __repr__(self) -> str:
        return f"StorePaths({str(self.root)!r})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StorePaths:
        return cls(store_dir(env))

    @property
    def profiles(self) -> Path:
        return self.root / PROFILES_FILE

    @property
    def secrets(self) -> Path:
        return self.root / SECRETS_FILE

    @property
    def lock(self) -> Path:
        return self.root / LOCK_FILE

    @property
    def backups(self) -> Path:
        return self.root / BACKUP_DIR

    @property
    def env_dir(self) -> Path:
        return self.root / ENV_DIR

    def env_file(self, suffix: str) -> Path:
        """The pre-rendered environment of the active profile for one shell format."""
        return self.env_dir / f"active.{suffix}"

    @property
    def profile_env_dir(self) -> Path:
        return self.env_dir / PROFILE_ENV_DIR

    def profile_env_file(self, name: str, suffix: str) -> Path:
        """The environment of one profile for one shell format, which the hook of
        ``s3env shell-init`` sources in a directory whose ``.s3env`` names that profile."""
        return self.profile_env_dir / f"{name}.{suffix}"


def aws_config_file(env: Mapping[str, str] | None = None) -> Path:
    """What botocore reads: ``AWS_CONFIG_FILE``, else ``~/.aws/config``."""
    return Path(locations.aws_config_file(env))


def aws_credentials_file(env: Mapping[str, str] | None = None) -> Path:
    """What botocore reads: ``AWS_SHARED_CREDENTIALS_FILE``, else ``~/.aws/credentials``."""
    return Path(locations.aws_credentials_file(env))


def home_dir(env: Mapping[str, str] | None = None) -> Path:
    return Path(locations.home_dir(env))
