"""``s3env import aws``: every profile of the AWS shared files, with every key it has.

The endpoint may sit in three places and tools disagree about which they read (see
docs/tools.md).  The importer takes, in order: the ``[services …]`` section the profile
names (what awscli/boto3 use), its nested ``s3 = endpoint_url`` (what megfile uses), its
top-level ``endpoint_url``; after import, ``s3env use`` writes the endpoint where each tool
reads it.

Everything else a profile holds — SSO settings, role chains, MFA, ``credential_process``,
``output``, ``ca_bundle``, ``services``, nested ``s3 =`` transfer settings, keys s3env has
never heard of — goes into the profile's ``extra``, verbatim and in file order, so ``s3env
use`` writes it back as it was.  A profile with something s3env cannot carry (a secret under
another name, a value spanning lines, an endpoint s3env would have to change) is not taken:
the candidate says why and the import skips it.
"""

from __future__ import annotations

from collections.abc import Mapping

from s3env.core.errors import S3envError
from s3env.core.model import (
    ADDRESSING_STYLES,
    MODELLED_INI_KEYS,
    SECRET_INI_KEYS,
    Profile,
    mask_url,
    validate_extra,
)
from s3env.integrations.importers.base import Candidate, normalize_endpoint, profile_name
from s3env.store.fileguard import read_regular_text

#: The keys of a credentials-file section that s3env models (the rest cannot be carried there).
CREDENTIAL_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
#: what a nested ``s3 =`` block of the credentials file may hold to be taken (`megfile config s3`)
MEGFILE_S3_KEYS = frozenset({"endpoint_url", "addressing_style"})

Values = Mapping[str, "str | dict[str, str]"]


class _Uncarryable(Exception):
    """A key s3env could not write back as it is: the profile is left to the user."""


def _profile_sections(text: str, path: str, kind: str) -> tuple[dict[str, str], dict[str, str]]:
    """(profile name -> header, services name -> header), last look-alike winning as in botocore."""
    from s3env.core import ini

    profiles: dict[str, str] = {}
    services: dict[str, str] = {}
    for section in ini.parse(text, path).sections:
        if section.header == ini.DEFAULT_SECTION:
            continue
        what, name = ini.section_identity(section.header, kind)
        if kind == "credentials" or what == "profile":
            profiles[name] = section.header
        elif what == "services":
            services[name] = section.header
    return profiles, services


def _values(text: str | None, header: str | None, path: str, kind: str) -> Values:
    from s3env.core import ini

    if text is None or header is None:
        return {}
    return ini.section_values(text, header, path, kind=kind) or {}


def _nested(values: Values, key: str) -> Mapping[str, str]:
    value = values.get(key)
    return value if isinstance(value, dict) else {}


def _carry(config: Values) -> dict[str, str]:
    """The config keys s3env does not model, as ``extra`` (``block.key`` inside a nested block)."""
    extra: dict[str, str] = {}
    for key, value in config.items():
        if key == "region" or key in CREDENTIAL_KEYS:  # the profile's own fields
            continue
        if key in SECRET_INI_KEYS:
            raise _Uncarryable(f"'{key}' holds a secret under a name s3env does not store")
        if isinstance(value, dict):
            if not value:
                raise _Uncarryable(f"'{key} =' is an empty nested block")
            for sub, sub_value in value.items():
                if f"{key}.{sub}" in MODELLED_INI_KEYS:  # s3.endpoint_url, s3.addressing_style
                    continue
                _check_extra(f"{key}.{sub}", sub_value)
                extra[f"{key}.{sub}"] = sub_value
        elif key == "s3":
            raise _Uncarryable("'s3' is not a nested block")
        else:
            _check_extra(key, value)
            extra[key] = value
    return extra


def _check_extra(key: str, value: str) -> None:
    if "\n" in value:
        raise _Uncarryable(f"the value of '{key}' spans several lines")
    try:
        validate_extra(key, value)
    except S3envError:
        raise _Uncarryable(f"'{key}' cannot be written back as it is") from None


def _endpoint(
    config: Values, creds: Values, services: Mapping[str, Values], services_headers: Mapping[str, str]
) -> tuple[str | None, list[tuple[str, str]]]:
    """The endpoint s3env takes and every place one was found: [(where, url)]."""
    found: list[tuple[str, str]] = []
    services_name = config.get("services")
    if isinstance(services_name, str) and services_name in services_headers:
        url = _nested(services[services_name], "s3").get("endpoint_url")
        if url:
            found.append((f"[{services_headers[services_name]}]", url))
    nested = _nested(config, "s3").get("endpoint_url") or _nested(creds, "s3").get("endpoint_url")
    if nested:
        found.append(("nested s3 = endpoint_url", nested))
    top = config.get("endpoint_url")
    if isinstance(top, str) and top:
        found.append(("endpoint_url", top))
    return (normalize_endpoint(found[0][1]) if found else None), found


def candidates_from_texts(
    config_text: str | None,
    credentials_text: str | None,
    config_path: str,
    credentials_path: str,
) -> list[Candidate]:
    """Pure: one candidate per profile of the AWS files, each with a skip reason or none, and the
    sections it came from (``importing`` leaves out s3env's own and adopts the user's)."""
    from s3env.core import ini

    config_headers, services_headers = (
        _profile_sections(config_text, config_path, "config") if config_text else ({}, {})
    )
    creds_headers, _ = (
        _profile_sections(credentials_text, credentials_path, "credentials") if credentials_text else ({}, {})
    )
    services: dict[str, Values] = {
        name: ini.section_values(config_text or "", header, config_path) or {}
        for name, header in services_headers.items()
    }
    out: list[Candidate] = []
    taken: set[str] = set()
    for raw_name in dict.fromkeys([*config_headers, *creds_headers]):
        config_header = config_headers.get(raw_name)
        creds_header = creds_headers.get(raw_name)
        config = _values(config_text, config_header, config_path, "config")
        creds = _values(credentials_text, creds_header, credentials_path, "credentials")
        where = (
            f"{config_path} [{config_header}]" if config_header else f"{credentials_path} [{creds_header}]"
        )
        name = profile_name(raw_name)
        notes: list[str] = []
        if raw_name == "default":
            name = "aws-default"
            notes.append(
                "imported as 'aws-default'; your [default] sections stay yours (see use --take-default)"
            )
        elif name != raw_name:
            notes.append(f"renamed from {raw_name!r} (not a valid s3env name); your section stays yours")
        endpoint, found = _endpoint(config, creds, services, services_headers)
        if len({v for _, v in found}) > 1:
            notes.append(
                "endpoints disagree: "
                + ", ".join(f"{w} = {mask_url(v)}" for w, v in found)
                + f"; took {found[0][0]}"
            )
        style = _nested(config, "s3").get("addressing_style") or _nested(creds, "s3").get("addressing_style")
        key_id = creds.get("aws_access_key_id") or config.get("aws_access_key_id")
        secret = creds.get("aws_secret_access_key") or config.get("aws_secret_access_key")
        token = creds.get("aws_session_token") or config.get("aws_session_token")
        skip: str | None = None
        extra: dict[str, str] = {}
        # `megfile config s3 -e URL` writes a nested s3 = endpoint_url into the credentials
        # file: the endpoint (and addressing style) s3env models, nothing else, is taken.
        creds_s3 = creds.get("s3")
        megfile_block = isinstance(creds_s3, dict) and bool(creds_s3) and set(creds_s3) <= MEGFILE_S3_KEYS
        try:
            unknown = [k for k in creds if k not in CREDENTIAL_KEYS and not (k == "s3" and megfile_block)]
            if unknown:
                raise _Uncarryable(f"{credentials_path} [{creds_header}] has {', '.join(sorted(unknown))}")
            if any(not isinstance(v, str) or "\n" in v for v in (key_id, secret, token) if v is not None):
                raise _Uncarryable("its keys are not single-line values")
            extra = _carry(config)
            if style is not None and style not in ADDRESSING_STYLES:
                raise _Uncarryable("'s3.addressing_style' is not auto, path or virtual")
        except _Uncarryable as why:
            skip = f"s3env cannot carry it: {why}; left as yours"
        blocker: str | None = None
        nested_url = _nested(config, "s3").get("endpoint_url")
        if config_header and config_header != f"profile {raw_name}":
            blocker = f"its header is spelled [{config_header}], not [profile {raw_name}]"
        elif nested_url and normalize_endpoint(nested_url) != endpoint:
            blocker = "its endpoints disagree and s3env would have to change one (make them agree)"
        elif megfile_block:
            blocker = f"{credentials_path} [{creds_header}] has an 's3 =' block s3env would not keep in step"
        sections = [(config_path, config_header)] if config_header else []
        sections += [(credentials_path, creds_header)] if creds_header else []
        if name in taken and skip is None:
            skip = f"another profile here is also named {name!r}"
        taken.add(name)
        profile = Profile(
            name=name,
            endpoint_url=endpoint,
            region=config.get("region") if isinstance(config.get("region"), str) else None,  # type: ignore[arg-type]
            addressing_style=style if style in ("path", "virtual") else "auto",
            access_key_id=key_id if isinstance(key_id, str) else None,
            secret_access_key=secret if key_id and isinstance(secret, str) else None,
            session_token=token if key_id and isinstance(token, str) else None,
            extra=extra,
        )
        out.append(
            Candidate(
                profile,
                where,
                notes,
                sections,
                adoptable=raw_name != "default" and name == raw_name,
                adopt_blocker=blocker,
                skip=skip,
            )
        )
    return out


def read(env: Mapping[str, str]) -> list[Candidate]:
    from s3env.core import ini
    from s3env.store.paths import aws_config_file, aws_credentials_file

    config_path, creds_path = str(aws_config_file(env)), str(aws_credentials_file(env))
    texts: dict[str, str | None] = {}
    for path, kind in ((config_path, "config"), (creds_path, "credentials")):
        texts[path] = read_regular_text(path)
        if texts[path] is not None:  # botocore's own refusals, with file and line
            ini.validate(texts[path] or "", path, kind)
    return candidates_from_texts(texts[config_path], texts[creds_path], config_path, creds_path)
