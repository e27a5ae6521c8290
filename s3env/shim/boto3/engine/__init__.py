"""Transfer engines of the boto3 backend, one module each, chosen by ``S3ENV_ENGINE``.

- ``crt``: the AWS Common Runtime (awscrt's S3 client signs and moves the bytes in native
  threads; many requests in flight without a Python thread each);
- ``botocore``: a botocore call per request on worker threads (multipart.py, ranged.py).

Unset (or empty), the CRT where ``awscrt`` can be imported and no proxy variable is set,
else botocore.  Listing and metadata (HEAD, DeleteObjects, buckets) are botocore's on either
engine.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from s3env.core.errors import S3envError, UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from s3env.shim.boto3.engine.base import CommandContext, Engine

ENGINE_VAR = "S3ENV_ENGINE"
KNOWN_ENGINES: tuple[str, ...] = ("crt", "botocore")


class EngineUnavailable(S3envError):
    """``S3ENV_ENGINE`` asks for an engine this machine cannot run."""


def crt_importable() -> bool:
    try:
        import awscrt.s3  # noqa: F401
    except ImportError:
        return False
    return True


def wanted_engine(env: Mapping[str, str]) -> str:
    """The engine ``env`` asks for ("" for none); checked when a command starts, before any
    request, without importing either engine."""
    wanted = env.get(ENGINE_VAR, "")
    if wanted and wanted not in KNOWN_ENGINES:
        choices = ", ".join(KNOWN_ENGINES)
        raise UsageError(f"unknown engine {wanted!r} ({ENGINE_VAR}): choose one of {choices}")
    return wanted


#: what the CRT reads from the process environment for a proxy, in its own way (aws-c-http);
#: the botocore engine follows Go's rules (proxy.py), s5cmd's
PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy")


def engine_name(env: Mapping[str, str]) -> str:
    """The engine ``env`` asks for, or the one that runs here when it asks for none: not the
    CRT's where a proxy variable is set (here or in the process), since it would not follow
    Go's rules (a loopback endpoint proxied, say)."""
    wanted = wanted_engine(env)
    if wanted == "botocore":
        return "botocore"
    if not wanted and any(env.get(name) or os.environ.get(name) for name in PROXY_VARIABLES):
        return "botocore"
    if crt_importable():
        return "crt"
    if wanted == "crt":
        raise EngineUnavailable(f"{ENGINE_VAR}=crt, but awscrt cannot be imported here (pip install awscrt)")
    return "botocore"


def make_engine(ctx: CommandContext) -> Engine:
    name = engine_name(ctx.env)
    if name == "crt":
        from s3env.shim.boto3.engine.crt import CrtEngine

        return CrtEngine(ctx)
    from s3env.shim.boto3.engine.botocore import BotocoreEngine

    return BotocoreEngine(ctx)
