"""The profile: what it holds, what a valid one looks like, and its stable JSON shape.

Pure: no file, keyring or network access here, so every rule is tested directly.
"""

from __future__ import annotations

from s3env.core.errors import InvalidProfileName, InvalidValue

TYPE_CHECKING = False  # the start-up budget: tests/test_import_budget.py
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Literal

    AddressingStyle = Literal["auto", "path", "virtual"]
ADDRESSING_STYLES: tuple[str, ...] = ("auto", "path", "virtual")
#: How tools get the keys: "file" puts them in ~/.aws/credentials, "process" writes
#: ``credential_process = s3env credential-process NAME`` so keys never sit in a plain file.
CREDENTIAL_MODES: tuple[str, ...] = ("file", "process")

NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
# The checks below are hand-written, without ``re`` (the start-up budget); tests/test_model_checks.py
# holds them against the regexes they replace.
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_NAME_REST = _ALNUM | frozenset("_.-")
_HEX_OR_IP6 = frozenset("0123456789ABCDEFabcdef:.")
_HOST_CHARS = _ALNUM | frozenset("_.~%-")
_SCHEME_REST = _ALNUM | frozenset("+.-")


def _is_token(text: object, first: frozenset[str], rest: frozenset[str], longest: int) -> bool:
    """``first rest{0,longest-1}`` and nothing more, as ``re.match(r"[first][rest]{0,n}\\Z")``."""
    return (
        isinstance(text, str)
        and 0 < len(text) <= longest
        and text[0] in first
        and all(c in rest for c in text[1:])
    )


def is_profile_name(text: object) -> bool:
    return _is_token(text, _ALNUM, _NAME_REST, 64)


def _is_region(text: str) -> bool:
    return _is_token(text, _ALNUM, _NAME_REST, 64)


def _is_extra_key(text: str) -> bool:
    return _is_token(text, _NAME_REST - frozenset(".-"), _NAME_REST, 64)


# Characters no INI line can carry as botocore reads it back (line breaks of every kind that
# configparser or str.splitlines honour, NUL): a value holding one is refused before it is stored.
_LINE_BREAKS = frozenset("\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def ini_safe(value: str) -> bool:
    """True when botocore reads ``key = value`` back as exactly ``value``."""
    return value == value.strip() and not any(c in _LINE_BREAKS for c in value)


def _is_utf8(value: str) -> bool:
    """False for text holding lone surrogates (undecodable bytes read with surrogateescape)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_key_id(text: str) -> bool:
    # An access key id is an opaque token, but it ends up on an INI line and in env files:
    # printable ASCII without whitespace keeps it exact everywhere.
    return 0 < len(text) <= 256 and all("\x21" <= c <= "\x7e" for c in text)


SECRET_FIELDS: tuple[str, ...] = ("secret_access_key", "session_token")
#: Keys of the AWS files that hold secrets: never in ``extra`` (which sits in plain profiles.toml
#: and the 0644 config file), only in the secret store.
SECRET_INI_KEYS: frozenset[str] = frozenset(
    ("aws_secret_access_key", "aws_session_token", "aws_security_token")
)
#: Keys the AWS writer sets from the profile's own fields: ``extra`` cannot hold them too.
MODELLED_INI_KEYS: dict[str, str] = {
    "region": "region",
    "s3": "endpoint_url / addressing_style / extra.s3.NAME",
    "s3.endpoint_url": "endpoint_url",
    "s3.addressing_style": "addressing_style",
    "aws_access_key_id": "access_key_id",
}
# Settings that `profile set KEY=VALUE` may change; secrets are deliberately absent:
# they never come from argv.
SETTABLE_FIELDS: tuple[str, ...] = (
    "endpoint_url",
    "region",
    "addressing_style",
    "provider",
    "access_key_id",
    "credentials",
)


_FIELDS: tuple[str, ...] = (
    "name",
    "endpoint_url",
    "region",
    "addressing_style",
    "provider",
    "access_key_id",
    "credentials",
    "secret_access_key",
    "session_token",
    "extra",
)


class Profile:
    """One named S3 target.  ``endpoint_url=None`` means AWS's own endpoints.

    Immutable by convention (``replace`` returns a copy).  A plain class rather than a
    dataclass: importing dataclasses (and inspect) would cost ``s3env env`` ~15 ms.
    Secrets never appear in ``repr``, so they stay out of tracebacks and logs.
    """

    __slots__ = _FIELDS

    def __init__(
        self,
        name: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        addressing_style: str = "auto",
        provider: str | None = None,
        access_key_id: str | None = None,
        credentials: str = "file",
        secret_access_key: str | None = None,
        session_token: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.endpoint_url = endpoint_url
        self.region = region
        self.addressing_style = addressing_style
        self.provider = provider
        self.access_key_id = access_key_id
        self.credentials = credentials
        self.secret_access_key = secret_access_key
        self.session_token = session_token
        self.extra: Mapping[str, str] = dict(extra or {})

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in _FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Profile):
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable mapping inside: not hashable

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f}={getattr(self, f)!r}" for f in _FIELDS if f not in ("secret_access_key", "session_token")
        )
        return f"Profile({shown})"

    def replace(self, **changes: Any) -> Profile:
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise TypeError(f"unknown Profile field(s): {', '.join(sorted(unknown))}")
        values = {f: getattr(self, f) for f in _FIELDS}
        values.update(changes)
        return Profile(**values)

    def without_secrets(self) -> Profile:
        return self.replace(secret_access_key=None, session_token=None)

    @property
    def secrets(self) -> dict[str, str | None]:
        return {"secret_access_key": self.secret_access_key, "session_token": self.session_token}

    def validate(self) -> Profile:
        """Check every field; return self so it chains.  Raises a UsageError subclass."""
        validate_name(self.name)
        if self.endpoint_url is not None:
            validate_endpoint_url(self.endpoint_url)
        if self.region is not None:
            validate_region(self.region)
        validate_addressing_style(self.addressing_style)
        validate_credentials_mode(self.credentials)
        if self.access_key_id is not None:
            validate_access_key_id(self.access_key_id)
        for secret_field in SECRET_FIELDS:
            value = getattr(self, secret_field)
            if value is not None:
                validate_secret(secret_field, value)
        for key, value in self.extra.items():
            validate_extra(key, value)
        if self.credentials == "process" and "credential_process" in self.extra:
            raise InvalidValue(
                "credentials = process writes s3env's own credential_process, "
                "but extra.credential_process is set too: keep one"
            )
        return self


# boto3 and awscli 1.36+ add CRC32 checksums to every upload (aws-chunked with a trailer over
# https), which many S3-compatible stores refuse or mis-verify (OVH, Backblaze B2, Huawei OBS,
# older Ceph and MinIO …: boto3#4392); s5cmd and megfile send none.  A profile with its own
# endpoint asks only for the checksums an operation requires, as boto3 did before 1.36.
CHECKSUM_SETTINGS: tuple[str, ...] = ("request_checksum_calculation", "response_checksum_validation")


def checksum_settings(profile: Profile) -> dict[str, str]:
    """botocore's checksum settings for the profile: ``when_required`` with a custom endpoint,
    botocore's own defaults (nothing) for AWS; an extra setting of the same name wins
    (``s3env profile set X extra.request_checksum_calculation=when_supported``)."""
    settings = dict.fromkeys(CHECKSUM_SETTINGS, "when_required") if profile.endpoint_url else {}
    for key in CHECKSUM_SETTINGS:
        if key in profile.extra:
            settings[key] = profile.extra[key]
    return settings


def validate_name(name: str) -> str:
    if not is_profile_name(name):
        shown = name if isinstance(name, str) and name.isprintable() and len(name) <= 80 else repr(name)[:80]
        raise InvalidProfileName(
            f"invalid profile name {shown!r}: use 1-64 characters from A-Z a-z 0-9 _ . -, "
            "starting with a letter or digit"
        )
    return name


def split_url(url: str) -> tuple[str, str, str, str] | None:
    """(scheme, netloc, path, rest): ``scheme://netloc[/path][?…|#…]``, or None.

    No urllib and no ``re``: this runs on every store read."""
    colon = url.find(":")
    scheme = url[:colon]
    if (
        colon < 1
        or url[colon : colon + 3] != "://"
        or not _is_token(scheme, _ALNUM - set("0123456789"), _SCHEME_REST, len(scheme))
    ):
        return None
    remainder = url[colon + 3 :]
    stops = [i for i in (remainder.find(c) for c in "/?#") if i >= 0]
    end = min(stops) if stops else len(remainder)
    netloc, remainder = remainder[:end], remainder[end:]
    stops = [i for i in (remainder.find(c) for c in "?#") if i >= 0]
    end = min(stops) if stops else len(remainder)
    return scheme, netloc, remainder[:end], remainder[end:]


def _is_host(host: str) -> bool:
    if host.startswith("[") and host.endswith("]") and len(host) > 2:
        return all(c in _HEX_OR_IP6 for c in host[1:-1])
    return bool(host) and all(c in _HOST_CHARS for c in host)


def validate_endpoint_url(url: str) -> str:
    if not url or url != url.strip() or any(c.isspace() or not c.isprintable() for c in url):
        raise InvalidValue("invalid endpoint URL: it must not be empty or contain whitespace")
    parts = split_url(url)
    if parts is None or parts[0].lower() not in ("http", "https"):
        raise InvalidValue(
            f"invalid endpoint URL {mask_url(url)!r}: the scheme must be http or https, "
            "e.g. https://s3.example.com"
        )
    _scheme, netloc, _path, rest = parts
    if "@" in netloc:
        # Never echo it: the user part is probably a key.
        raise InvalidValue(
            "invalid endpoint URL: it carries credentials (user:secret@); give keys with "
            "--access-key-id and --secret-stdin instead"
        )
    host, port = netloc, None
    if not netloc.endswith("]") and ":" in netloc:
        host, port = netloc.rsplit(":", 1)
    if not host:
        raise InvalidValue(f"invalid endpoint URL {url!r}: it has no host")
    if not _is_host(host):
        raise InvalidValue(f"invalid endpoint URL {url!r}: {host!r} is not a host name or address")
    if port is not None and (not port.isdigit() or not 0 <= int(port) <= 65535):
        raise InvalidValue(f"invalid endpoint URL {url!r}: port out of range 0-65535")
    if rest:
        raise InvalidValue(f"invalid endpoint URL {url!r}: it must not have a query or fragment")
    return url


def validate_region(region: str) -> str:
    if not _is_region(region):
        raise InvalidValue(
            f"invalid region {region!r}: use letters, digits, '-', '_' or '.' (e.g. us-east-1)"
        )
    return region


def validate_addressing_style(style: str) -> str:
    if style not in ADDRESSING_STYLES:
        raise InvalidValue(
            f"invalid addressing style {style!r}: choose one of {', '.join(ADDRESSING_STYLES)}"
        )
    return style


def validate_credentials_mode(mode: str) -> str:
    if mode not in CREDENTIAL_MODES:
        raise InvalidValue(f"invalid credentials mode {mode!r}: choose one of {', '.join(CREDENTIAL_MODES)}")
    return mode


def validate_access_key_id(key_id: str) -> str:
    if not _is_key_id(key_id):
        raise InvalidValue("invalid access key id: use 1-256 printable ASCII characters without spaces")
    return key_id


def validate_secret(field_name: str, value: str) -> str:
    # Never include the value in a message.
    what = field_name.replace("_", " ")
    if not isinstance(value, str):
        raise InvalidValue(f"the {what} must be text")
    if value == "":
        raise InvalidValue(f"the {what} is empty")
    if "\0" in value:
        raise InvalidValue(f"the {what} contains a NUL character")
    if not _is_utf8(value):
        raise InvalidValue(f"the {what} is not valid UTF-8")
    return value


def split_extra_key(key: str) -> tuple[str, str | None]:
    """``block.sub`` names key ``sub`` of the nested ``block =`` section (``s3.max_concurrent_requests``);
    a key without a dot is a top-level key of the profile's config section."""
    block, dot, sub = key.partition(".")
    return (block, sub) if dot else (key, None)


def validate_extra(key: str, value: str) -> None:
    """An ``extra`` setting: a key s3env writes verbatim into the profile's ``~/.aws/config`` section.

    Never a secret (they belong in the secret store), never a key s3env writes from a field of its
    own, and only what one INI line carries exactly.  Messages name the key, never the value."""
    if not isinstance(key, str) or not _is_extra_key(key):
        shown = key if isinstance(key, str) and key.isprintable() and len(key) <= 80 else "?"
        raise InvalidValue(
            f"invalid extra setting name {shown!r}: use letters, digits, '_', '.' or '-' "
            "(at most 64, starting with a letter, digit or '_')"
        )
    block, sub = split_extra_key(key)
    if block != block.lower():
        raise InvalidValue(f"invalid extra setting name {key!r}: botocore reads keys in lower case")
    if sub is not None and (not sub or sub[0] in ".-"):
        raise InvalidValue(
            f"invalid extra setting name {key!r}: expected BLOCK.KEY, e.g. s3.max_concurrent_requests"
        )
    if block in SECRET_INI_KEYS or (sub or "").lower() in SECRET_INI_KEYS:
        raise InvalidValue(
            f"extra.{key} would hold a secret in plain text; secrets go in the secret store: "
            "pipe them to 's3env profile set NAME --secret-stdin [--access-key-id ID]'"
        )
    if key in MODELLED_INI_KEYS:
        raise InvalidValue(f"extra.{key} is written by s3env itself: set {MODELLED_INI_KEYS[key]} instead")
    if not isinstance(value, str):
        raise InvalidValue(f"the value of extra.{key} must be text")
    if not ini_safe(value) or not _is_utf8(value):
        raise InvalidValue(
            f"the value of extra.{key} cannot be written to an INI file as it is "
            "(a line break, NUL, invalid UTF-8, or leading/trailing whitespace)"
        )


def mask_urls_in(text: str) -> str:
    """``text`` with every URL in it passed through :func:`mask_url` (messages, details)."""
    if "@" not in text:
        return text
    import re  # only for text that holds an '@'

    return re.sub(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"']+", lambda m: mask_url(m.group()), text)


def mask_url(url: str) -> str:
    """``url`` with any ``user:secret@`` part replaced by ``****@``: for every place a URL is shown."""
    scheme_end = url.find("://")
    start = scheme_end + 3 if scheme_end >= 0 else 0
    stops = [i for i in (url.find(c, start) for c in "/?#") if i >= 0]
    end = min(stops) if stops else len(url)
    at = url.rfind("@", start, end)
    if at < 0:
        return url
    return url[:start] + "****" + url[at:]


def mask_secret(value: str | None) -> str | None:
    """Show only the last 4 characters, and nothing of a short secret."""
    if value is None:
        return None
    if len(value) < 12:
        return "****"
    return "****" + value[-4:]


def apply_setting(profile: Profile, key: str, value: str) -> Profile:
    """``profile set KEY=VALUE``: one change, validated.  An empty value clears the setting."""
    if key in SECRET_FIELDS:
        raise InvalidValue(
            f"'{key}' cannot be set from the command line (secrets never go in argv); "
            f"pipe it to 's3env profile set {profile.name} --secret-stdin'"
        )
    if key.startswith("extra."):
        block, sub = split_extra_key(key[len("extra.") :])
        # botocore lower-cases the keys of a section (not those of a nested block)
        extra_key = block.lower() if sub is None else f"{block.lower()}.{sub}"
        extra = dict(profile.extra)
        if value == "":
            extra.pop(extra_key, None)
        else:
            validate_extra(extra_key, value)
            extra[extra_key] = value
        return profile.replace(extra=extra)
    if key not in SETTABLE_FIELDS:
        raise InvalidValue(
            f"unknown setting {key!r}: choose one of {', '.join(SETTABLE_FIELDS)}, or extra.NAME"
        )
    if key == "addressing_style":
        return profile.replace(addressing_style=validate_addressing_style(value or "auto"))
    if key == "credentials":
        return profile.replace(credentials=validate_credentials_mode(value or "file"))
    if value == "":
        return profile.replace(**{key: None})
    if key == "endpoint_url":
        validate_endpoint_url(value)
    elif key == "region":
        validate_region(value)
    elif key == "access_key_id":
        validate_access_key_id(value)
    elif key == "provider":
        from s3env.core.providers import get_provider

        value = get_provider(value).name
    return profile.replace(**{key: value})


def profile_to_json(
    profile: Profile, *, active: bool = False, include_secrets: bool = True
) -> dict[str, Any]:
    """The documented, stable JSON shape of ``profile show --json`` (and, without secrets, ``list``)."""
    data: dict[str, Any] = {
        "name": profile.name,
        "active": active,
        "endpoint_url": profile.endpoint_url,
        "region": profile.region,
        "addressing_style": profile.addressing_style,
        "provider": profile.provider,
        "access_key_id": profile.access_key_id,
        "credentials": profile.credentials,
    }
    if include_secrets:
        data["secret_access_key"] = mask_secret(profile.secret_access_key)
        data["session_token"] = mask_secret(profile.session_token)
    data["extra"] = dict(sorted(profile.extra.items()))
    return data


def closest_name(name: str, candidates: list[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {c.lower(): c for c in candidates}
    return lowered.get(name.lower())


def _preset_fill(
    provider: str, endpoint_url: str | None, region: str | None, addressing_style: str | None
) -> tuple[str, str | None, str | None, str | None]:
    """A provider preset fills what is not set: (provider, endpoint_url, region, addressing_style)."""
    from s3env.core.providers import get_provider

    preset = get_provider(provider)
    region = region or preset.default_region
    if endpoint_url is None:
        endpoint_url = preset.endpoint_for(region)
    return preset.name, endpoint_url, region, addressing_style or preset.addressing_style


def new_profile(
    name: str,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    addressing_style: str | None = None,
    provider: str | None = None,
    access_key_id: str | None = None,
    credentials: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> Profile:
    """A validated profile from user options; a provider preset fills what was not given."""
    validate_name(name)
    if provider is not None:
        provider, endpoint_url, region, addressing_style = _preset_fill(
            provider, endpoint_url, region, addressing_style
        )
    return Profile(
        name=name,
        endpoint_url=endpoint_url,
        region=region,
        addressing_style=addressing_style or "auto",
        provider=provider,
        access_key_id=access_key_id,
        credentials=credentials or "file",
        secret_access_key=secret_access_key,
        session_token=session_token,
        extra=dict(extra or {}),
    ).validate()


def update_profile(
    profile: Profile,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    addressing_style: str | None = None,
    provider: str | None = None,
    access_key_id: str | None = None,
    credentials: str | None = None,
) -> Profile:
    """``profile add NAME --force`` over an existing profile: only the options given change (keys
    and ``extra`` stay); a provider preset fills only what neither the options nor the profile set."""
    endpoint_url = endpoint_url if endpoint_url is not None else profile.endpoint_url
    region = region or profile.region
    if addressing_style is None and profile.addressing_style != "auto":
        addressing_style = profile.addressing_style
    if provider is not None:
        provider, endpoint_url, region, addressing_style = _preset_fill(
            provider, endpoint_url, region, addressing_style
        )
    return profile.replace(
        endpoint_url=endpoint_url,
        region=region,
        addressing_style=addressing_style or "auto",
        provider=provider or profile.provider,
        access_key_id=access_key_id or profile.access_key_id,
        credentials=credentials or profile.credentials,
    ).validate()


def parse_secret_lines(text: str) -> tuple[str, str | None]:
    """``--secret-stdin``: line 1 is the secret key, an optional line 2 the session token.

    Only the line terminator is removed: other whitespace is part of the secret.
    """
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if not lines or lines[0] == "":
        raise InvalidValue("no secret key on standard input (expected it on the first line)")
    if len(lines) > 2:
        raise InvalidValue("expected at most two lines on standard input: the secret key and a session token")
    token = lines[1] if len(lines) == 2 and lines[1] != "" else None
    return lines[0], token
