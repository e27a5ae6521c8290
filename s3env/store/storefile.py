"""Parsing and checking ``profiles.toml``: pure, and light enough for shell start-up.

No ``re``, ``pathlib`` or ``tomllib`` at import time: ``s3env env`` and the shim read the store
through here (``quickload``), and ``store.ProfileStore`` uses the same functions, so both
report exactly the same errors.
"""

from __future__ import annotations

from s3env.core.errors import StoreError
from s3env.core.model import SECRET_FIELDS, SETTABLE_FIELDS, Profile, validate_name
from s3env.store.tomlfast import loads_simple

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms at start-up
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

# The non-secret settings of a profile are exactly the ones `profile set` may change.
PROFILE_KEYS: tuple[str, ...] = SETTABLE_FIELDS
SETTINGS_KEYS: tuple[str, ...] = ("secrets", "active")


class StoreData:
    """The parsed store: profiles in file order and the ``[settings]`` table."""

    __slots__ = ("profiles", "settings")

    def __init__(
        self, profiles: dict[str, Profile] | None = None, settings: dict[str, Any] | None = None
    ) -> None:
        self.profiles: dict[str, Profile] = profiles or {}
        self.settings: dict[str, Any] = settings or {}


def parse_store_text(text: str, path: str = "profiles.toml") -> StoreData:
    """Parse and check the whole store file.  Pure: raises StoreError with file and line."""
    raw = loads_simple(text)  # the plain TOML s3env writes, without importing tomllib
    if raw is None:
        import tomllib

        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise StoreError(_toml_error(path, exc)) from None
    return store_data_from_dict(raw, path)


def store_data_from_dict(raw: Mapping[str, Any], path: str) -> StoreData:
    unknown = sorted(set(raw) - {"settings", "profiles"})
    if unknown:
        raise StoreError(
            f"{path}: unknown top-level key '{unknown[0]}' (expected [settings] and [profiles.NAME])"
        )
    settings = raw.get("settings", {})
    if not isinstance(settings, dict):
        raise StoreError(f"{path}: 'settings' must be a table")
    for key, value in settings.items():
        if key not in SETTINGS_KEYS:
            raise StoreError(f"{path}: unknown setting '{key}' in [settings]")
        if not isinstance(value, str):
            raise StoreError(f"{path}: settings.{key} must be a string")
        if key == "secrets" and value not in ("keyring", "file", "auto"):
            raise StoreError(f"{path}: settings.secrets = {value!r}: choose keyring, file or auto")
    profiles_raw = raw.get("profiles", {})
    if not isinstance(profiles_raw, dict):
        raise StoreError(f"{path}: 'profiles' must be a table of [profiles.NAME] tables")
    profiles: dict[str, Profile] = {}
    for name, entry in profiles_raw.items():
        profiles[name] = _profile_from_entry(name, entry, path)
    return StoreData(profiles=profiles, settings=dict(settings))


def _profile_from_entry(name: str, entry: Any, path: str) -> Profile:
    try:
        validate_name(name)
    except Exception as exc:
        raise StoreError(f"{path}: {exc}") from None
    if not isinstance(entry, dict):
        raise StoreError(f"{path}: profiles.{name} must be a table")
    values: dict[str, Any] = {}
    for key, value in entry.items():
        if key == "extra":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise StoreError(f"{path}: profiles.{name}.extra must be a table of strings")
            values["extra"] = dict(value)
        elif key in SECRET_FIELDS:
            raise StoreError(
                f"{path}: profiles.{name} holds a {key}; secrets belong in the secret store "
                f"(remove the line, then run 's3env profile add {name} --force --secret-stdin')"
            )
        elif key in PROFILE_KEYS:
            if not isinstance(value, str):
                raise StoreError(f"{path}: profiles.{name}.{key} must be a string")
            values[key] = value
        else:
            raise StoreError(f"{path}: unknown key '{key}' in profiles.{name}")
    try:
        return Profile(name=name, **values).validate()
    except Exception as exc:
        raise StoreError(f"{path}: profiles.{name}: {exc}") from None


def _toml_error(path: str, exc: Exception) -> str:
    import re  # an error path: not worth ~4 ms on every read

    position = re.compile(r"\(at line (\d+), column (\d+)\)")
    message = str(exc)
    match = position.search(message)
    if match:
        reason = position.sub("", message).strip()
        return f"{path}:{match.group(1)}: invalid TOML: {reason} (column {match.group(2)})"
    return f"{path}: invalid TOML: {message}"
