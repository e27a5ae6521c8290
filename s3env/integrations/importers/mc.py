"""``s3env import mc``: the aliases of MinIO client's config.json."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from s3env.core.model import Profile
from s3env.integrations.importers.base import Candidate, normalize_endpoint, profile_name

PLACEHOLDERS = {"", "YOUR-ACCESS-KEY-HERE", "YOUR-SECRET-KEY-HERE"}


def candidates_from(config: Mapping[str, Any], source: str) -> list[Candidate]:
    """Pure: from the parsed config.json (``aliases``, or ``hosts`` in old versions)."""
    aliases = config.get("aliases") or config.get("hosts") or {}
    out: list[Candidate] = []
    for alias, entry in aliases.items():
        if not isinstance(entry, dict):
            continue
        key_id, secret = entry.get("accessKey") or "", entry.get("secretKey") or ""
        if key_id in PLACEHOLDERS or secret in PLACEHOLDERS:
            continue  # mc's own examples (gcs, s3 with placeholder keys, local without keys)
        path = str(entry.get("path", "auto")).lower()
        style = {"on": "path", "off": "virtual"}.get(path, "auto")
        notes = [] if profile_name(alias) == alias else [f"renamed from {alias!r}"]
        profile = Profile(
            name=profile_name(alias),
            endpoint_url=normalize_endpoint(entry.get("url")),
            addressing_style=style,
            access_key_id=key_id,
            secret_access_key=secret,
            session_token=entry.get("sessionToken") or None,
        )
        out.append(Candidate(profile, f"{source} [{alias}]", notes))
    return out


def read(env: Mapping[str, str]) -> list[Candidate]:
    import json
    import os

    from s3env.core.errors import FileParseError
    from s3env.store.fileguard import read_regular_text

    home = env.get("HOME") or os.path.expanduser("~")
    path = os.path.join(env.get("MC_CONFIG_DIR") or os.path.join(home, ".mc"), "config.json")
    text = read_regular_text(path)
    if text is None:
        return []
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:  # its message names a position, never the content
        raise FileParseError(path, exc.lineno, f"not valid JSON ({exc.msg}, column {exc.colno})") from None
    return candidates_from(config, path)
