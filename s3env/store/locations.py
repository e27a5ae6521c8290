"""Where things are: s3env's store and cache directories and the AWS files, as plain strings.

The one place for these rules.  ``paths.StorePaths`` wraps them in ``pathlib``; the start-up
path (``quickload``), the boto3 backend's model cache and ``doctor`` use them as they are.
Only ``os`` and ``sys`` here (the start-up budget: tests/test_import_budget.py).

On Linux, platformdirs' answers are the plain XDG rule, computed here without importing it
(~29 ms); elsewhere, and wherever the plain rule is not certain (a relative ``XDG_*`` value, no
absolute ``HOME``), platformdirs answers.  tests/test_locations.py holds the two together.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

APP = "s3env"
PROFILES_FILE = "profiles.toml"
PROFILES_CACHE_FILE = "profiles.cache"  # beside profiles.toml: see storefile.py
SECRETS_FILE = "secrets.toml"
LOCK_FILE = ".lock"
BACKUP_DIR = "backups"
ENV_DIR = "env"
#: inside ENV_DIR: one env file per profile and shell format, for `.s3env` directories
PROFILE_ENV_DIR = "profiles"


def _plain_xdg(
    env: Mapping[str, str], variable: str, fallback: str, *, ignore_relative: bool = False
) -> str | None:
    """``$variable/s3env`` or ``$HOME/fallback/s3env`` where that is platformdirs' certain
    answer (Linux; an absolute ``$variable``, else an absolute ``HOME``), else None."""
    if sys.platform != "linux":
        return None
    xdg = env.get(variable, "")
    if xdg.startswith("/"):
        return os.path.join(xdg, APP)
    if xdg and not ignore_relative:
        return None
    home = env.get("HOME", "")
    if not home.startswith("/"):
        return None
    return os.path.join(home.rstrip("/") or "/", fallback, APP)


def default_store_dir(env: Mapping[str, str] | None = None) -> str | None:
    """platformdirs' ``user_config_dir("s3env", roaming=True)`` where the plain XDG rule is
    certainly its answer (``$XDG_CONFIG_HOME/s3env`` or ``$HOME/.config/s3env``), else None."""
    return _plain_xdg(os.environ if env is None else env, "XDG_CONFIG_HOME", ".config")


def store_dir(env: Mapping[str, str] | None = None) -> str:
    """The store directory, always absolute: a relative ``S3ENV_HOME`` is taken from the current
    directory once, here, so no file or shell hook ever holds a path relative to wherever the
    user happens to be."""
    env = os.environ if env is None else env
    override = env.get("S3ENV_HOME")
    if override:
        return os.path.abspath(os.path.expanduser(override))
    plain = default_store_dir(env)
    if plain is not None:
        return plain
    import platformdirs  # only where the plain rule may not be its answer

    return os.path.abspath(platformdirs.user_config_dir(APP, appauthor=False, roaming=True))


def cache_dir(env: Mapping[str, str] | None = None) -> str:
    """s3env's cache directory: platformdirs' ``user_cache_dir("s3env")``; on Linux
    ``$XDG_CACHE_HOME/s3env`` or ``~/.cache/s3env``.  A relative ``XDG_CACHE_HOME`` is ignored,
    as the XDG spec says: a cache is never written relative to the current directory."""
    env = os.environ if env is None else env
    plain = _plain_xdg(env, "XDG_CACHE_HOME", ".cache", ignore_relative=True)
    if plain is not None:
        return plain
    import platformdirs

    return platformdirs.user_cache_dir(APP, appauthor=False)


def home_dir(env: Mapping[str, str] | None = None) -> str:
    """``HOME`` when set, else the user's home as Python finds it."""
    env = os.environ if env is None else env
    return env.get("HOME") or os.path.expanduser("~")


def expand_home(value: str, env: Mapping[str, str] | None = None) -> str:
    """``~`` and ``~/…`` from ``HOME`` (as botocore expands them), made absolute."""
    env = os.environ if env is None else env
    if value == "~" or value.startswith("~/"):
        value = home_dir(env) + value[1:]
    return os.path.abspath(value)


def aws_config_file(env: Mapping[str, str] | None = None) -> str:
    """What botocore reads: ``AWS_CONFIG_FILE``, else ``~/.aws/config``."""
    env = os.environ if env is None else env
    return expand_home(env.get("AWS_CONFIG_FILE") or "~/.aws/config", env)


def aws_credentials_file(env: Mapping[str, str] | None = None) -> str:
    """What botocore reads: ``AWS_SHARED_CREDENTIALS_FILE``, else ``~/.aws/credentials``."""
    env = os.environ if env is None else env
    return expand_home(env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials", env)
