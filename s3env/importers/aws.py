"""``s3env import aws``: every profile of the AWS shared files.

The endpoint may sit in three places and tools disagree about which they read (see
docs/tools.md).  The importer takes, in order: the ``[services …]`` section the profile
names (what awscli/boto3 use), its nested ``s3 = endpoint_url`` (what megfile uses), its
top-level ``endpoint_url``; when they disagree it says so.  After import, ``s3env use``
writes all of them consistently, so every tool reaches the same endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from s3env.importers.base import Candidate, normalize_endpoint, profile_name
from s3env.model import Profile


def _nested(section: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = section.get(key)
    return value if isinstance(value, dict) else {}


def candidates_from(
    config_profiles: Mapping[str, Mapping[str, Any]],
    services: Mapping[str, Mapping[str, Any]],
    credential_profiles: Mapping[str, Mapping[str, Any]],
    config_path: str,
    credentials_path: str,
) -> list[Candidate]:
    """Pure: candidates from the AWS files as botocore parses them."""
    out: list[Candidate] = []
    names = list(dict.fromkeys([*config_profiles, *credential_profiles]))
    for raw_name in names:
        config = config_profiles.get(raw_name, {})
        creds = credential_profiles.get(raw_name, {})
        notes: list[str] = []
        found: list[tuple[str, str]] = []
        services_name = config.get("services")
        if services_name and _nested(services.get(services_name, {}), "s3").get("endpoint_url"):
            found.append(
                (f"[services {services_name}]", _nested(services[services_name], "s3")["endpoint_url"])
            )
        nested = _nested(config, "s3").get("endpoint_url") or _nested(creds, "s3").get("endpoint_url")
        if nested:
            found.append(("nested s3 = endpoint_url", nested))
        if config.get("endpoint_url"):
            found.append(("endpoint_url", config["endpoint_url"]))
        endpoint = normalize_endpoint(found[0][1]) if found else None
        if len({v for _, v in found}) > 1:
            notes.append(
                "endpoints disagree: " + ", ".join(f"{w} = {v}" for w, v in found) + f"; took {found[0][0]}"
            )
        elif found and len(found) < 3 and found[0][0] != "endpoint_url":
            tools = {"[services": "only awscli/boto3", "nested s3": "only megfile"}
            for prefix, who in tools.items():
                if found[0][0].startswith(prefix) and len(found) == 1:
                    notes.append(
                        f"endpoint was in {found[0][0]} ({who} read it): s3env use writes it for all"
                    )
        style = _nested(config, "s3").get("addressing_style") or _nested(creds, "s3").get("addressing_style")
        key_id = creds.get("aws_access_key_id") or config.get("aws_access_key_id")
        secret = creds.get("aws_secret_access_key") or config.get("aws_secret_access_key")
        token = creds.get("aws_session_token") or config.get("aws_session_token")
        extra: dict[str, str] = {}
        if config.get("credential_process"):
            extra["credential_process"] = str(config["credential_process"])
        name = profile_name(raw_name)
        if raw_name == "default":
            name = "aws-default"
            notes.append(
                "imported as 'aws-default'; your [default] sections stay yours (see use --take-default)"
            )
        elif name != raw_name:
            notes.append(f"renamed from {raw_name!r} (not a valid s3env name)")
        adopt: list[tuple[str, str]] = []
        if raw_name != "default":
            if raw_name in config_profiles:
                adopt.append((config_path, f"profile {raw_name}"))
            if raw_name in credential_profiles:
                adopt.append((credentials_path, raw_name))
            if services_name and services_name in services:
                adopt.append((config_path, f"services {services_name}"))
        profile = Profile(
            name=name,
            endpoint_url=endpoint,
            region=config.get("region"),
            addressing_style=style if style in ("path", "virtual") else "auto",
            access_key_id=key_id,
            secret_access_key=secret if key_id else None,
            session_token=token if key_id else None,
            extra=extra,
        )
        where = config_path if raw_name in config_profiles else credentials_path
        out.append(Candidate(profile, f"{where} [{raw_name}]", notes, adopt))
    return out


def read(env: Mapping[str, str]) -> list[Candidate]:
    from botocore.configloader import build_profile_map, raw_config_parse

    from s3env.errors import AwsFileParseError
    from s3env.paths import aws_config_file, aws_credentials_file
    from s3env.writers import ini_edit

    config_path, creds_path = str(aws_config_file(env)), str(aws_credentials_file(env))
    config_profiles: dict[str, Any] = {}
    services: dict[str, Any] = {}
    credential_profiles: dict[str, Any] = {}
    for path, kind in ((config_path, "config"), (creds_path, "credentials")):
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                text = fh.read()
        except FileNotFoundError:
            continue
        except UnicodeDecodeError:
            raise AwsFileParseError(path, None, "not valid UTF-8") from None
        ini_edit.validate(text, path, kind)  # botocore's own refusals, with file and line
        parsed = raw_config_parse(path)
        if kind == "config":
            profile_map = build_profile_map(parsed)
            config_profiles, services = profile_map.get("profiles", {}), profile_map.get("services", {})
        else:
            credential_profiles = parsed
    return candidates_from(config_profiles, services, credential_profiles, config_path, creds_path)
