"""The shared fixtures later tests rely on: two moto servers at once, each its own world."""

from __future__ import annotations

from devtools.devserver import MotoServer
from tests.conftest import s3_client, unique_bucket


def test_two_moto_servers_are_independent(moto_pair: tuple[MotoServer, MotoServer]) -> None:
    a, b = moto_pair
    assert a.port != b.port
    bucket = unique_bucket("only-a")
    s3_client(a).create_bucket(Bucket=bucket)
    assert bucket in {x["Name"] for x in s3_client(a).list_buckets()["Buckets"]}
    assert bucket not in {x["Name"] for x in s3_client(b).list_buckets()["Buckets"]}
