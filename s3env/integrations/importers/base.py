"""What every importer returns: candidate profiles, with where each came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from s3env.core.model import Profile

_BAD_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class Candidate:
    profile: Profile  # with secrets
    source: str  # human description: "~/.aws/config [profile x]"
    notes: list[str] = field(default_factory=list)
    #: the sections of the AWS files this profile came from: (path, header)
    sections: list[tuple[str, str]] = field(default_factory=list)
    #: the sections are this profile's under its own name: ``import aws`` adopts them (records them
    #: as s3env's) unless the import renames the profile (--prefix), which makes it a copy
    adoptable: bool = False
    #: why adopting the sections would change a value of the user's (then the profile is skipped
    #: unless imported as a copy)
    adopt_blocker: str | None = None
    #: why this candidate cannot be imported at all (listed, and skipped)
    skip: str | None = None

    def __repr__(self) -> str:  # the profile's repr holds no secret; notes name no value
        return f"Candidate({self.profile!r}, source={self.source!r}, skip={self.skip!r})"


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
