"""The native S3 server the shim tests run against: SeaweedFS, reachable with boto3, one world each."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.devserver import MotoServer, start_seaweedfs
from tests.conftest import s3_client, unique_bucket


def test_seaweedfs_bucket_put_get_list(seaweedfs: MotoServer) -> None:
    client = s3_client(seaweedfs)
    bucket = unique_bucket("sw")
    client.create_bucket(Bucket=bucket)
    body = bytes(range(256)) * 64
    client.put_object(Bucket=bucket, Key="dir/one.bin", Body=body)
    client.put_object(Bucket=bucket, Key="two.txt", Body=b"two")
    assert client.get_object(Bucket=bucket, Key="dir/one.bin")["Body"].read() == body
    listed = client.list_objects_v2(Bucket=bucket)
    assert {o["Key"]: o["Size"] for o in listed["Contents"]} == {"dir/one.bin": len(body), "two.txt": 3}
    assert bucket in {b["Name"] for b in client.list_buckets()["Buckets"]}
    # The readiness probe cleaned up after itself.
    assert not [b["Name"] for b in client.list_buckets()["Buckets"] if b["Name"].startswith("s3env-probe")]


def test_two_seaweedfs_servers_are_independent_and_clean_up(tmp_path: Path) -> None:
    a = start_seaweedfs(tmp_path)
    try:
        b = start_seaweedfs(tmp_path)
        try:
            assert a.port != b.port
            bucket = unique_bucket("only-a")
            s3_client(a).create_bucket(Bucket=bucket)
            s3_client(a).put_object(Bucket=bucket, Key="k", Body=b"a")
            assert bucket in {x["Name"] for x in s3_client(a).list_buckets()["Buckets"]}
            assert bucket not in {x["Name"] for x in s3_client(b).list_buckets()["Buckets"]}
        finally:
            b.stop()
        assert b.process.poll() is not None
        # a is untouched by b going away.
        assert s3_client(a).get_object(Bucket=bucket, Key="k")["Body"].read() == b"a"
    finally:
        a.stop()
    # Only logs remain (one per attempt): each data directory went with its server.
    left = list(tmp_path.iterdir())
    assert left and all(p.is_file() and p.suffix == ".log" for p in left), left
    assert a.log_path in left and b.log_path in left


def test_seaweedfs_has_no_reset(seaweedfs: MotoServer) -> None:
    with pytest.raises(NotImplementedError):
        seaweedfs.reset()
