"""The pre-rendered environment of the active profile, one file per shell format.

s5cmd reads no endpoint from the AWS files, so its endpoint, region and profile must come
from the environment: ``s3env use`` writes that environment here for every shell, and the
prompt hook of ``s3env shell-init`` sources it when it changes.  With no active profile the
files unset everything s3env manages.  No secret is ever written here: keys reach tools
through the AWS files (or credential_process), selected by ``AWS_PROFILE``.

A format that cannot carry one of the active profile's values (cmd refuses ``"`` and ``!``,
dotenv ``'``; an endpoint path may hold them) does not fail the switch for the others: its
file applies nothing and says why (``Shell.refusal_file``; cmd's exits 1), and ``use`` prints
a notice.
"""

from __future__ import annotations

import hashlib

from s3env.core.errors import InvalidValue
from s3env.integrations.envvars import profile_env, unset_env
from s3env.integrations.shells import env_files
from s3env.integrations.writers.base import ToolWriter, WholeFileTarget, WriteContext
from s3env.store.paths import StorePaths


class EnvFilesWriter(ToolWriter):
    name = "s5cmd"
    description = (
        "pre-rendered environment files (S3_ENDPOINT_URL, AWS_PROFILE, regions) for s5cmd and shells"
    )

    def targets(self, ctx: WriteContext) -> list[WholeFileTarget]:
        active = ctx.active_profile()
        export = profile_env(active) if active is not None else unset_env()
        marker = env_marker(active.name if active is not None else None, export)
        paths = StorePaths(ctx.store_root)
        targets = []
        for suffix, shell in env_files().items():
            path = paths.env_file(suffix)
            try:
                targets.append(WholeFileTarget(f"env.{suffix}", path, shell.render_file(export, marker)))
            except InvalidValue as exc:
                # Not a reason to fail the switch for every other shell: this one file says why
                # it applies nothing (cmd's exits 1), and `use` says so once.
                name = active.name if active is not None else "-"
                message = f"profile {name} cannot be applied in {shell.name}: {exc.message}"
                targets.append(
                    WholeFileTarget(
                        f"env.{suffix}",
                        path,
                        shell.refusal_file(marker, message),
                        notice=f"{path} applies nothing: {exc.message}",
                    )
                )
        return targets


def env_marker(profile: str | None, export: dict[str, str | None]) -> str:
    """First line of every env file: changes exactly when what the file applies changes."""
    digest = hashlib.sha256(repr(sorted(export.items())).encode()).hexdigest()[:16]
    return f"s3env-env {profile or '-'} {digest}"
