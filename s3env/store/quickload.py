"""The profile for ``s3env env``, ``s3env exec`` and the shim, read in a millisecond.

These run in shell start-up or in front of s5cmd, where importing ``tomllib`` (with ``re`` and
``typing``), ``pathlib`` or ``platformdirs`` would cost more than the work itself.  This reads
``profiles.toml`` through its cache (``storefile``: the parsed table beside it, used only when
the file holds exactly the bytes it was made from), checks it with the same ``storefile``
functions as ``ProfileStore``, and answers ``None`` whenever anything is out of the ordinary
(no cache or a stale one, a keyring secret store, any error): the caller
then takes ``ProfileStore``, which gives the same answer or the error message, and writes the
cache for the next start.  tests/test_quickload.py holds the two together.
"""

from __future__ import annotations

import os

from s3env.core.errors import S3envError
from s3env.core.model import SECRET_FIELDS, Profile
from s3env.store import locations
from s3env.store.fileguard import read_regular
from s3env.store.storefile import StoreData, cached_store

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def quick_profile(name: str | None, *, secrets: bool, env: Mapping[str, str] | None = None) -> Profile | None:
    """The named (or active) profile, with its secrets if asked, or None: ask ProfileStore."""
    found = quick_store(env)
    if found is None:
        return None
    root, data = found
    if name is None:
        name = data.settings.get("active")
    profile = data.profiles.get(name) if name is not None else None
    if profile is None or not secrets:
        return profile
    return quick_secrets(root, data, profile, env)


def quick_store(env: Mapping[str, str] | None = None) -> tuple[str, StoreData] | None:
    """(store directory, the checked store) read through its cache, or None: ask ProfileStore."""
    environ = os.environ if env is None else env
    try:
        root = locations.store_dir(environ)
        path = os.path.join(root, locations.PROFILES_FILE)
        source = read_regular(path)  # never blocks on a FIFO: this runs at shell start-up
    except (OSError, ValueError, S3envError):
        return None
    if source is None:
        return None
    data = cached_store(root, source, path)
    if data is None:
        return None
    return root, data


def quick_secrets(
    root: str, data: StoreData, profile: Profile, env: Mapping[str, str] | None = None
) -> Profile | None:
    """``profile`` (one of ``data``, the store in ``root``) with its secrets from the file store,
    or None: another secret store, or anything out of the ordinary (ask ProfileStore)."""
    environ = os.environ if env is None else env
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
        entry = read_secret_file(os.path.join(root, locations.SECRETS_FILE)).get(profile.name, {})
    except S3envError:
        return None
    return profile.replace(
        **{f: entry.get(f) if isinstance(entry.get(f), str) else None for f in SECRET_FIELDS}
    )
