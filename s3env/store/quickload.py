"""The profile for ``s3env env``, ``s3env exec`` and the shim, read in a millisecond.

These run in shell start-up or in front of s5cmd, where importing ``pathlib``, ``re``,
``tomllib`` or ``platformdirs`` would cost more than the work itself (platformdirs alone
~29 ms).  This reads the store with ``os`` and ``tomlfast``, checks it with the same
``storefile`` functions as ``ProfileStore``, and answers ``None`` whenever anything is out of
the ordinary (a keyring secret store, TOML that needs tomllib, any error, a platform whose
config directory it does not compute): the caller then takes ``ProfileStore``, which gives
the same answer or the error message.  tests/test_quickload.py holds the two together.
"""

from __future__ import annotations

import os
import sys

from s3env.core.errors import S3envError
from s3env.core.model import SECRET_FIELDS, Profile
from s3env.store.fileguard import read_regular
from s3env.store.storefile import store_data_from_dict
from s3env.store.tomlfast import loads_simple

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms at start-up
if TYPE_CHECKING:
    from collections.abc import Mapping


def default_store_dir(env: Mapping[str, str] | None = None) -> str | None:
    """platformdirs' ``user_config_dir("s3env", roaming=True)`` on Linux, where it is plain XDG:
    ``$XDG_CONFIG_HOME/s3env`` or ``$HOME/.config/s3env``.  None where that is not certain
    (another platform, a relative ``XDG_CONFIG_HOME``, no absolute ``HOME``)."""
    env = os.environ if env is None else env
    if sys.platform != "linux":
        return None
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg:
        return os.path.join(xdg, "s3env") if xdg.startswith("/") else None
    home = env.get("HOME", "")
    if not home.startswith("/"):
        return None
    return os.path.join(home.rstrip("/") or "/", ".config", "s3env")


def store_dir(env: Mapping[str, str]) -> str | None:
    """The store directory, always absolute: a relative ``S3ENV_HOME`` is taken from the current
    directory once, here, as ``paths.store_dir`` does (never left relative for a shell hook)."""
    override = env.get("S3ENV_HOME")
    if override:
        return os.path.abspath(os.path.expanduser(override))
    return default_store_dir(env)


def quick_profile(name: str | None, *, secrets: bool, env: Mapping[str, str] | None = None) -> Profile | None:
    """The named (or active) profile, with its secrets if asked, or None: ask ProfileStore."""
    environ = os.environ if env is None else env
    root = store_dir(environ)
    if root is None:
        return None
    path = os.path.join(root, "profiles.toml")
    try:
        data = read_regular(path)  # never blocks on a FIFO: this runs at shell start-up
        if data is None:
            return None
        text = data.decode("utf-8")
    except (OSError, ValueError, S3envError):
        return None
    raw = loads_simple(text)
    if raw is None:
        return None
    try:
        data = store_data_from_dict(raw, path)
    except S3envError:
        return None
    if name is None:
        name = data.settings.get("active")
    profile = data.profiles.get(name) if name is not None else None
    if profile is None or not secrets:
        return profile
    from s3env.store.secrets import requested_store

    try:
        choice, _source = requested_store(environ, data.settings)
    except S3envError:
        return None
    if choice == "auto":  # as ProfileStore: nothing was ever stored, so there is nothing to read
        return profile
    if choice != "file":
        return None
    from s3env.store.secrets.file_format import read_secret_file

    try:
        entry = read_secret_file(os.path.join(root, "secrets.toml")).get(name, {})
    except S3envError:
        return None
    return profile.replace(
        **{f: entry.get(f) if isinstance(entry.get(f), str) else None for f in SECRET_FIELDS}
    )


def aws_config_path(env: Mapping[str, str]) -> str:
    """What botocore reads: ``AWS_CONFIG_FILE``, else ``~/.aws/config`` (``~`` from HOME)."""
    return expand_home(env.get("AWS_CONFIG_FILE") or "~/.aws/config", env)


def expand_home(value: str, env: Mapping[str, str]) -> str:
    if value == "~" or value.startswith("~/"):
        home = env.get("HOME") or os.path.expanduser("~")
        value = home + value[1:]
    return os.path.abspath(value)
