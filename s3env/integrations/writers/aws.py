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
from pathlib import Path

from s3env.core.model import Profile, checksum_settings, ini_safe, split_extra_key
from s3env.integrations.writers.base import DesiredSection, IniTarget, Items, ToolWriter, WriteContext

SERVICES_PREFIX = "s3env-"
DEFAULT_GROUP = "default"


def uses_credential_process(profile: Profile) -> bool:
    if profile.access_key_id is None or profile.secret_access_key is None:
        return False
    if profile.credentials == "process":
        return True
    values = [profile.access_key_id, profile.secret_access_key, profile.session_token or ""]
    return not all(ini_safe(v) for v in values)


def services_name(profile: Profile) -> str:
    return f"{SERVICES_PREFIX}{profile.name}"


def writes_services(profile: Profile) -> bool:
    """Whether s3env points the profile at its own ``[services s3env-X]``: not when the profile
    carries the user's own ``services = NAME`` (imported), whose section then decides awscli's and
    boto3's endpoints and stays the user's."""
    return bool(profile.endpoint_url) and "services" not in profile.extra


def config_items(profile: Profile, s3env_command: tuple[str, ...]) -> Items:
    items: list[tuple[str, object]] = []
    if profile.region:
        items.append(("region", profile.region))
    if writes_services(profile):
        items.append(("services", services_name(profile)))
    blocks: dict[str, list[tuple[str, str]]] = {"s3": []}
    if profile.endpoint_url:
        blocks["s3"].append(("endpoint_url", profile.endpoint_url))
    if profile.addressing_style != "auto":
        blocks["s3"].append(("addressing_style", profile.addressing_style))
    top_extra: list[tuple[str, object]] = []
    for key, value in sorted(profile.extra.items()):
        block, sub = split_extra_key(key)
        if sub is None:
            top_extra.append((key, value))
        else:
            if block not in blocks:
                blocks[block] = []
                top_extra.append((block, blocks[block]))
            blocks[block].append((sub, value))
    if blocks["s3"]:
        items.append(("s3", blocks["s3"]))
    if uses_credential_process(profile) and "credential_process" not in profile.extra:
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
            if writes_services(profile):
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

    def notices(self, ctx: WriteContext, texts: dict[Path, str | None]) -> list[str]:
        """A profile that keeps the user's own ``services = NAME`` gets its awscli/boto3 endpoint
        from that section: say so when it is not the profile's endpoint."""
        from s3env.integrations.writers import ini_edit

        text = texts.get(ctx.aws_config) or ""
        out: list[str] = []
        for profile in ctx.profiles:
            name = profile.extra.get("services")
            if name is None or not profile.endpoint_url:
                continue
            values = ini_edit.section_values(text, f"services {name}", str(ctx.aws_config)) or {}
            block = values.get("s3")
            there = block.get("endpoint_url") if isinstance(block, dict) else None
            if there != profile.endpoint_url:
                out.append(
                    f"awscli and boto3 read profile '{profile.name}''s endpoint from your [services {name}] "
                    f"({there or 'none there'}), not {profile.endpoint_url}: edit it there, or run "
                    f"'s3env profile set {profile.name} extra.services=' to let s3env write its own"
                )
        return out
