"""``s3env import megfile``: megfile's own settings beyond the AWS files.

megfile reads ``~/.config/megfile/megfile.conf`` (its ``[env]`` table sets environment
defaults) and named profiles ``NAME__AWS_ACCESS_KEY_ID``-style variables (used by
``s3+NAME://`` URLs).  The plain ``[env]``/environment values make a profile ``megfile``;
each ``NAME__…`` group a profile ``name``.  (``megfile config s3`` writes the AWS credentials
file: ``s3env import aws`` covers that.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from s3env.integrations.importers.base import Candidate, profile_name
from s3env.integrations.importers.env import candidates_from as env_candidates

_NAMED = re.compile(
    r"([A-Za-z0-9_]+?)__(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_ENDPOINT_URL_S3|"
    r"AWS_ENDPOINT_URL|OSS_ENDPOINT|AWS_S3_ADDRESSING_STYLE)\Z"
)


def candidates_from(values: Mapping[str, str], source: str) -> list[Candidate]:
    """Pure: from megfile.conf's [env] merged with the environment (environment wins)."""
    groups: dict[str, dict[str, str]] = {}
    plain: dict[str, str] = {}
    for key, value in values.items():
        match = _NAMED.match(key.upper())
        if match:
            groups.setdefault(match.group(1).lower(), {})[match.group(2)] = value
        elif key.upper() in (
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_ENDPOINT_URL_S3",
            "AWS_ENDPOINT_URL",
            "OSS_ENDPOINT",
            "AWS_S3_ADDRESSING_STYLE",
        ):
            plain[key.upper()] = value
    out: list[Candidate] = []
    if plain.get("AWS_ACCESS_KEY_ID") or any(
        k in plain for k in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "OSS_ENDPOINT")
    ):
        for candidate in env_candidates(plain, name="megfile"):
            candidate.source = source
            out.append(candidate)
    for group, entries in sorted(groups.items()):
        for candidate in env_candidates(entries, name=profile_name(group)):
            candidate.source = f"{source} ({group.upper()}__* variables)"
            out.append(candidate)
    return out


def read(env: Mapping[str, str]) -> list[Candidate]:
    import os

    from s3env.integrations.writers.ini_keys import read_configparser

    home = env.get("HOME") or os.path.expanduser("~")
    path = os.path.join(home, ".config", "megfile", "megfile.conf")
    values: dict[str, str] = {}
    parser = read_configparser(path, keep_case=True)
    if parser is not None and parser.has_section("env"):
        values.update(dict(parser.items("env")))
    values.update({k: v for k, v in env.items() if "__" in k or k.startswith(("AWS_", "OSS_"))})
    return candidates_from(values, f"{path} [env] and the environment")
