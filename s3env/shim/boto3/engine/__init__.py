"""Transfer engines of the boto3 backend, one module each, chosen by ``S3ENV_ENGINE``.

- ``crt``: the AWS Common Runtime (awscrt's S3 client signs and moves the bytes in native
  threads; many requests in flight without a Python thread each);
- ``botocore``: a botocore call per request on worker threads (multipart.py, ranged.py).

Unset (or empty), the CRT where ``awscrt`` can be imported, else botocore.  Listing and
metadata (HEAD, DeleteObjects, buckets) are botocore's on either engine.
"""

from __future__ import annotations

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


#: the proxy variables awscrt's HTTP client reads from the process's environment by itself
CRT_PROXY_VARIABLES: tuple[str, ...] = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy")


def proxy_variable(env: Mapping[str, str]) -> str:
    """The first proxy variable set in ``env`` or in the process's environment ("" for none).

    awscrt 0.38's S3 client takes no proxy settings, yet its connections follow these
    variables on their own, not by Go's rules (proxy.py): a loopback endpoint, NO_PROXY, the
    CGI rule.  So where one is set, the CRT cannot send as s5cmd would."""
    import os

    return next((name for name in CRT_PROXY_VARIABLES if env.get(name) or os.environ.get(name)), "")


def engine_name(env: Mapping[str, str]) -> str:
    """The engine ``env`` asks for, or the one that runs here when it asks for none: the CRT
    where awscrt can be imported and no proxy variable is set (``proxy_variable``)."""
    wanted = wanted_engine(env)
    if wanted == "botocore":
        return "botocore"
    if not crt_importable():
        if wanted == "crt":
            raise EngineUnavailable(
                f"{ENGINE_VAR}=crt, but awscrt cannot be imported here (pip install awscrt)"
            )
        return "botocore"
    proxy = proxy_variable(env)
    if proxy:
        if wanted == "crt":
            raise EngineUnavailable(
                f"{ENGINE_VAR}=crt, but {proxy} is set: the CRT engine cannot apply s5cmd's proxy rules "
                f"({ENGINE_VAR}=botocore can)"
            )
        return "botocore"
    return "crt"


def make_engine(ctx: CommandContext) -> Engine:
    name = engine_name(ctx.env)
    if name == "crt":
        from s3env.shim.boto3.engine.crt import CrtEngine

        return CrtEngine(ctx)
    from s3env.shim.boto3.engine.botocore import BotocoreEngine

    return BotocoreEngine(ctx)
