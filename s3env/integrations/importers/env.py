"""``s3env import env``: one profile from the current environment (AWS_*, S3_ENDPOINT_URL, …)."""

from __future__ import annotations

from collections.abc import Mapping

from s3env.core.model import Profile, mask_url
from s3env.integrations.importers.base import Candidate, normalize_endpoint

ENDPOINT_VARS = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "S3_ENDPOINT_URL", "OSS_ENDPOINT")


def candidates_from(env: Mapping[str, str], name: str = "env") -> list[Candidate]:
    """Pure."""
    notes: list[str] = []
    found = [(v, env[v]) for v in ENDPOINT_VARS if env.get(v)]
    if len({value for _, value in found}) > 1:
        notes.append(
            "endpoints disagree: "
            + ", ".join(f"{k}={mask_url(v)}" for k, v in found)
            + f"; took {found[0][0]}"
        )
    regions = [(v, env[v]) for v in ("AWS_REGION", "AWS_DEFAULT_REGION") if env.get(v)]
    if len({value for _, value in regions}) > 1:
        notes.append(
            "regions disagree: " + ", ".join(f"{k}={v}" for k, v in regions) + f"; took {regions[0][0]}"
        )
    key_id, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if not found and not key_id and not regions:
        return []
    style = env.get("AWS_S3_ADDRESSING_STYLE", "auto")
    profile = Profile(
        name=name,
        endpoint_url=normalize_endpoint(found[0][1]) if found else None,
        region=regions[0][1] if regions else None,
        addressing_style=style if style in ("path", "virtual") else "auto",
        access_key_id=key_id if key_id and secret else None,
        secret_access_key=secret if key_id and secret else None,
        session_token=(env.get("AWS_SESSION_TOKEN") or None) if key_id and secret else None,
    )
    return [Candidate(profile, "environment", notes)]


def read(env: Mapping[str, str]) -> list[Candidate]:
    return candidates_from(env)
