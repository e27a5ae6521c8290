"""The Python API for notebooks and scripts: switch this process, or get a ready S3 client.

    import s3env
    s3env.use("minio")               # as `s3env use minio`: every tool's files, for every process
    s3env.activate("minio")          # os.environ exactly as `eval "$(s3env env minio)"`
    s3 = s3env.client("minio")       # boto3 S3 client: endpoint, region, addressing, keys
    s3env.session("minio")           # the boto3 Session behind it
    s3env.release()                  # as `s3env release`: give every tool's files back

``session`` and ``client`` take everything from the store and ignore stale ``AWS_*``
variables and the AWS files, so they reach the profile's endpoint whatever the process
environment says.  boto3 is imported only here.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TYPE_CHECKING, Any

from s3env.integrations.envvars import (
    apply_to,
    load_applicable,
    load_profile,
    profile_env,
    unset_env,
    unwritten_warning,
)

if TYPE_CHECKING:
    import boto3

    from s3env.integrations.release import ReleaseResult
    from s3env.integrations.sync import SyncResult


def use(name: str, *, force: bool = False, take_default: bool = False) -> SyncResult:
    """``s3env use NAME``: make NAME active and write every tool's files for it (the AWS files,
    megfile's, s5cmd's environment).  Other processes and new shells follow; this process's own
    environment does not change (that is ``activate``)."""
    from s3env.integrations.sync import sync
    from s3env.store.profiles import ProfileStore

    return _warn(sync(ProfileStore(), active=name, force=force, take_default=take_default))


def write(*, force: bool = False, take_default: bool = False) -> SyncResult:
    """``s3env write``: re-render every section and env file s3env manages from the store."""
    from s3env.integrations.sync import sync
    from s3env.store.profiles import ProfileStore

    return _warn(sync(ProfileStore(), force=force, take_default=take_default))


def release(*, dry_run: bool = False) -> ReleaseResult:
    """``s3env release``: remove every section and file s3env manages from the tools' files, put
    back the user's own sections it took over (``[default]``), and clear the active profile; the
    store stays.  Returns what was done (``.lines``: one line per file); ``dry_run`` changes
    nothing."""
    from s3env.integrations.release import release as run_release
    from s3env.store.profiles import ProfileStore

    result = run_release(ProfileStore(), dry_run=dry_run)
    for message in result.notices:
        from s3env.core.errors import SyncNotice

        warnings.warn(message, SyncNotice, stacklevel=2)
    return result


def _warn(result: SyncResult) -> SyncResult:
    """The notices the CLI prints, as warnings: a notebook shows them, a script can filter them."""
    from s3env.core.errors import DefaultNotManaged, SyncNotice

    for message in result.notices:
        default = any(where in message for where in result.default_left_alone)
        warnings.warn(message, DefaultNotManaged if default else SyncNotice, stacklevel=3)
    return result


def activate(name: str | None = None, *, with_keys: bool = False) -> Export:
    """Set ``os.environ`` as ``s3env env NAME [--with-keys]`` would; returns the changes.

    With a ``name`` this process is pinned to it (``S3ENV_PINNED``), as a shell is by
    ``s3env env NAME``: later calls without a name, and ``s3env`` commands it starts, use it.
    Without one, the profile that applies here (docs/guide.md, "Which profile applies").
    Clients created afterwards (boto3, megfile) follow.  Without ``with_keys`` the tools find
    the keys through ``AWS_PROFILE`` in the AWS files (``s3env use`` or ``s3env write`` puts
    them there); with it, the keys themselves go into the environment of this process.
    """
    from s3env.core.choose import pin_to_export

    store, profile, source, _where = load_applicable(name, secrets=with_keys)
    export = Export(profile_env(profile, with_keys=with_keys, pinned=pin_to_export(profile.name, source)))
    apply_to(os.environ, export)  # type: ignore[arg-type]
    _forget_cached_clients()
    if not with_keys:
        message = unwritten_warning(
            store.env if store is not None else os.environ,
            profile.name,
            fix=f"call s3env.use({profile.name!r}) or s3env.write() first (or pass with_keys=True)",
        )
        if message is not None:
            from s3env.core.errors import ProfileNotWritten

            warnings.warn(message, ProfileNotWritten, stacklevel=2)
    return export


def which_profile(name: str | None = None) -> tuple[str, str, str | None]:
    """(profile, source, ``.s3env`` path or None): the profile that ``session()``, ``client()``
    and ``activate()`` would use here, and the rule that chose it: ``"flag"`` (``name`` given),
    ``"pinned"`` (``S3ENV_PINNED``), ``"directory"`` (the nearest ``.s3env``, whose path is the
    third item) or ``"global"`` (``s3env use``).  Raises what they would raise."""
    _store, profile, source, where = load_applicable(name, secrets=False)
    return profile.name, source, where


class Export(dict):  # type: ignore[type-arg]
    """What ``activate`` set (None: unset).  A plain dict whose repr hides the secret values, so a
    notebook cell that ends in ``s3env.activate(..., with_keys=True)`` shows no key."""

    def __repr__(self) -> str:
        from s3env.core.model import mask_secret
        from s3env.integrations.envvars import KEY_VARS

        shown = {k: (mask_secret(v) if k in KEY_VARS[1:] and v else v) for k, v in self.items()}
        return repr(shown)

    __str__ = __repr__


def deactivate() -> None:
    """Remove every variable s3env sets from ``os.environ`` (the pin ``S3ENV_PINNED`` too)."""
    apply_to(os.environ, unset_env())  # type: ignore[arg-type]
    _forget_cached_clients()


def _forget_cached_clients() -> None:
    """Make already-imported libraries read the environment again.

    boto3 keeps the session it made for ``boto3.client()`` (with the old profile) in
    ``boto3.DEFAULT_SESSION``; megfile caches its sessions and clients per thread and per
    process, keyed by profile name (``None`` for plain ``s3://`` URLs), so without this a
    switch would not reach either.  Neither library is imported here if it was not already.
    """
    boto3 = sys.modules.get("boto3")
    if boto3 is not None:
        boto3.DEFAULT_SESSION = None
    megfile_utils = sys.modules.get("megfile.utils")
    if megfile_utils is not None:
        for cache_name in ("thread_local", "process_local"):
            cache = getattr(megfile_utils, cache_name, None)
            reset = getattr(cache, "_reset", None)
            if callable(reset):
                reset()


def session(name: str | None = None) -> boto3.Session:
    """A boto3 Session with the profile's keys and region, immune to stale AWS_PROFILE.
    Without a name: the profile that applies here (docs/guide.md, "Which profile applies")."""
    import boto3
    import botocore.session
    from botocore.configprovider import ConstantProvider

    from s3env.core.model import checksum_settings

    _store, profile = load_profile(name, secrets=True)
    core = botocore.session.get_session()
    config_store = core.get_component("config_store")
    # A stale AWS_PROFILE naming a profile that does not exist would make every call fail
    # with ProfileNotFound: pin the profile instead of reading it from the environment.
    config_store.set_config_provider("profile", ConstantProvider(None))
    # Clients made from the session get the checksum settings the AWS writer gives the profile.
    for setting, value in checksum_settings(profile).items():
        config_store.set_config_provider(setting, ConstantProvider(value))
    return boto3.Session(
        botocore_session=core,
        aws_access_key_id=profile.access_key_id,
        aws_secret_access_key=profile.secret_access_key,
        aws_session_token=profile.session_token,
        region_name=profile.region or "us-east-1",
    )


def client(name: str | None = None, **kwargs: Any) -> Any:
    """An S3 client for the profile (without a name: the one that applies here): its endpoint
    (ignoring ``AWS_ENDPOINT_URL*``), region and addressing style.  Extra keyword arguments go
    to ``Session.client``."""
    from botocore.config import Config

    _store, profile = load_profile(name, secrets=False)
    s3_config: dict[str, str] = {}
    if profile.addressing_style != "auto":
        s3_config["addressing_style"] = profile.addressing_style
    # Checksum settings come from session()'s config store.
    config = Config(s3=s3_config or None, ignore_configured_endpoint_urls=True)
    if "config" in kwargs:
        config = config.merge(kwargs.pop("config"))
    return session(profile.name).client("s3", endpoint_url=profile.endpoint_url, config=config, **kwargs)
