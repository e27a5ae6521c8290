"""Secret stores behind one interface, and the rule that picks one.

Order: ``S3ENV_SECRETS`` > the store's ``[settings] secrets`` > automatic (a secure OS
keyring if one exists, else the 0600 file, with a notice).  An automatic choice is written
to the store settings the first time a secret is saved, so later reads never guess again
and never pay for keyring discovery when the file store is in use.
"""

from __future__ import annotations

from s3env.core.errors import InvalidValue
from s3env.store.secrets.base import SecretStore

TYPE_CHECKING = False  # the start-up budget: tests/test_import_budget.py
if TYPE_CHECKING:
    from collections.abc import Mapping

    from s3env.store.paths import StorePaths

SECRET_STORES: tuple[str, ...] = ("keyring", "file")
AUTO = "auto"


def requested_store(env: Mapping[str, str], settings: Mapping[str, object]) -> tuple[str, str]:
    """(name or 'auto', where that came from).  Pure."""
    from_env = env.get("S3ENV_SECRETS", "").strip()
    if from_env:
        if from_env not in (*SECRET_STORES, AUTO):
            raise InvalidValue(f"S3ENV_SECRETS={from_env!r}: choose one of keyring, file, auto")
        return from_env, "S3ENV_SECRETS"
    setting = settings.get("secrets")
    if isinstance(setting, str) and setting:
        if setting not in (*SECRET_STORES, AUTO):
            raise InvalidValue(
                f"settings.secrets = {setting!r} in the store: choose one of keyring, file, auto"
            )
        return setting, "store settings"
    return AUTO, "default"


def open_secret_store(
    paths: StorePaths, env: Mapping[str, str], settings: Mapping[str, object]
) -> tuple[SecretStore, str | None]:
    """The store to use and, when it was chosen automatically, a one-line notice (else None)."""
    name, _source = requested_store(env, settings)
    if name == "file":
        return _file_store(paths), None
    from s3env.store.secrets.keyring_store import KeyringSecretStore

    store = KeyringSecretStore.open(explicit=(name == "keyring"))
    if store is not None:
        return store, None
    file_store = _file_store(paths)
    notice = (
        f"no secure OS keyring found; secrets go to {file_store.path} (plain text, mode 0600). "
        "Set S3ENV_SECRETS=keyring once a keyring is available."
    )
    return file_store, notice


def _file_store(paths: StorePaths) -> SecretStore:
    from s3env.store.secrets.file_store import FileSecretStore

    return FileSecretStore(paths.secrets, paths.lock)


__all__ = ["AUTO", "SECRET_STORES", "SecretStore", "open_secret_store", "requested_store"]
