"""What each tool would really use right now, and which rule decided it.  Pure.

The rules are each tool's own precedence, read off botocore's ``configprovider.py`` and
megfile's ``s3_path.py`` and measured for s5cmd (see docs/tools.md); the test-suite checks
this module against the real tools for many environment/file combinations.

Inputs are the environment and the AWS files as botocore parses them (``AwsFiles``);
``None`` for ``endpoint_url`` means the tool uses AWS's own endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TOOLS: tuple[str, ...] = ("awscli", "boto3", "s5cmd", "megfile")


@dataclass
class AwsFiles:
    """The AWS shared files, parsed: profile name -> settings, services name -> settings."""

    config_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    credential_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Resolution:
    tool: str
    profile: str | None
    endpoint_url: str | None
    region: str | None
    credential_source: str
    decided_by: dict[str, str]
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {
            "profile": self.profile,
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "credential_source": self.credential_source,
            "decided_by": self.decided_by,
        }
        if self.error:
            data["error"] = self.error
        return data


def _truthy(value: object) -> bool:
    return str(value).strip().lower() == "true"


def _nested(section: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = section.get(key)
    return value if isinstance(value, dict) else {}


def _merged(files: AwsFiles, profile: str) -> dict[str, Any]:
    """botocore's scoped config: the config profile with the credentials file's section over it."""
    merged = dict(files.config_profiles.get(profile, {}))
    merged.update(files.credential_profiles.get(profile, {}))
    return merged


def _botocore_profile(env: Mapping[str, str]) -> tuple[str, str]:
    for name in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):
        if env.get(name):
            return env[name], name
    return "default", "no AWS_DEFAULT_PROFILE or AWS_PROFILE: 'default'"


def _botocore_region(
    env: Mapping[str, str], scoped: Mapping[str, Any], profile: str
) -> tuple[str | None, str]:
    """(region, rule): botocore reads AWS_DEFAULT_REGION, then the profile's region."""
    if env.get("AWS_DEFAULT_REGION"):
        return env["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION (AWS_REGION is not read)"
    if scoped.get("region"):
        return scoped["region"], f"[profile {profile}] region"
    return None, "none set"


def _botocore_credentials(env: Mapping[str, str], files: AwsFiles, profile: str) -> tuple[str, str]:
    """(source, rule) along botocore's credential chain (the parts that files and env decide)."""
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return "environment", "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set (they beat every file)"
    config = files.config_profiles.get(profile, {})
    creds = files.credential_profiles.get(profile, {})
    if "role_arn" in config:
        return f"assume role ({config['role_arn']})", f"[profile {profile}] has role_arn"
    if "sso_session" in config or "sso_start_url" in config:
        return "sso", f"[profile {profile}] uses SSO"
    if creds.get("aws_access_key_id") and creds.get("aws_secret_access_key"):
        return f"credentials file [{profile}]", "keys in the shared credentials file"
    if config.get("credential_process"):
        return "credential_process", f"[profile {profile}] has credential_process"
    if config.get("aws_access_key_id") and config.get("aws_secret_access_key"):
        return f"config file [profile {profile}]", "keys in the config file"
    return "none (instance metadata or nothing)", "no keys in the environment or the files"


def resolve_botocore(env: Mapping[str, str], files: AwsFiles, tool: str = "boto3") -> Resolution:
    profile, profile_rule = _botocore_profile(env)
    decided = {"profile": profile_rule}
    known = profile in files.config_profiles or profile in files.credential_profiles
    if not known and profile != "default":
        return Resolution(tool, profile, None, None, "none", decided, error=f"profile '{profile}' not found")
    scoped = files.config_profiles.get(profile, {})
    endpoint: str | None = None
    ignore = _truthy(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "")) or _truthy(
        scoped.get("ignore_configured_endpoint_urls", "")
    )
    if ignore:
        decided["endpoint_url"] = "ignore_configured_endpoint_urls: AWS endpoint"
    elif env.get("AWS_ENDPOINT_URL_S3"):
        endpoint, decided["endpoint_url"] = env["AWS_ENDPOINT_URL_S3"], "AWS_ENDPOINT_URL_S3"
    elif env.get("AWS_ENDPOINT_URL"):
        endpoint, decided["endpoint_url"] = env["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL"
    elif scoped.get("services") and _nested(files.services.get(scoped["services"], {}), "s3").get(
        "endpoint_url"
    ):
        name = scoped["services"]
        endpoint = _nested(files.services[name], "s3")["endpoint_url"]
        decided["endpoint_url"] = f"[services {name}] s3 endpoint_url (named by the profile's services)"
    elif scoped.get("endpoint_url"):
        endpoint, decided["endpoint_url"] = scoped["endpoint_url"], f"[profile {profile}] endpoint_url"
    else:
        decided["endpoint_url"] = "nothing set (a nested s3 = endpoint_url is ignored): AWS endpoint"
    region, decided["region"] = _botocore_region(env, scoped, profile)
    source, decided["credentials"] = _botocore_credentials(env, files, profile)
    return Resolution(tool, profile, endpoint, region, source, decided)


def resolve_s5cmd(env: Mapping[str, str], files: AwsFiles) -> Resolution:
    decided: dict[str, str] = {}
    if env.get("AWS_PROFILE"):
        profile, decided["profile"] = (
            env["AWS_PROFILE"],
            "AWS_PROFILE (it beats AWS_DEFAULT_PROFILE for s5cmd)",
        )
    elif env.get("AWS_DEFAULT_PROFILE"):
        profile, decided["profile"] = env["AWS_DEFAULT_PROFILE"], "AWS_DEFAULT_PROFILE"
    else:
        profile, decided["profile"] = "default", "no AWS_PROFILE or AWS_DEFAULT_PROFILE: 'default'"
    if env.get("S3_ENDPOINT_URL"):
        endpoint, decided["endpoint_url"] = env["S3_ENDPOINT_URL"], "S3_ENDPOINT_URL"
    else:
        endpoint, decided["endpoint_url"] = None, "no S3_ENDPOINT_URL (s5cmd reads no endpoint from files)"
    config = files.config_profiles.get(profile, {})
    if env.get("AWS_REGION"):
        region, decided["region"] = env["AWS_REGION"], "AWS_REGION"
    elif env.get("AWS_DEFAULT_REGION"):
        region, decided["region"] = env["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION"
    elif config.get("region"):
        region, decided["region"] = config["region"], f"[profile {profile}] region"
    else:
        region, decided["region"] = "us-east-1", "none set: s5cmd's default us-east-1"
    creds = files.credential_profiles.get(profile, {})
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        source, rule = "environment", "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set"
    elif creds.get("aws_access_key_id") and creds.get("aws_secret_access_key"):
        source, rule = f"credentials file [{profile}]", "keys in the shared credentials file"
    elif config.get("credential_process"):
        source, rule = "credential_process", f"[profile {profile}] has credential_process"
    elif config.get("aws_access_key_id"):
        source, rule = f"config file [profile {profile}]", "keys in the config file"
    else:
        source, rule = "none (instance metadata or nothing)", "no keys in the environment or the files"
    decided["credentials"] = rule
    return Resolution("s5cmd", profile, endpoint, region, source, decided)


def resolve_megfile(env: Mapping[str, str], files: AwsFiles) -> Resolution:
    decided: dict[str, str] = {}
    named = env.get("AWS_PROFILE") or None
    if named:
        profile = named
        decided["profile"] = "AWS_PROFILE (megfile passes it to boto3 by name)"
        prefix = f"{named}__".upper()
    else:
        profile, rule = _botocore_profile(env)
        decided["profile"] = f"no AWS_PROFILE: boto3's own choice, {rule}"
        prefix = ""
    scoped = _merged(files, profile)
    endpoint: str | None = None
    for name in ("OSS_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"):
        if env.get(prefix + name):
            endpoint = env[prefix + name]
            decided["endpoint_url"] = (
                prefix + name + (" (AWS_PROFILE is set, so only prefixed variables count)" if prefix else "")
            )
            break
    else:
        if _nested(scoped, "s3").get("endpoint_url"):
            endpoint = _nested(scoped, "s3")["endpoint_url"]
            decided["endpoint_url"] = f"[{profile}] nested s3 = endpoint_url"
        elif scoped.get("endpoint_url"):
            endpoint, decided["endpoint_url"] = scoped["endpoint_url"], f"[{profile}] endpoint_url"
        else:
            decided["endpoint_url"] = "nothing set (megfile ignores [services]): AWS endpoint"
    region, decided["region"] = _botocore_region(env, scoped, profile)  # megfile's session is boto3's
    if env.get(prefix + "AWS_ACCESS_KEY_ID") and env.get(prefix + "AWS_SECRET_ACCESS_KEY"):
        source = "environment"
        decided["credentials"] = f"{prefix}AWS_ACCESS_KEY_ID/{prefix}AWS_SECRET_ACCESS_KEY are set"
    elif scoped.get("aws_access_key_id") and scoped.get("aws_secret_access_key"):
        in_creds = bool(files.credential_profiles.get(profile, {}).get("aws_secret_access_key"))
        source = f"credentials file [{profile}]" if in_creds else f"config file [profile {profile}]"
        decided["credentials"] = "keys in the profile" + (
            " (environment keys are ignored while AWS_PROFILE is set)"
            if prefix and env.get("AWS_ACCESS_KEY_ID")
            else ""
        )
    else:
        # megfile falls back to boto3's chain, which still reads plain env keys
        plain = {k: v for k, v in env.items() if k != "AWS_PROFILE"} if prefix else env
        source, decided["credentials"] = _botocore_credentials(plain, files, profile)
    return Resolution("megfile", profile, endpoint, region, source, decided)


def botocore_checksum_calculation(
    env: Mapping[str, str], files: AwsFiles, profile: str
) -> tuple[str | None, str]:
    """(request_checksum_calculation as botocore reads it, where from); None when nothing sets
    it and botocore's default applies (``when_supported`` from 1.36: every upload checksummed)."""
    if env.get("AWS_REQUEST_CHECKSUM_CALCULATION"):
        return env["AWS_REQUEST_CHECKSUM_CALCULATION"].lower(), "AWS_REQUEST_CHECKSUM_CALCULATION"
    value = _merged(files, profile).get("request_checksum_calculation")
    if isinstance(value, str) and value:
        return value.lower(), f"request_checksum_calculation in profile {profile}"
    return None, "botocore's default"


def resolve_all(env: Mapping[str, str], files: AwsFiles) -> dict[str, Resolution]:
    return {
        "awscli": resolve_botocore(env, files, "awscli"),
        "boto3": resolve_botocore(env, files, "boto3"),
        "s5cmd": resolve_s5cmd(env, files),
        "megfile": resolve_megfile(env, files),
    }


def load_aws_files(config_path: str, credentials_path: str) -> tuple[AwsFiles, list[str]]:
    """Parse the AWS files the way botocore does; (files, one-line errors)."""
    import os

    from botocore.configloader import build_profile_map, raw_config_parse
    from botocore.exceptions import ConfigParseError

    errors: list[str] = []
    files = AwsFiles()
    if os.path.isfile(config_path):
        try:
            parsed = build_profile_map(raw_config_parse(config_path))
            files.config_profiles = parsed.get("profiles", {})
            files.services = parsed.get("services", {})
        except (ConfigParseError, UnicodeDecodeError) as exc:
            errors.append(f"{config_path}: {str(exc).splitlines()[0]}")
    if os.path.isfile(credentials_path):
        try:
            files.credential_profiles = raw_config_parse(credentials_path)
        except (ConfigParseError, UnicodeDecodeError) as exc:
            errors.append(f"{credentials_path}: {str(exc).splitlines()[0]}")
    return files, errors
