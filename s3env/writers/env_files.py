"""The pre-rendered environment of the active profile, one file per shell format.

s5cmd reads no endpoint from the AWS files, so its endpoint, region and profile must come
from the environment: ``s3env use`` writes that environment here for every shell, and the
prompt hook of ``s3env shell-init`` sources it when it changes.  With no active profile the
files unset everything s3env manages.  No secret is ever written here: keys reach tools
through the AWS files (or credential_process), selected by ``AWS_PROFILE``.
"""

from __future__ import annotations

from pathlib import Path

from s3env.envvars import profile_env, unset_env
from s3env.shells import env_files
from s3env.writers.base import ToolWriter, WholeFileTarget, WriteContext

ENV_DIR = "env"


def env_file_path(store_root: Path, suffix: str) -> Path:
    return store_root / ENV_DIR / f"active.{suffix}"


class EnvFilesWriter(ToolWriter):
    name = "s5cmd"
    description = (
        "pre-rendered environment files (S3_ENDPOINT_URL, AWS_PROFILE, regions) for s5cmd and shells"
    )

    def targets(self, ctx: WriteContext) -> list[WholeFileTarget]:
        active = ctx.active_profile()
        export = profile_env(active) if active is not None else unset_env()
        return [
            WholeFileTarget(f"env.{suffix}", env_file_path(ctx.store_root, suffix), shell.render(export))
            for suffix, shell in env_files().items()
        ]
