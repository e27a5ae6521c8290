"""Reading the file secret store (``secrets.toml``, mode 0600): shared by ``FileSecretStore``
and the start-up path (``quickload``), so both refuse a too-open file the same way."""

from __future__ import annotations

import os
import stat

from s3env.core.errors import SecretStoreError
from s3env.core.model import SECRET_FIELDS
from s3env.store.fileguard import read_regular_stat
from s3env.store.tomlfast import loads_simple

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms at start-up
if TYPE_CHECKING:
    from typing import Any


def read_secret_file(path: str) -> dict[str, dict[str, str]]:
    """``{profile: {field: value}}``; {} when the file does not exist."""
    try:
        found = read_regular_stat(path)  # a FIFO or device is refused, never read
    except OSError as exc:
        raise SecretStoreError(f"cannot read {path}: {exc.strerror}") from None
    if found is None:
        return {}
    raw, info = found
    if os.name != "nt":
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise SecretStoreError(f"{path} is readable by others (mode {mode:04o}); run 'chmod 600 {path}'")
    try:
        text = raw.decode("utf-8")
        data: dict[str, Any] | None = loads_simple(text)  # tomllib only for what s3env did not write
        if data is None:
            import tomllib

            data = tomllib.loads(text)
    except ValueError as exc:  # UnicodeDecodeError, tomllib.TOMLDecodeError
        # The message of TOMLDecodeError names a position, never the content.
        raise SecretStoreError(f"{path}: invalid TOML: {exc}") from None
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise SecretStoreError(f"{path}: 'profiles' must be a table")
    # A value of the wrong type must never read as "no secret": `s3env write` would then take
    # the keys out of ~/.aws/credentials.  Messages name the key, never the value.
    for name, entry in profiles.items():
        if not isinstance(entry, dict):
            raise SecretStoreError(f"{path}: profiles.{name} must be a table")
        for field, value in entry.items():
            if field not in SECRET_FIELDS:
                raise SecretStoreError(f"{path}: unknown key '{field}' in profiles.{name}")
            if not isinstance(value, str) or value == "":
                raise SecretStoreError(f"{path}: profiles.{name}.{field} must be a non-empty string")
    return profiles
