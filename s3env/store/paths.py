"""Where s3env keeps its own files.  ``S3ENV_HOME`` overrides everything (tests rely on it)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PROFILES_FILE = "profiles.toml"
SECRETS_FILE = "secrets.toml"
LOCK_FILE = ".lock"
BACKUP_DIR = "backups"
ENV_DIR = "env"


def store_dir(env: Mapping[str, str] | None = None) -> Path:
    """Always absolute: a relative ``S3ENV_HOME`` (or XDG/HOME) is resolved against the current
    directory here, once, so no file or shell hook ever holds a path relative to wherever the
    user happens to be."""
    env = os.environ if env is None else env
    override = env.get("S3ENV_HOME")
    if override:
        return Path(os.path.abspath(os.path.expanduser(override)))
    from s3env.store.quickload import default_store_dir

    plain = default_store_dir(env)  # platformdirs' answer on Linux, without its ~29 ms import
    if plain is not None:
        return Path(plain)
    import platformdirs  # lazy: only where the plain XDG rule may not be its answer

    return Path(os.path.abspath(platformdirs.user_config_dir("s3env", appauthor=False, roaming=True)))


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


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME")
    return Path(home) if home else Path.home()


def _expand(value: str, env: Mapping[str, str]) -> Path:
    from s3env.store.quickload import expand_home

    return Path(expand_home(value, env))


def aws_config_file(env: Mapping[str, str] | None = None) -> Path:
    """What botocore reads: ``AWS_CONFIG_FILE``, else ``~/.aws/config``."""
    env = os.environ if env is None else env
    return _expand(env.get("AWS_CONFIG_FILE") or "~/.aws/config", env)


def aws_credentials_file(env: Mapping[str, str] | None = None) -> Path:
    """What botocore reads: ``AWS_SHARED_CREDENTIALS_FILE``, else ``~/.aws/credentials``."""
    env = os.environ if env is None else env
    return _expand(env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials", env)


def home_dir(env: Mapping[str, str] | None = None) -> Path:
    return _home(os.environ if env is None else env)
