"""Reading and checking ``profiles.toml``, and the cache of it that makes start-up fast.

``ProfileStore`` and the start-up path (``quickload``: ``s3env env``, ``exec``, the shim) read
the store through here, so both give the same profiles and report the same errors.

**The cache** (``profiles.cache`` beside ``profiles.toml``, written by ``cachefile``: 0600, in the
store directory, read only when that directory and the file are safely the user's own) holds
the exact bytes of ``profiles.toml`` it was made from and their parsed table.  It is used only
when ``profiles.toml`` holds exactly those bytes, so a hand edit counts at once: a key of size,
mtime and inode alone would miss an edit of the same size within one tick of the file system's
clock (1-10 ms on Linux, seconds on some file systems).  Comparing a few kilobytes costs
microseconds.  Whatever it gives is checked again by ``store_data_from_dict``.  Any doubt (no
cache, another ``profiles.toml``, a file or directory others could have planted or changed, a
damaged file) is None: ``ProfileStore`` parses with ``tomllib`` and writes the cache again.

It never holds a secret: it is written only from a table that ``store_data_from_dict``
accepted, and that refuses secrets in ``profiles.toml`` (they live in the secret store, and
``extra`` cannot hold one either).

Only ``os`` and s3env's own light modules at import time (the start-up budget:
tests/test_import_budget.py); ``tomllib`` is imported by ``parse_store_text`` alone.
"""

from __future__ import annotations

import os

from s3env.core.errors import StoreError
from s3env.core.model import SECRET_FIELDS, SETTABLE_FIELDS, Profile, validate_name
from s3env.store import cachefile
from s3env.store.locations import PROFILES_CACHE_FILE

TYPE_CHECKING = False
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


#: Bump when what ``save_cache`` writes changes.
CACHE_FORMAT = 1
CACHE_MAX_SIZE = 4 << 20


def parse_store_text(text: str, path: str = "profiles.toml") -> StoreData:
    """Parse and check the whole store file.  Pure: raises StoreError with file and line."""
    return store_data_from_dict(parse_toml(text, path), path)


def parse_toml(text: str, path: str = "profiles.toml") -> dict[str, Any]:
    """The TOML document as ``tomllib`` reads it; StoreError with file and line."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StoreError(_toml_error(path, exc)) from None


def load_store(root: str, source: bytes, path: str) -> StoreData:
    """``profiles.toml`` (its bytes ``source``, from the store directory ``root``) as StoreData:
    from the cache when it was made from these bytes, else parsed, and the cache written."""
    data = cached_store(root, source, path)
    if data is not None:
        return data
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = source[: exc.start].count(b"\n") + 1
        raise StoreError(f"{path}:{line}: not valid UTF-8") from None
    raw = parse_toml(text, path)
    data = store_data_from_dict(raw, path)
    _write_cache(root, source, raw)  # cached_store just found no cache of these bytes
    return data


def cached_store(root: str, source: bytes, path: str) -> StoreData | None:
    """StoreData from the cache if it was made from exactly ``source``; None on any doubt."""
    content = cachefile.read(os.path.join(root, PROFILES_CACHE_FILE), CACHE_FORMAT, max_size=CACHE_MAX_SIZE)
    if not isinstance(content, tuple) or len(content) != 2 or content[0] != source:
        return None
    raw = content[1]
    if not isinstance(raw, dict):
        return None
    try:
        return store_data_from_dict(raw, path)
    except (StoreError, TypeError, ValueError):  # checked when written: only a foreign file gets here
        return None


def save_cache(root: str, source: bytes, raw: dict[str, Any]) -> None:
    """Write the cache of ``source`` (whose parsed and checked table is ``raw``) if it is not
    there already.  Silent on failure; never creates the store directory.  Version-2 marshal:
    the same ``profiles.toml`` always gives the same bytes (a restored store restores its cache)."""
    cache = os.path.join(root, PROFILES_CACHE_FILE)
    if cachefile.read(cache, CACHE_FORMAT, max_size=CACHE_MAX_SIZE) == (bytes(source), raw):
        return
    _write_cache(root, source, raw)


def _write_cache(root: str, source: bytes, raw: dict[str, Any]) -> None:
    cache = os.path.join(root, PROFILES_CACHE_FILE)
    content = (bytes(source), raw)
    cachefile.write(cache, CACHE_FORMAT, content, temp_prefix=".profiles-cache-", make_dirs=False, version=2)


def drop_cache(root: str) -> None:
    """Remove the cache (``profiles.toml`` itself is gone)."""
    cachefile.remove(os.path.join(root, PROFILES_CACHE_FILE))


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
