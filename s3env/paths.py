"""Where s3env keeps its own files.  ``S3ENV_HOME`` overrides everything (tests rely on it)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROFILES_FILE = "profiles.toml"
SECRETS_FILE = "secrets.toml"
LOCK_FILE = ".lock"
BACKUP_DIR = "backups"


def store_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    override = env.get("S3ENV_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs  # lazy: only when no override is set

    return Path(platformdirs.user_config_dir("s3env", appauthor=False, roaming=True))


@dataclass(frozen=True)
class StorePaths:
    root: Path

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
