"""The environment that makes every tool use one profile.  Pure.

Why each variable (see docs/tools.md for the measured precedence rules):
- ``AWS_PROFILE`` *and* ``AWS_DEFAULT_PROFILE``: botocore ranks AWS_DEFAULT_PROFILE first,
  s5cmd AWS_PROFILE first; a stale value of either would win for one of them.
- ``S3_ENDPOINT_URL``: the only endpoint s5cmd reads (it reads none from the AWS files).
- ``AWS_ENDPOINT_URL_S3``: botocore's S3-only override; set to the same endpoint so a stale
  value cannot win.  ``AWS_ENDPOINT_URL`` (all services) is unset in profile mode: pointing
  STS and friends at an S3 server breaks them, and megfile ignores it once AWS_PROFILE is set
  (it reads the profile's nested ``s3 =`` block that the AWS writer puts there).
- ``AWS_REGION`` *and* ``AWS_DEFAULT_REGION``: s5cmd reads the first, botocore the second.
- keys and tokens in the environment beat profile keys for botocore and s5cmd: unset them
  (and the legacy ``AWS_SECURITY_TOKEN``) unless exporting keys on purpose.
- ``OSS_ENDPOINT`` beats everything for megfile: unset.
- ``AWS_REQUEST_CHECKSUM_CALCULATION`` / ``AWS_RESPONSE_CHECKSUM_VALIDATION``: with keys, the
  profile's ``model.checksum_settings`` (``when_required`` for a custom endpoint, which many
  S3-compatible stores need from boto3 1.36 on); with a profile, unset, so the profile's own
  section (where the AWS writer puts the same settings) decides.

With keys (``--with-keys``): the s5cmd/megfile environment-only recipe — keys exported,
``S3_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL`` (and ``_S3``) set, profile variables unset
because megfile ignores environment keys while ``AWS_PROFILE`` is set.
"""

from __future__ import annotations

import os

from s3env.core.choose import PINNED_VAR
from s3env.core.model import Profile, checksum_settings

TYPE_CHECKING = False  # the start-up budget: tests/test_import_budget.py
if TYPE_CHECKING:
    from collections.abc import Mapping

PROFILE_VARS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
ENDPOINT_VARS = ("S3_ENDPOINT_URL", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "OSS_ENDPOINT")
REGION_VARS = ("AWS_REGION", "AWS_DEFAULT_REGION")
KEY_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
STYLE_VARS = ("AWS_S3_ADDRESSING_STYLE",)
CHECKSUM_VARS = {
    "request_checksum_calculation": "AWS_REQUEST_CHECKSUM_CALCULATION",
    "response_checksum_validation": "AWS_RESPONSE_CHECKSUM_VALIDATION",
}
MARKER_VAR = "S3ENV_PROFILE"

#: Everything s3env sets or clears; ``--unset`` clears all of these.
MANAGED_VARS: tuple[str, ...] = (
    *PROFILE_VARS,
    *ENDPOINT_VARS,
    *REGION_VARS,
    *KEY_VARS,
    *STYLE_VARS,
    *CHECKSUM_VARS.values(),
    MARKER_VAR,
    PINNED_VAR,
)


def profile_env(
    profile: Profile, *, with_keys: bool = False, pinned: str | None = None
) -> dict[str, str | None]:
    """Name -> value (None: unset) for every managed variable; ``pinned`` (a profile name) pins
    the shell to it (``S3ENV_PINNED``), else the export unpins."""
    env: dict[str, str | None] = dict.fromkeys(MANAGED_VARS)
    env[MARKER_VAR] = profile.name
    env[PINNED_VAR] = pinned
    endpoint = profile.endpoint_url
    env["S3_ENDPOINT_URL"] = endpoint
    env["AWS_ENDPOINT_URL_S3"] = endpoint
    env["AWS_REGION"] = profile.region
    env["AWS_DEFAULT_REGION"] = profile.region
    if with_keys:
        env["AWS_ENDPOINT_URL"] = endpoint
        env["AWS_ACCESS_KEY_ID"] = profile.access_key_id
        env["AWS_SECRET_ACCESS_KEY"] = profile.secret_access_key
        env["AWS_SESSION_TOKEN"] = profile.session_token
        if profile.addressing_style != "auto":
            env["AWS_S3_ADDRESSING_STYLE"] = profile.addressing_style
        for setting, value in checksum_settings(profile).items():
            env[CHECKSUM_VARS[setting]] = value
    else:
        env["AWS_PROFILE"] = profile.name
        env["AWS_DEFAULT_PROFILE"] = profile.name
    return env


def unset_env() -> dict[str, str | None]:
    return dict.fromkeys(MANAGED_VARS)


def apply_to(environ: dict[str, str], export: dict[str, str | None]) -> None:
    """Apply an export to a mutable environment mapping (``os.environ`` or a child's env)."""
    for name, value in export.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value


def load_profile(name: str | None, *, secrets: bool, environ: Mapping[str, str] | None = None):  # type: ignore[no-untyped-def]
    """(ProfileStore or None, profile): ``name``, else the profile that applies here (see
    ``load_applicable``)."""
    store, profile, _source, _where = load_applicable(name, secrets=secrets, environ=environ)
    return store, profile


def load_applicable(  # type: ignore[no-untyped-def]
    name: str | None,
    *,
    secrets: bool,
    environ: Mapping[str, str] | None = None,
    cwd: str | None = None,
):
    """(ProfileStore or None, profile, source, ``.s3env`` path or None): the profile that
    applies (``core.choose``: ``name`` > ``S3ENV_PINNED`` > the nearest ``.s3env`` above ``cwd``
    > the global profile) and which rule chose it; the hot path's only store access.
    ``quickload`` answers the ordinary cases without ProfileStore (then None)."""
    from s3env.core.choose import PINNED
    from s3env.store.dirprofile import choose_here
    from s3env.store.quickload import quick_secrets, quick_store

    env = os.environ if environ is None else environ
    quick = quick_store(env)
    store = None
    if quick is None:
        store = _profile_store(env)
        data = store.read()
    else:
        data = quick[1]
    chosen, source, where = choose_here(name, env, cwd, data.settings.get("active"))
    profile = data.profiles.get(chosen)
    if profile is None:
        from s3env.core.errors import DirectoryProfileError, PinnedProfileNotFound, ProfileNotFound

        if where is not None:
            raise DirectoryProfileError(where, chosen, "not a profile in the store")
        try:
            (store or _profile_store(env)).get(chosen)  # the error, with a did-you-mean
        except ProfileNotFound as exc:
            if source == PINNED:
                raise PinnedProfileNotFound(chosen, exc.suggestion) from None
            raise
        raise AssertionError("unreachable: the profile was not in the store")  # pragma: no cover
    if secrets:
        found = quick_secrets(quick[0], data, profile, env) if quick is not None else None
        if found is None:
            store = store or _profile_store(env)
            found = store.get(chosen, secrets=True)
        profile = found
    return store, profile, source, where


def _profile_store(env: Mapping[str, str]):  # type: ignore[no-untyped-def]
    from s3env.store.profiles import ProfileStore

    return ProfileStore(env=env)


def render_export(
    name: str | None, *, shell_name: str | None, with_keys: bool, unset: bool
) -> tuple[str, str | None]:
    """(text to print, warning or None) for ``s3env env``: ``s3env env NAME`` pins the shell to
    NAME; ``s3env env`` exports what applies here and keeps a pin only where there is one."""
    from s3env.core.choose import pin_to_export
    from s3env.integrations.shells import detect_shell, get_shell

    shell = get_shell(shell_name) if shell_name else detect_shell()
    if unset:
        return shell.render(unset_env()), None
    store, profile, source, _where = load_applicable(name, secrets=with_keys)
    warning = None
    if not with_keys:
        warning = unwritten_warning(store.env if store is not None else os.environ, profile.name)
    pinned = pin_to_export(profile.name, source)
    return shell.render(profile_env(profile, with_keys=with_keys, pinned=pinned)), warning


def unwritten_warning(
    env: Mapping[str, str], name: str, fix: str = "run 's3env write' (or use --with-keys)"
) -> str | None:
    """Why exporting ``AWS_PROFILE=name`` would not work yet, or None when the AWS files have it."""
    if _profile_is_written(env, name):
        return None
    return f"profile '{name}' is not in the AWS files yet, so tools cannot find it by name: {fix}"


def _profile_is_written(env: Mapping[str, str], name: str) -> bool:
    """Whether the AWS config file has ``[profile NAME]`` (a cheap line scan, no INI parse)."""
    from s3env.core.errors import S3envError
    from s3env.store.fileguard import read_regular
    from s3env.store.locations import aws_config_file

    try:
        data = read_regular(aws_config_file(env))  # a FIFO there must not hang shell start-up
    except (OSError, S3envError):
        return False
    if data is None:
        return False
    text = data.decode("utf-8", errors="replace")
    wanted = f"[profile {name}]"
    return any(line.strip() == wanted for line in text.splitlines())


def exec_environment(name: str | None, base: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    """The child environment of ``s3env exec``: the keys travel in it, never in argv.  As
    ``s3env env [NAME] --with-keys``: NAME pins the child to it (so an ``s3env`` it runs uses the
    same profile), and without NAME a pin is kept only where there is one."""
    from s3env.core.choose import pin_to_export

    _store, profile, source, _where = load_applicable(name, secrets=True, environ=base)
    env = dict(base)
    apply_to(env, profile_env(profile, with_keys=True, pinned=pin_to_export(profile.name, source)))
    return env
