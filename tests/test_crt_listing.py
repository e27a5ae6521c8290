"""The CRT engine's ListObjectsV2 (engine/crt_listing.py) against botocore's.

The listing of a wildcard on the CRT engine parses S3's answer itself (no botocore import on a
download's path).  The parsed page must be what botocore's own parser and its url-decoding
handler make of the same bytes: checked here on generated answers (hypothesis: any keys,
prefixes, sizes, times, with and without encoding and S3's namespace), and against real
servers, where ``ls``/``du`` on each engine print the same bytes as s5cmd (test_shim_listing.py
runs its whole suite on both engines; this adds hostile keys and more than one page).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from s3env.shim.boto3.engine.crt_listing import list_query, parse_list_objects_v2
from tests.conftest import Shim, s3_client, unique_bucket

NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"


def botocore_page(body: bytes, encoded: bool) -> dict[str, Any]:
    """What botocore's paginator yields for this answer: its rest-xml parser, then the handler
    that url-decodes what it asked to have encoded."""
    import botocore.session
    from botocore.handlers import decode_list_object_v2
    from botocore.parsers import create_parser

    model = botocore.session.get_session().get_service_model("s3").operation_model("ListObjectsV2")
    parsed = create_parser("rest-xml").parse(
        {"body": body, "headers": {}, "status_code": 200}, model.output_shape
    )
    decode_list_object_v2(parsed, context={"encoding_type_auto_set": encoded})
    parsed.pop("ResponseMetadata", None)
    return parsed


# XML 1.0 cannot carry most control characters: with encoding-type=url S3 sends them encoded.
key_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
moments = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1), timezones=st.just(dt.UTC)
).map(lambda m: m.replace(microsecond=m.microsecond // 1000 * 1000))


def answer(
    keys: list[tuple[str, int, dt.datetime, str]], prefixes: list[str], encoded: bool, namespaced: bool
) -> bytes:
    def text(value: str) -> str:
        return escape(quote_plus(value, safe="/") if encoded else value)

    parts = [f'<ListBucketResult xmlns="{NAMESPACE}">' if namespaced else "<ListBucketResult>"]
    parts.append(f"<Name>b</Name><Prefix></Prefix><KeyCount>{len(keys)}</KeyCount>")
    if encoded:
        parts.append("<EncodingType>url</EncodingType>")
    parts.append("<IsTruncated>true</IsTruncated><NextContinuationToken>t0k+/=</NextContinuationToken>")
    for key, size, moment, storage in keys:
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        parts.append(
            f"<Contents><Key>{text(key)}</Key><LastModified>{stamp}</LastModified>"
            f"<ETag>&quot;{size:032x}&quot;</ETag><Size>{size}</Size>"
            f"<StorageClass>{storage}</StorageClass></Contents>"
        )
    for prefix in prefixes:
        parts.append(f"<CommonPrefixes><Prefix>{text(prefix)}</Prefix></CommonPrefixes>")
    parts.append("</ListBucketResult>")
    return "".join(parts).encode("utf-8")


FIELDS = ("Contents", "CommonPrefixes", "IsTruncated", "NextContinuationToken", "KeyCount")


@settings(max_examples=150, deadline=None)
@given(
    keys=st.lists(
        st.tuples(
            key_text,
            st.integers(0, 2**50),
            moments,
            st.sampled_from(["STANDARD", "GLACIER", "INTELLIGENT_TIERING"]),
        ),
        max_size=8,
    ),
    prefixes=st.lists(key_text, max_size=4),
    namespaced=st.booleans(),
)
def test_a_page_is_what_botocore_makes_of_it(
    keys: list[tuple[str, int, dt.datetime, str]], prefixes: list[str], namespaced: bool
) -> None:
    # unencoded, XML carries only what it can: the same characters botocore would then see
    printable = [k for k in keys if k[0].isprintable()]
    for encoded, chosen in ((True, keys), (False, printable)):
        body = answer(
            chosen, prefixes if encoded else [p for p in prefixes if p.isprintable()], encoded, namespaced
        )
        mine, theirs = parse_list_objects_v2(body), botocore_page(body, encoded)
        for field in FIELDS:
            assert mine.get(field) == theirs.get(field), field
        for item in mine.get("Contents", []):
            assert item["LastModified"].utcoffset() == dt.timedelta(0)


def test_the_query_is_botocores() -> None:
    assert list_query("a b/ü+", "/", "t0k+/=") == (
        "list-type=2&prefix=a%20b%2F%C3%BC%2B&encoding-type=url&delimiter=%2F&continuation-token=t0k%2B%2F%3D"
    )


HOSTILE = [
    "plain.txt",
    "sp ace/a+b.txt",
    "ünï/cødé.txt",
    "percent%20not-a-space",
    "amp&<lt>'quote\".txt",
    "tab\there",
    "nl\nline",
    "trailing-dot.",
    "deep/" * 8 + "leaf",
    "~tilde/!$'()*,;=:@",
]


def test_ls_and_du_on_both_engines_as_s5cmd(shim: Shim) -> None:
    bucket = unique_bucket("crtls")
    client = s3_client(shim.server)
    client.create_bucket(Bucket=bucket)
    stored = []
    for key in HOSTILE:
        try:
            client.put_object(Bucket=bucket, Key=key, Body=key.encode())
        except Exception:  # a server that refuses a key name: not listed, then
            continue
        stored.append(key)
    assert len(stored) >= 8, stored
    for args in (
        ["ls", f"s3://{bucket}/*"],
        ["--json", "ls", f"s3://{bucket}/*"],
        ["ls", f"s3://{bucket}/"],
        ["ls", "-e", "-s", f"s3://{bucket}/sp ace/"],
        ["du", "-H", f"s3://{bucket}/*"],
        ["ls", f"s3://{bucket}/ünï/*"],
    ):
        reference = shim("s5cmd", *args)
        for engine in ("crt", "botocore"):
            got = shim("boto3", *args, engine=engine)
            assert (got.returncode, got.stdout, got.stderr) == (
                reference.returncode,
                reference.stdout,
                reference.stderr,
            ), (engine, args)
    listed = shim("boto3", "ls", f"s3://{bucket}/*", engine="crt").stdout.decode()
    assert listed.count("\n") >= len(stored)  # every key, its own line (a key's newline adds one)


def test_a_key_xml_cannot_carry_is_listed_on_both_engines(shim: Shim) -> None:
    """DIFFERENCE: s5cmd asks for no encoding, and Go's XML parser refuses the answer ("illegal
    character code U+0001"); both engines ask for ``encoding-type=url`` and list the key."""
    bucket = unique_bucket("crtctl")
    client = s3_client(shim.server)
    client.create_bucket(Bucket=bucket)
    try:
        client.put_object(Bucket=bucket, Key="ctrl\x01char", Body=b"1")
    except Exception as exc:  # SeaweedFS refuses the name
        pytest.skip(f"this server refuses the key: {exc}")
    outputs = {
        engine: shim("boto3", "--json", "ls", f"s3://{bucket}/*", engine=engine)
        for engine in ("crt", "botocore")
    }
    assert outputs["crt"].stdout == outputs["botocore"].stdout
    assert outputs["crt"].returncode == 0 and b"ctrl\\u0001char" in outputs["crt"].stdout
