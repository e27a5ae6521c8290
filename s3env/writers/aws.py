"""``~/.aws/config`` and ``~/.aws/credentials`` for awscli, boto3 and megfile.

Per profile X (the layout measured to work for every tool, see docs/tools.md):

    [profile X]                      # config
    region = R
    services = s3env-X               # boto3/awscli read the endpoint from here …
    s3 =
        endpoint_url = URL           # … megfile from here (it ignores [services])
        addressing_style = path
    request_checksum_calculation = when_required   # with an endpoint: model.checksum_settings
    response_checksum_validation = when_required
    [services s3env-X]
    s3 =
        endpoint_url = URL

    [X]                              # credentials
    aws_access_key_id = …
    aws_secret_access_key = …

A top-level ``endpoint_url`` is never written: it applies to every AWS service (STS, IAM…),
so it would send those to the S3 server too.  When the profile asks for it, or when a key
cannot be written exactly on an INI line (a newline, surrounding whitespace), the keys stay
out of the credentials file and the profile gets
``credential_process = s3env credential-process X`` instead.

The active profile is also copied to ``[default]`` in both files, as one group that is taken
only when neither file has a ``[default]`` of the user's (or with --take-default).
"""

from __future__ import annotations

import shlex

from s3env.model import Profile, checksum_settings
from s3env.writers.base import DesiredSection, IniTarget, Items, ToolWriter, WriteContext

SERVICES_PREFIX = "s3env-"
DEFAULT_GROUP = "default"


def ini_safe(value: str) -> bool:
    """True when botocore reads ``key = value`` back as exactly ``value``."""
    return value == value.strip() and not any(
        c in value for c in "\r\n\0\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    )


def uses_credential_process(profile: Profile) -> bool:
    if profile.access_key_id is None or profile.secret_access_key is None:
        return False
    if profile.credentials == "process":
        return True
    values = [profile.access_key_id, profile.secret_access_key, profile.session_token or ""]
    return not all(ini_safe(v) for v in values)


def services_name(profile: Profile) -> str:
    return f"{SERVICES_PREFIX}{profile.name}"


def config_items(profile: Profile, s3env_command: tuple[str, ...]) -> Items:
    items: list[tuple[str, object]] = []
    if profile.region:
        items.append(("region", profile.region))
    if profile.endpoint_url:
        items.append(("services", services_name(profile)))
    nested: list[tuple[str, str]] = []
    if profile.endpoint_url:
        nested.append(("endpoint_url", profile.endpoint_url))
    if profile.addressing_style != "auto":
        nested.append(("addressing_style", profile.addressing_style))
    top_extra = []
    for key, value in sorted(profile.extra.items()):
        if key.startswith("s3."):
            nested.append((key[3:], value))
        else:
            top_extra.append((key, value))
    if nested:
        items.append(("s3", nested))
    if uses_credential_process(profile):
        command = shlex.join([*s3env_command, "credential-process", profile.name])
        items.append(("credential_process", command))
    # Checksum settings the profile's extra names come with top_extra, in its place.
    items.extend((k, v) for k, v in checksum_settings(profile).items() if k not in profile.extra)
    items.extend(top_extra)
    return items


def services_items(profile: Profile) -> Items:
    assert profile.endpoint_url
    return [("s3", [("endpoint_url", profile.endpoint_url)])]


def credentials_items(profile: Profile) -> Items | None:
    if profile.access_key_id is None or profile.secret_access_key is None or uses_credential_process(profile):
        return None
    items: list[tuple[str, object]] = [
        ("aws_access_key_id", profile.access_key_id),
        ("aws_secret_access_key", profile.secret_access_key),
    ]
    if profile.session_token:
        items.append(("aws_session_token", profile.session_token))
    return items


class AwsFilesWriter(ToolWriter):
    name = "aws"
    description = "~/.aws/config and ~/.aws/credentials (awscli, boto3, megfile, s5cmd keys)"

    def targets(self, ctx: WriteContext) -> list[IniTarget]:
        config: list[DesiredSection] = []
        credentials: list[DesiredSection] = []
        for profile in ctx.profiles:
            config.append(
                DesiredSection(
                    f"profile {profile.name}", config_items(profile, ctx.s3env_command), profile.name
                )
            )
            if profile.endpoint_url:
                config.append(
                    DesiredSection(
                        f"services {services_name(profile)}", services_items(profile), profile.name
                    )
                )
            creds = credentials_items(profile)
            if creds is not None:
                credentials.append(DesiredSection(profile.name, creds, profile.name))
        active = ctx.active_profile()
        if active is not None:
            config.append(
                DesiredSection("default", config_items(active, ctx.s3env_command), active.name, DEFAULT_GROUP)
            )
            creds = credentials_items(active)
            if creds is not None:
                credentials.append(DesiredSection("default", creds, active.name, DEFAULT_GROUP))
        return [
            IniTarget(
                "aws-config",
                ctx.aws_config,
                "config",
                secret=False,
                sections=tuple(config),
                group_headers={DEFAULT_GROUP: ("default",)},
            ),
            IniTarget(
                "aws-credentials",
                ctx.aws_credentials,
                "credentials",
                secret=True,
                sections=tuple(credentials),
                group_headers={DEFAULT_GROUP: ("default",)},
            ),
        ]
