"""What every importer returns: candidate profiles, with where each came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from s3env.model import Profile

_BAD_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class Candidate:
    profile: Profile  # with secrets
    source: str  # human description: "~/.aws/config [profile x]"
    notes: list[str] = field(default_factory=list)
    #: sections of the AWS files this profile came from, for ``import aws`` to adopt: (path, header)
    adopt: list[tuple[str, str]] = field(default_factory=list)


def profile_name(raw: str) -> str:
    """A valid s3env name for a name found elsewhere (spaces, slashes… become '-')."""
    name = _BAD_NAME_CHARS.sub("-", raw.strip()).strip("-.") or "imported"
    if not name[0].isalnum():
        name = "p" + name
    return name[:64]


def normalize_endpoint(url: str | None) -> str | None:
    """Endpoints found elsewhere may lack a scheme (rclone: ``s3.example.com``): assume https."""
    if not url:
        return None
    url = url.strip()
    return url if "://" in url else f"https://{url}"
