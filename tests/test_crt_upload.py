"""The CRT engine's single PUT of a file (engine/crt_upload.py), read by the CRT itself from
``/proc/self/fd/N``, against moto: the bytes of the file s3env opened, exactly as many as it had
then (growth is not sent), a file that shrank fails in the words of the botocore engine and
leaves no object; and where the system has no such path, the Python body (FilePart) does the
same."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devtools.devserver import MotoServer
from s3env.shim.boto3.engine import crt_upload
from s3env.shim.boto3.errors import message_of
from s3env.shim.boto3.tasks import run_to_end
from tests.conftest import s3_client, unique_bucket
from tests.test_crt_download import crt_context

pytest.importorskip("awscrt.s3")
pytestmark = pytest.mark.usefixtures("sandbox")


@pytest.fixture(params=["reopened", "python body"])
def body_source(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a file's bytes reach a single PUT on the CRT."""
    if request.param == "python body":
        monkeypatch.setattr(crt_upload, "reopen_path", lambda _fd: None)
    else:
        assert crt_upload.reopen_path(0) == "/proc/self/fd/0"  # (the path the CRT is given)
    return request.param


def put(url: str, bucket: str, key: str, fd: int, size: int, path: str) -> None:
    ctx = crt_context(url)
    run_to_end(ctx.engine.upload(bucket, key, fd, size, path, 50 << 20, 5, {"ContentType": "x/y"}))


def test_the_opened_file_is_sent_even_if_renamed_or_replaced(
    moto: MotoServer, tmp_path: Path, body_source: str
) -> None:
    bucket = unique_bucket("crtput")
    s3_client(moto).create_bucket(Bucket=bucket)
    path = tmp_path / "f"
    path.write_bytes(b"opened bytes")
    fd = os.open(path, os.O_RDONLY)
    try:
        os.rename(path, tmp_path / "moved")
        path.write_bytes(b"another file at the path")
        put(moto.url, bucket, "k", fd, 12, str(path))
    finally:
        os.close(fd)
    answer = s3_client(moto).get_object(Bucket=bucket, Key="k")
    assert answer["Body"].read() == b"opened bytes"
    assert answer["ContentType"] == "x/y"


def test_what_the_file_grew_by_is_not_sent(moto: MotoServer, tmp_path: Path, body_source: str) -> None:
    bucket = unique_bucket("crtput")
    s3_client(moto).create_bucket(Bucket=bucket)
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    fd = os.open(path, os.O_RDONLY)
    try:
        with open(path, "ab") as grow:
            grow.write(b"more")
        put(moto.url, bucket, "k", fd, 10, str(path))
    finally:
        os.close(fd)
    assert s3_client(moto).get_object(Bucket=bucket, Key="k")["Body"].read() == b"0123456789"


def test_a_file_that_shrank_fails_as_shrunk_and_leaves_no_object(
    moto: MotoServer, tmp_path: Path, body_source: str
) -> None:
    bucket = unique_bucket("crtput")
    s3_client(moto).create_bucket(Bucket=bucket)
    path = tmp_path / "f"
    path.write_bytes(b"0123456789" * 100)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.truncate(path, 3)
        with pytest.raises(Exception) as failed:
            put(moto.url, bucket, "k", fd, 1000, "f")
    finally:
        os.close(fd)
    assert message_of(failed.value) == "f shrank during the upload: it ends at byte 3, before byte 1000"
    assert s3_client(moto).list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
