"""Provider presets (`s3env.core.providers`): the data is consistent, the two functions behave."""

from __future__ import annotations

import string
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3env.core.errors import InvalidValue, UnknownProvider, UsageError
from s3env.core.model import ADDRESSING_STYLES, new_profile, validate_endpoint_url, validate_region
from s3env.core.providers import PROVIDERS, Provider, get_provider

REQUIRED = ("aws", "minio", "ceph", "r2", "oss", "cos", "gcs", "b2", "wasabi")
ALL = list(PROVIDERS.values())
TEMPLATED = [p for p in ALL if p.endpoint_template is not None]
REGIONAL = [p for p in ALL if p.endpoint_template and "{region}" in p.endpoint_template]
DERIVABLE_WITH_DEFAULT = [p for p in ALL if not p.needs_endpoint() and p.default_region is not None]

# One DNS label: what a region must be to sit inside a host name.
LABELS = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True)
# Characters that would change the URL's meaning or break the host if spliced in.
BAD_CHARS = st.sampled_from(list("/?#@:. _\\%\t\n\x00\u00e9\u200b"))


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def by_name(providers: list[Provider]) -> list[pytest.param]:
    return [pytest.param(p, id=p.name) for p in providers]


# --- the table itself -------------------------------------------------------------------


def test_required_presets_present_and_aws_first() -> None:
    assert set(REQUIRED) <= set(PROVIDERS)
    assert next(iter(PROVIDERS)) == "aws"
    for key, preset in PROVIDERS.items():
        assert key == preset.name == preset.name.lower()


@pytest.mark.parametrize("preset", by_name(ALL))
def test_fields_are_well_formed(preset: Provider) -> None:
    assert preset.addressing_style in ADDRESSING_STYLES
    assert preset.title.strip() == preset.title != ""
    assert urlsplit(preset.docs_url).scheme == "https" and urlsplit(preset.docs_url).hostname
    for note in (preset.region_note, preset.endpoint_note):
        # One sentence on one line: the notes end up in a table and in one-line errors.
        assert note.strip() == note and note.endswith(".") and "\n" not in note
    if preset.default_region is not None:
        assert validate_region(preset.default_region) == preset.default_region
    if preset.example_region is not None:
        assert validate_region(preset.example_region) == preset.example_region


@pytest.mark.parametrize("preset", by_name(TEMPLATED))
def test_templates_use_only_known_placeholders(preset: Provider) -> None:
    assert preset.endpoint_template is not None
    assert placeholders(preset.endpoint_template) <= {"region", "account_id"}


@pytest.mark.parametrize("preset", by_name(TEMPLATED))
def test_every_template_is_an_https_url_once_filled(preset: Provider) -> None:
    assert preset.endpoint_template is not None
    filled = preset.endpoint_template.format(region="us-east-1", account_id="0123456789abcdef")
    parts = urlsplit(filled)
    assert parts.scheme == "https"
    assert parts.hostname and "." in parts.hostname
    assert parts.path in ("", "/") and not parts.query and not parts.fragment
    assert validate_endpoint_url(filled) == filled  # the profile model accepts it as-is


@pytest.mark.parametrize("preset", by_name(ALL))
def test_needs_endpoint_matches_the_template(preset: Provider) -> None:
    template = preset.endpoint_template
    if template is None:
        assert preset.needs_endpoint() == preset.self_hosted
    else:
        assert not preset.self_hosted
        assert preset.needs_endpoint() == ("account_id" in placeholders(template))


def test_only_aws_relies_on_aws_endpoint_resolution() -> None:
    aws_like = [p.name for p in ALL if p.endpoint_template is None and not p.self_hosted]
    assert aws_like == ["aws"]
    assert get_provider("aws").endpoint_for(None) is None
    assert get_provider("aws").endpoint_for("eu-west-1") is None


# --- researched facts, pinned (sources in the module docstring) ---------------------------


@pytest.mark.parametrize(
    ("name", "region", "endpoint", "style"),
    [
        ("oss", "cn-hangzhou", "https://s3.oss-cn-hangzhou.aliyuncs.com", "virtual"),
        ("cos", "ap-guangzhou", "https://cos.ap-guangzhou.myqcloud.com", "virtual"),
        ("b2", "us-west-004", "https://s3.us-west-004.backblazeb2.com", "auto"),
        ("wasabi", None, "https://s3.us-east-1.wasabisys.com", "path"),
        ("wasabi", "eu-central-2", "https://s3.eu-central-2.wasabisys.com", "path"),
        ("gcs", None, "https://storage.googleapis.com", "auto"),
        ("gcs", "europe-west1", "https://storage.googleapis.com", "auto"),
        ("digitalocean", "fra1", "https://fra1.digitaloceanspaces.com", "virtual"),
        ("scaleway", "nl-ams", "https://s3.nl-ams.scw.cloud", "auto"),
    ],
)
def test_documented_endpoints(name: str, region: str | None, endpoint: str, style: str) -> None:
    preset = get_provider(name)
    assert preset.endpoint_for(region) == endpoint
    assert preset.addressing_style == style


def test_documented_region_and_style_conventions() -> None:
    assert get_provider("r2").default_region == "auto"
    assert get_provider("gcs").default_region == "auto"
    for self_hosted in ("minio", "ceph", "seaweedfs"):
        preset = get_provider(self_hosted)
        assert (preset.addressing_style, preset.default_region) == ("path", "us-east-1")
    # Services that refuse path-style requests must not be left to botocore's "auto", which
    # picks path style for any custom endpoint.
    assert {p.name for p in ALL if p.addressing_style == "virtual"} >= {"oss", "cos"}


# --- endpoint_for ------------------------------------------------------------------------


@pytest.mark.parametrize("preset", by_name(REGIONAL))
@given(region=LABELS)
def test_regional_endpoint_contains_the_region(preset: Provider, region: str) -> None:
    template = preset.endpoint_template
    assert template is not None
    url = preset.endpoint_for(region)
    assert url == template.format(region=region)
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.hostname is not None and region in parts.hostname
    # The region stays inside its label: it adds no host labels, no port, no path.
    assert parts.hostname.count(".") == urlsplit(template).netloc.count(".")
    assert parts.port is None and parts.path == ""
    assert validate_endpoint_url(url) == url


@pytest.mark.parametrize("preset", by_name(REGIONAL))
@given(prefix=LABELS, bad=BAD_CHARS, suffix=st.text(max_size=5))
def test_region_that_is_not_a_host_label_is_refused(
    preset: Provider, prefix: str, bad: str, suffix: str
) -> None:
    region = prefix + bad + suffix
    with pytest.raises(InvalidValue) as excinfo:
        preset.endpoint_for(region)
    message = str(excinfo.value)
    assert "\n" not in message and "--endpoint-url" in message
    assert isinstance(excinfo.value, UsageError)


@pytest.mark.parametrize("preset", by_name(REGIONAL))
def test_region_label_edges(preset: Provider) -> None:
    for bad in ("-leading", "trailing-", "x" * 64, "a..b", "a.b"):
        with pytest.raises(InvalidValue):
            preset.endpoint_for(bad)
    assert preset.endpoint_for("x" * 63) is not None
    assert preset.endpoint_for("EU-West-1") is not None  # DNS is case-insensitive


@pytest.mark.parametrize("preset", by_name(DERIVABLE_WITH_DEFAULT))
def test_default_region_fills_the_endpoint(preset: Provider) -> None:
    if preset.endpoint_template is None:  # aws
        assert preset.endpoint_for(None) is None
        return
    assert preset.endpoint_for(None) == preset.endpoint_for(preset.default_region)
    assert preset.endpoint_for("") == preset.endpoint_for(None)


@pytest.mark.parametrize("preset", by_name([p for p in REGIONAL if p.default_region is None]))
def test_missing_region_asks_for_region_or_endpoint(preset: Provider) -> None:
    with pytest.raises(InvalidValue) as excinfo:
        preset.endpoint_for(None)
    message = str(excinfo.value)
    assert "\n" not in message
    assert "--region" in message and "--endpoint-url" in message and "<REGION>" in message
    assert preset.example_region is not None and preset.example_region in message


@pytest.mark.parametrize("preset", by_name([p for p in ALL if p.needs_endpoint()]))
@given(region=st.none() | LABELS)
def test_underivable_endpoint_says_what_to_give(preset: Provider, region: str | None) -> None:
    with pytest.raises(InvalidValue) as excinfo:
        preset.endpoint_for(region)
    message = str(excinfo.value)
    assert "\n" not in message and "--endpoint-url" in message
    assert f"'{preset.name}'" in message
    if preset.endpoint_template is not None:
        assert "<ACCOUNT_ID>" in message and "{" not in message
    else:
        assert "http://" in message or "https://" in message  # an example URL


def test_r2_error_shows_the_endpoint_shape() -> None:
    with pytest.raises(InvalidValue, match=r"https://<ACCOUNT_ID>\.r2\.cloudflarestorage\.com"):
        get_provider("r2").endpoint_for(None)


# --- get_provider ------------------------------------------------------------------------


@given(name=st.sampled_from(list(PROVIDERS)), data=st.data())
def test_lookup_is_case_insensitive(name: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    variant = "".join(c.upper() if flip else c for c, flip in zip(name, flips, strict=True))
    assert get_provider(variant) is PROVIDERS[name]
    assert get_provider(f" {variant}\t") is PROVIDERS[name]


@given(name=st.text(max_size=20).filter(lambda s: s.strip().lower() not in PROVIDERS))
def test_unknown_provider_lists_known_names(name: str) -> None:
    with pytest.raises(UnknownProvider) as excinfo:
        get_provider(name)
    message = str(excinfo.value)
    assert message.startswith("unknown provider ")
    assert message.endswith(f"(known: {', '.join(PROVIDERS)})")
    assert "\n" not in message  # even when the name holds a newline: it is shown as a repr
    assert isinstance(excinfo.value, UsageError)


def test_unknown_provider_exact_message() -> None:
    with pytest.raises(UnknownProvider) as excinfo:
        get_provider("s4")
    assert str(excinfo.value) == f"unknown provider 's4' (known: {', '.join(PROVIDERS)})"
    assert str(excinfo.value).startswith("unknown provider 's4' (known: aws, minio, ceph, ")


# --- how the profile model uses a preset ---------------------------------------------------


def test_preset_fills_what_the_user_left_out() -> None:
    profile = new_profile("o", provider="OSS", region="cn-shanghai")
    assert (profile.provider, profile.endpoint_url, profile.addressing_style) == (
        "oss",
        "https://s3.oss-cn-shanghai.aliyuncs.com",
        "virtual",
    )
    r2 = new_profile("r", provider="r2", endpoint_url="https://abc123.r2.cloudflarestorage.com")
    assert (r2.region, r2.addressing_style) == ("auto", "auto")
    explicit = new_profile("m", provider="minio", endpoint_url="http://h:1", addressing_style="virtual")
    assert (explicit.addressing_style, explicit.region) == ("virtual", "us-east-1")
    with pytest.raises(InvalidValue, match="--endpoint-url"):
        new_profile("m2", provider="minio")


# --- docs/providers.md mirrors the data ----------------------------------------------------


def test_docs_table_matches_presets() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "providers.md").read_text(encoding="utf-8")
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    cells = [[c.strip() for c in row.strip("|").split(" | ")] for row in rows]
    assert [c[0].strip("`") for c in cells] == list(PROVIDERS)
    for c in cells:
        preset = PROVIDERS[c[0].strip("`")]
        assert c[1] == preset.title
        if preset.endpoint_template is None:
            assert ("--endpoint-url" in c[2]) == preset.self_hosted
        else:
            assert c[2] == f"`{preset.endpoint_template}`"
        assert c[3] == f"`{preset.addressing_style}`"
        assert c[4] == (f"`{preset.default_region}`" if preset.default_region else "none: give `--region`")
        assert c[-1].endswith(f"({preset.docs_url})")
