"""s3env: one profile store for every S3 tool.

``import s3env`` is cheap: names are loaded on first use.  Everything the CLI does is
available here::

    import s3env
    store = s3env.open_store()
    store.add(s3env.Profile("minio", endpoint_url="http://127.0.0.1:9000", region="us-east-1",
                            addressing_style="path", access_key_id="AK", secret_access_key="SK"))
    store.get("minio", secrets=True)
    s3env.use("minio")         # as `s3env use minio`
    s3 = s3env.client("minio")
    s3env.shim.run(["cp", "data/", "s3://bucket/data/"], profile="minio")  # as `s3env cp …`, in process
"""

from __future__ import annotations

from s3env._version import __version__

TYPE_CHECKING = False  # importing s3env stays cheap: tests/test_import_budget.py

_LAZY: dict[str, str] = {
    "use": "s3env.api",
    "write": "s3env.api",
    "release": "s3env.api",
    "activate": "s3env.api",
    "deactivate": "s3env.api",
    "session": "s3env.api",
    "client": "s3env.api",
    "which_profile": "s3env.api",
    "Profile": "s3env.core.model",
    "ProfileStore": "s3env.store.profiles",
    "StorePaths": "s3env.store.paths",
    "PROVIDERS": "s3env.core.providers",
    "Provider": "s3env.core.providers",
    "get_provider": "s3env.core.providers",
    "S3envError": "s3env.core.errors",
    "UsageError": "s3env.core.errors",
    "ProfileNotFound": "s3env.core.errors",
    "ProfileExists": "s3env.core.errors",
    "NoActiveProfile": "s3env.core.errors",
    "StoreError": "s3env.core.errors",
    "SecretStoreError": "s3env.core.errors",
    "InvalidValue": "s3env.core.errors",
    "InvalidProfileName": "s3env.core.errors",
    "ProfileNotWritten": "s3env.core.errors",
    "SyncNotice": "s3env.core.errors",
    "DefaultNotManaged": "s3env.core.errors",
    "DirectoryProfileError": "s3env.core.errors",
    "PinnedProfileNotFound": "s3env.core.errors",
}
#: subpackages loaded on first use: ``s3env.shim.run`` after a bare ``import s3env``
_SUBMODULES: tuple[str, ...] = ("shim",)

if TYPE_CHECKING:
    from typing import Any

    from s3env import shim
    from s3env.api import activate, client, deactivate, release, session, use, which_profile, write
    from s3env.core.errors import (
        DefaultNotManaged,
        DirectoryProfileError,
        InvalidProfileName,
        InvalidValue,
        NoActiveProfile,
        PinnedProfileNotFound,
        ProfileExists,
        ProfileNotFound,
        ProfileNotWritten,
        S3envError,
        SecretStoreError,
        StoreError,
        SyncNotice,
        UsageError,
    )
    from s3env.core.model import Profile
    from s3env.core.providers import PROVIDERS, Provider, get_provider
    from s3env.store.paths import StorePaths
    from s3env.store.profiles import ProfileStore


def open_store(env: Any = None) -> ProfileStore:
    """The profile store named by ``S3ENV_HOME`` (or the platform's config directory)."""
    from s3env.store.profiles import ProfileStore

    return ProfileStore(env=env)


def __getattr__(name: str) -> Any:
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f"s3env.{name}")  # the import sets the attribute
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 's3env' has no attribute {name!r}")

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The whole API, loaded or not yet (``dir(s3env)``, a notebook's completion), without
    importing any of it."""
    return sorted({*__all__, *_LAZY, *_SUBMODULES, *(name for name in globals() if name.startswith("__"))})


__all__ = [
    "PROVIDERS",
    "DefaultNotManaged",
    "DirectoryProfileError",
    "InvalidProfileName",
    "InvalidValue",
    "NoActiveProfile",
    "PinnedProfileNotFound",
    "Profile",
    "ProfileExists",
    "ProfileNotFound",
    "ProfileNotWritten",
    "ProfileStore",
    "Provider",
    "S3envError",
    "SecretStoreError",
    "StoreError",
    "StorePaths",
    "SyncNotice",
    "UsageError",
    "__version__",
    "activate",
    "client",
    "deactivate",
    "get_provider",
    "open_store",
    "release",
    "session",
    "shim",
    "use",
    "which_profile",
    "write",
]
