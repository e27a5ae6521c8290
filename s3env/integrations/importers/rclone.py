"""``s3env import rclone``: the ``type = s3`` remotes of rclone.conf."""

from __future__ import annotations

from collections.abc import Mapping

from s3env.core.model import Profile
from s3env.integrations.importers.base import Candidate, normalize_endpoint, profile_name

# rclone's provider names -> s3env presets (rclone backend/s3 "provider" option)
PROVIDERS = {
    "aws": "aws",
    "minio": "minio",
    "ceph": "ceph",
    "cloudflare": "r2",
    "alibaba": "oss",
    "tencentcos": "cos",
    "gcs": "gcs",
    "wasabi": "wasabi",
    "digitalocean": "digitalocean",
    "scaleway": "scaleway",
    "seaweedfs": "seaweedfs",
}


def candidates_from(sections: Mapping[str, Mapping[str, str]], source: str) -> list[Candidate]:
    """Pure: remotes as configparser reads rclone.conf."""
    out: list[Candidate] = []
    for remote, values in sections.items():
        if values.get("type", "").strip().lower() != "s3":
            continue
        notes: list[str] = []
        provider = PROVIDERS.get(values.get("provider", "").strip().lower())
        if values.get("provider") and provider is None:
            notes.append(f"rclone provider {values['provider']!r} has no s3env preset")
        path_style = values.get("force_path_style", "").strip().lower()
        style = "path" if path_style == "true" else ("virtual" if path_style == "false" else "auto")
        if values.get("env_auth", "").strip().lower() == "true" and not values.get("access_key_id"):
            notes.append("env_auth = true: keys come from the environment, none imported")
        key_id = values.get("access_key_id") or None
        secret = values.get("secret_access_key") or None
        name = profile_name(remote)
        if name != remote:
            notes.append(f"renamed from {remote!r}")
        profile = Profile(
            name=name,
            endpoint_url=normalize_endpoint(values.get("endpoint")),
            region=values.get("region") or None,
            addressing_style=style,
            provider=provider,
            access_key_id=key_id if key_id and secret else None,
            secret_access_key=secret if key_id and secret else None,
            session_token=(values.get("session_token") or None) if key_id and secret else None,
        )
        out.append(Candidate(profile, f"{source} [{remote}]", notes))
    return out


def read(env: Mapping[str, str]) -> list[Candidate]:
    import os

    from s3env.integrations.writers.ini_keys import read_configparser

    home = env.get("HOME") or os.path.expanduser("~")
    xdg = env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    path = env.get("RCLONE_CONFIG") or os.path.join(xdg, "rclone", "rclone.conf")
    parser = read_configparser(path)
    if parser is None:
        return []
    return candidates_from({s: dict(parser.items(s)) for s in parser.sections()}, path)
