"""What each tool would really use right now, and which rule decided it.  Pure.

The rules are each tool's own precedence, read off botocore's ``configprovider.py`` and
``credentials.py``, megfile's ``s3_path.py`` and aws-sdk-go's ``session/credentials.go`` (s5cmd),
and measured (see docs/tools.md); the test-suite checks this module against the real tools for
many environment/file combinations: endpoint, region, profile and credential source.

Inputs are the environment and the AWS files as botocore parses them (``AwsFiles``);
``None`` for ``endpoint_url`` means the tool uses AWS's own endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TOOLS: tuple[str, ...] = ("awscli", "boto3", "s5cmd", "megfile")

#: How a tool gets its credentials (``Resolution.credential_provider``).
CREDENTIAL_PROVIDERS: tuple[str, ...] = (
    "environment",
    "credentials-file",
    "config-file",
    "assume-role",
    "web-identity",
    "sso",
    "login",
    "process",
    "none",
)


def config_header(profile: str) -> str:
    """How the config file names a profile's section: ``default`` (botocore's spelling; it also
    reads ``[profile default]``), else ``profile NAME``.  The credentials file says ``NAME``."""
    return "default" if profile == "default" else f"profile {profile}"


@dataclass
class AwsFiles:
    """The AWS shared files, parsed: profile name -> settings, services name -> settings."""

    config_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    credential_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)

    def has_profile(self, name: str) -> bool:
        return name in self.config_profiles or name in self.credential_profiles


@dataclass(frozen=True)
class Credentials:
    """Where a tool's credentials come from.  ``identity`` tells two sources apart by what they
    yield (the access key id of static keys, the role ARN, the SSO account and role, the
    command) and not by where they are written, so s3env's ``[default]`` copy of a profile and
    the profile itself are the same credentials.  It holds no secret."""

    provider: str  # one of CREDENTIAL_PROVIDERS
    source: str  # for people: "credentials file [lab]", "assume role (arn:…)"
    rule: str  # why
    identity: tuple[str, ...]


NO_CREDENTIALS_SOURCE = "none (instance metadata or nothing)"


@dataclass
class Resolution:
    tool: str
    profile: str | None
    endpoint_url: str | None
    region: str | None
    credential_source: str
    decided_by: dict[str, str]
    error: str | None = None
    credential_provider: str = "none"
    #: the profile the tool selects is named by AWS_PROFILE/AWS_DEFAULT_PROFILE but is in
    #: neither AWS file (botocore-based tools fail, s5cmd runs without the profile's keys)
    profile_missing: bool = False
    credential_identity: tuple[str, ...] = field(default=("none",), repr=False)

    def to_json(self) -> dict[str, Any]:
        from s3env.core.model import mask_urls_in

        data = {
            "profile": self.profile,
            "endpoint_url": mask_urls_in(self.endpoint_url) if self.endpoint_url else None,
            "region": self.region,
            "credential_source": self.credential_source,
            "credential_provider": self.credential_provider,
            "profile_missing": self.profile_missing,
            "decided_by": {k: mask_urls_in(v) for k, v in self.decided_by.items()},
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


def _named_missing(files: AwsFiles, profile: str) -> bool:
    """A profile chosen by name that the files do not have ('default' may be absent)."""
    return profile != "default" and not files.has_profile(profile)


def _botocore_region(
    env: Mapping[str, str], scoped: Mapping[str, Any], profile: str
) -> tuple[str | None, str]:
    """(region, rule): botocore reads AWS_DEFAULT_REGION, then the profile's region."""
    if env.get("AWS_DEFAULT_REGION"):
        return env["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION (AWS_REGION is not read)"
    if scoped.get("region"):
        return scoped["region"], f"[{config_header(profile)}] region"
    return None, "none set (S3 requests are signed for us-east-1)"


def _keys(section: Mapping[str, Any]) -> str | None:
    """The access key id when the section holds a whole key pair."""
    key_id, secret = section.get("aws_access_key_id"), section.get("aws_secret_access_key")
    return key_id if isinstance(key_id, str) and key_id and secret else None


def process_identity(command: str) -> tuple[str, ...]:
    """s3env's own ``s3env credential-process NAME`` is the same source whatever path s3env
    was installed at; any other command is itself."""
    import shlex

    try:
        argv = shlex.split(command)
    except ValueError:
        argv = []
    if len(argv) >= 3 and argv[-2] == "credential-process" and any("s3env" in a for a in argv[:-2]):
        return ("process", "s3env credential-process", argv[-1])
    return ("process", command)


def _env_keys(env: Mapping[str, str], prefix: str = "") -> Credentials | None:
    key_id = env.get(prefix + "AWS_ACCESS_KEY_ID")
    if key_id and env.get(prefix + "AWS_SECRET_ACCESS_KEY"):
        return Credentials(
            "environment",
            "environment",
            f"{prefix}AWS_ACCESS_KEY_ID/{prefix}AWS_SECRET_ACCESS_KEY are set",
            ("keys", key_id),
        )
    return None


def _role(merged: Mapping[str, Any], profile: str) -> Credentials:
    arn = str(merged["role_arn"])
    base = merged.get("source_profile") or merged.get("credential_source") or ""
    return Credentials(
        "assume-role",
        f"assume role ({arn})",
        f"[{config_header(profile)}] has role_arn",
        ("assume-role", arn, str(base)),
    )


def _web_identity(role_arn: str, token_file: str, rule: str) -> Credentials:
    return Credentials(
        "web-identity",
        f"web identity ({role_arn})",
        rule,
        ("web-identity", role_arn, token_file),
    )


def _sso(merged: Mapping[str, Any], profile: str) -> Credentials:
    start = merged.get("sso_session") or merged.get("sso_start_url") or ""
    return Credentials(
        "sso",
        "sso",
        f"[{config_header(profile)}] uses SSO",
        ("sso", str(start), str(merged.get("sso_account_id", "")), str(merged.get("sso_role_name", ""))),
    )


def _process(merged: Mapping[str, Any], profile: str) -> Credentials:
    command = str(merged["credential_process"])
    rule = f"[{config_header(profile)}] has credential_process"
    return Credentials("process", "credential_process", rule, process_identity(command))


def _in_credentials_file(key_id: str, profile: str) -> Credentials:
    return Credentials(
        "credentials-file",
        f"credentials file [{profile}]",
        "keys in the shared credentials file",
        ("keys", key_id),
    )


def _in_config_file(key_id: str, profile: str) -> Credentials:
    return Credentials(
        "config-file", f"config file [{config_header(profile)}]", "keys in the config file", ("keys", key_id)
    )


_NONE = Credentials("none", NO_CREDENTIALS_SOURCE, "no keys in the environment or the files", ("none",))


def _botocore_credentials(env: Mapping[str, str], files: AwsFiles, profile: str) -> Credentials:
    """botocore's chain (``create_credential_resolver``), the parts that files and env decide:
    env keys, assume-role, web identity, sso, credentials file, login, process, config file."""
    if found := _env_keys(env):
        rule = f"{found.rule} (they beat every file)"
        return Credentials(found.provider, found.source, rule, found.identity)
    merged = _merged(files, profile)
    if "role_arn" in merged and "web_identity_token_file" not in merged:
        return _role(merged, profile)
    token_file = env.get("AWS_WEB_IDENTITY_TOKEN_FILE") or merged.get("web_identity_token_file")
    role_arn = env.get("AWS_ROLE_ARN") or merged.get("role_arn")
    if token_file and role_arn:
        return _web_identity(str(role_arn), str(token_file), "a web identity token file and a role ARN")
    if "sso_role_name" in merged or "sso_account_id" in merged:
        return _sso(merged, profile)
    if key_id := _keys(files.credential_profiles.get(profile, {})):
        return _in_credentials_file(key_id, profile)
    if merged.get("login_session"):
        session = str(merged["login_session"])
        rule = f"[{config_header(profile)}] has login_session"
        return Credentials("login", "login", rule, ("login", session))
    if merged.get("credential_process"):
        return _process(merged, profile)
    if key_id := _keys(files.config_profiles.get(profile, {})):
        return _in_config_file(key_id, profile)
    return _NONE


def _s5cmd_credentials(env: Mapping[str, str], files: AwsFiles, profile: str, missing: bool) -> Credentials:
    """aws-sdk-go v1 (``session.resolveCredsFromProfile``): env keys, then the profile's
    source_profile role, keys, credential_source, web identity, sso, credential_process."""
    if found := _env_keys(env):
        return found
    if missing:
        return Credentials(
            "none",
            "none (profile not found)",
            f"profile {profile} is in neither AWS file: s5cmd runs without its keys",
            ("none",),
        )
    merged = _merged(files, profile)
    # Any credentials below are wrapped in an AssumeRole call when the profile has role_arn.
    if merged.get("role_arn") and not merged.get("web_identity_token_file"):
        return _role(merged, profile)
    if key_id := _keys(files.credential_profiles.get(profile, {})):
        return _in_credentials_file(key_id, profile)
    if key_id := _keys(files.config_profiles.get(profile, {})):
        return _in_config_file(key_id, profile)
    if merged.get("web_identity_token_file") and merged.get("role_arn"):
        return _web_identity(str(merged["role_arn"]), str(merged["web_identity_token_file"]), "profile")
    if any(k in merged for k in ("sso_session", "sso_start_url", "sso_account_id", "sso_role_name")):
        return _sso(merged, profile)
    if merged.get("credential_process"):
        return _process(merged, profile)
    return _NONE


def _resolution(
    tool: str,
    profile: str,
    endpoint: str | None,
    region: str | None,
    creds: Credentials,
    decided: dict[str, str],
    *,
    error: str | None = None,
    missing: bool = False,
) -> Resolution:
    decided["credentials"] = creds.rule
    return Resolution(
        tool,
        profile,
        endpoint,
        region,
        creds.source,
        decided,
        error=error,
        credential_provider=creds.provider,
        profile_missing=missing,
        credential_identity=creds.identity,
    )


def _not_found(tool: str, profile: str, decided: dict[str, str]) -> Resolution:
    return Resolution(
        tool,
        profile,
        None,
        None,
        "none",
        decided,
        error=f"profile '{profile}' not found",
        profile_missing=True,
    )


def resolve_botocore(env: Mapping[str, str], files: AwsFiles, tool: str = "boto3") -> Resolution:
    profile, profile_rule = _botocore_profile(env)
    decided = {"profile": profile_rule}
    if _named_missing(files, profile):
        return _not_found(tool, profile, decided)
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
        endpoint, decided["endpoint_url"] = scoped["endpoint_url"], f"[{config_header(profile)}] endpoint_url"
    else:
        decided["endpoint_url"] = "nothing set (a nested s3 = endpoint_url is ignored): AWS endpoint"
    region, decided["region"] = _botocore_region(env, _merged(files, profile), profile)
    return _resolution(tool, profile, endpoint, region, _botocore_credentials(env, files, profile), decided)


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
    missing = _named_missing(files, profile)
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
        region, decided["region"] = config["region"], f"[{config_header(profile)}] region"
    else:
        region, decided["region"] = "us-east-1", "none set: s5cmd's default us-east-1"
    creds = _s5cmd_credentials(env, files, profile, missing)
    return _resolution("s5cmd", profile, endpoint, region, creds, decided, missing=missing)


def resolve_megfile(env: Mapping[str, str], files: AwsFiles) -> Resolution:
    """megfile (``s3_path.get_s3_client``): the endpoint from AWS_PROFILE's section and
    ``AWS_PROFILE``-prefixed variables; keys and region from boto3's own session, which
    selects its profile as botocore does (AWS_DEFAULT_PROFILE first)."""
    decided: dict[str, str] = {}
    profile, rule = _botocore_profile(env)
    named = env.get("AWS_PROFILE") or None
    prefix = f"{named}__".upper() if named else ""
    endpoint_profile = named or profile
    if named and named != profile:
        decided["profile"] = (
            f"{rule} for keys and region (boto3's session); AWS_PROFILE={named} for the endpoint"
        )
    elif named:
        decided["profile"] = "AWS_PROFILE (megfile's boto3 session reads it too)"
    else:
        decided["profile"] = f"no AWS_PROFILE: boto3's own choice, {rule}"
    if _named_missing(files, profile):
        return _not_found("megfile", profile, decided)
    endpoint: str | None = None
    for name in ("OSS_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"):
        if env.get(prefix + name):
            endpoint = env[prefix + name]
            decided["endpoint_url"] = (
                prefix + name + (" (AWS_PROFILE is set, so only prefixed variables count)" if prefix else "")
            )
            break
    else:
        section = _merged(files, endpoint_profile)
        if _nested(section, "s3").get("endpoint_url"):
            endpoint = _nested(section, "s3")["endpoint_url"]
            decided["endpoint_url"] = f"[{endpoint_profile}] nested s3 = endpoint_url"
        elif section.get("endpoint_url"):
            endpoint = section["endpoint_url"]
            decided["endpoint_url"] = f"[{endpoint_profile}] endpoint_url"
        else:
            decided["endpoint_url"] = "nothing set (megfile ignores [services]): AWS endpoint"
    scoped = _merged(files, profile)
    region, decided["region"] = _botocore_region(env, scoped, profile)  # megfile's session is boto3's
    creds = _env_keys(env, prefix)  # AWS_PROFILE-prefixed while AWS_PROFILE is set, else plain
    if creds is None and (key_id := _keys(scoped)):
        in_creds = bool(_keys(files.credential_profiles.get(profile, {})))
        creds = (_in_credentials_file if in_creds else _in_config_file)(key_id, profile)
        if prefix and env.get("AWS_ACCESS_KEY_ID"):
            creds = Credentials(
                creds.provider,
                creds.source,
                "keys in the profile (environment keys are ignored while AWS_PROFILE is set)",
                creds.identity,
            )
    if creds is None:
        # megfile hands boto3 no keys: its session's whole chain, plain env keys first
        creds = _botocore_credentials(env, files, profile)
    return _resolution("megfile", profile, endpoint, region, creds, decided)


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
