"""The pre-rendered environment of the active profile, one file per shell format, and of every
profile for the shells whose hook reads ``.s3env`` files.

s5cmd reads no endpoint from the AWS files, so its endpoint, region and profile must come
from the environment: ``s3env use`` writes that environment here for every shell
(``env/active.SUFFIX``), and the hook of ``s3env shell-init`` sources it when it changes.  With
no active profile the files unset everything s3env manages.  For bash, zsh and fish the hook
also applies the profile a ``.s3env`` file names in the current directory or a parent: it
sources ``env/profiles/NAME.sh`` or ``.fish``, one per profile, written on every sync and
removed when the profile is gone (``WholeFileDir``).  No secret is ever written here: keys reach
tools through the AWS files (or credential_process), selected by ``AWS_PROFILE``.

A format that cannot carry one of the active profile's values (cmd refuses ``"`` and ``!``,
dotenv ``'``; an endpoint path may hold them) does not fail the switch for the others: its
file applies nothing and says why (``Shell.refusal_file``; cmd's exits 1), and ``use`` prints
a notice.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from s3env.core.errors import InvalidValue
from s3env.core.model import Profile
from s3env.integrations.envvars import profile_env, unset_env
from s3env.integrations.shells import Shell, env_files
from s3env.integrations.writers.base import ToolWriter, WholeFileDir, WholeFileTarget, WriteContext
from s3env.store.paths import StorePaths

MARKER_PREFIX = "s3env-env "


class EnvFilesWriter(ToolWriter):
    name = "s5cmd"
    description = (
        "pre-rendered environment files (S3_ENDPOINT_URL, AWS_PROFILE, regions) for s5cmd and shells"
    )

    def targets(self, ctx: WriteContext) -> list[WholeFileTarget | WholeFileDir]:
        active = ctx.active_profile()
        paths = StorePaths(ctx.store_root)
        shells = env_files()
        targets: list[WholeFileTarget | WholeFileDir] = [
            _env_file(f"env.{suffix}", paths.env_file(suffix), shell, active)
            for suffix, shell in shells.items()
        ]
        hooked = {suffix: shell for suffix, shell in shells.items() if shell.profile_files}
        for profile in ctx.profiles:
            for suffix, shell in hooked.items():
                path = paths.profile_env_file(profile.name, suffix)
                targets.append(_env_file(f"env.profiles.{profile.name}.{suffix}", path, shell, profile))
        marker = next(iter(hooked.values())).comment(MARKER_PREFIX) if hooked else None
        if marker is not None:
            targets.append(WholeFileDir("env.profiles", paths.profile_env_dir, tuple(hooked), marker))
        return targets


def _env_file(label: str, path: Path, shell: Shell, profile: Profile | None) -> WholeFileTarget:
    """The env file that applies ``profile`` (None: unsets everything) in ``shell``."""
    export = profile_env(profile) if profile is not None else unset_env()
    marker = env_marker(profile.name if profile is not None else None, export)
    try:
        return WholeFileTarget(label, path, shell.render_file(export, marker))
    except InvalidValue as exc:
        # Not a reason to fail the switch for every other shell: this one file says why
        # it applies nothing (cmd's exits 1), and `use` says so once.
        name = profile.name if profile is not None else "-"
        message = f"profile {name} cannot be applied in {shell.name}: {exc.message}"
        return WholeFileTarget(
            label, path, shell.refusal_file(marker, message), notice=f"{path} applies nothing: {exc.message}"
        )


def env_marker(profile: str | None, export: dict[str, str | None]) -> str:
    """First line of every env file: changes exactly when what the file applies changes (the
    same for a per-profile file as for ``active`` when both apply the same profile)."""
    digest = hashlib.sha256(repr(sorted(export.items())).encode()).hexdigest()[:16]
    return f"{MARKER_PREFIX}{profile or '-'} {digest}"
