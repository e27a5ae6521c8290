"""Choosing the boto3 backend's transfer engine (``S3ENV_ENGINE``), and what each one needs.

An import made impossible in the command's process (a package of that name first on
PYTHONPATH that raises ImportError) shows what a path never imports: the CRT engine uploads a
directory, a glob and a multipart file without botocore; without awscrt (a platform without
its wheel) the default falls back to botocore, and ``S3ENV_ENGINE=crt`` fails with one line.
Which engine sent the requests is seen on the wire (test_shim_robustness.py: User-Agent).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from devtools.devserver import MotoServer
from tests.conftest import S3ENV, Sandbox, make_shim, s3_client, unique_bucket

MIB = 1024 * 1024


def blocked(root: Path, package: str) -> str:
    """A directory for PYTHONPATH where importing ``package`` fails."""
    (root / package).mkdir(parents=True)
    (root / package / "__init__.py").write_text(f'raise ImportError("{package} is not installed here")\n')
    return str(root)


@pytest.fixture
def work(sandbox: Sandbox, moto: MotoServer, tmp_path: Path) -> tuple[Path, str]:
    """(working directory with dir/ and big.bin, bucket) for the profile "shim"."""
    make_shim(sandbox, moto)
    bucket = unique_bucket("engine")
    s3_client(moto).create_bucket(Bucket=bucket)
    cwd = tmp_path / "work"
    (cwd / "dir" / "sub").mkdir(parents=True)
    (cwd / "dir" / "a.txt").write_bytes(b"alpha")
    (cwd / "dir" / "sub" / "b.txt").write_bytes(b"bravo")
    (cwd / "big.bin").write_bytes(os.urandom(11 * MIB + 17))
    return cwd, bucket


def run(sandbox: Sandbox, cwd: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [S3ENV, "--backend", "boto3", "-p", "shim", *argv],
        env={**sandbox.env, **env},
        cwd=cwd,
        capture_output=True,
        timeout=120,
    )


def objects(moto: MotoServer, bucket: str) -> dict[str, bytes]:
    client = s3_client(moto)
    listing = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listing}


def test_crt_uploads_never_import_botocore(
    sandbox: Sandbox, moto: MotoServer, work: tuple[Path, str], tmp_path: Path
) -> None:
    cwd, bucket = work
    env = {"S3ENV_ENGINE": "crt", "PYTHONPATH": blocked(tmp_path / "no-botocore", "botocore")}
    for argv in (
        ["cp", "dir/", f"s3://{bucket}/d/"],
        ["cp", "dir/*", f"s3://{bucket}/g/"],
        ["cp", "-p", "5", "big.bin", f"s3://{bucket}/big.bin"],
        # the control: sync lists its destination (botocore), so the block is real
        ["sync", "dir/", f"s3://{bucket}/s/"],
    ):
        result = run(sandbox, cwd, env, *argv)
        if argv[0] == "sync":
            assert result.returncode == 1 and b"ImportError" in result.stderr, result
            continue
        assert result.returncode == 0 and result.stderr == b"", (argv, result.stderr)
    stored = objects(moto, bucket)
    assert stored["big.bin"] == (cwd / "big.bin").read_bytes()
    for prefix in ("d/", "g/"):
        assert stored[f"{prefix}a.txt"] == b"alpha" and stored[f"{prefix}sub/b.txt"] == b"bravo"


def test_without_awscrt_the_default_is_botocore_and_crt_is_refused(
    sandbox: Sandbox, moto: MotoServer, work: tuple[Path, str], tmp_path: Path
) -> None:
    cwd, bucket = work
    no_crt = blocked(tmp_path / "no-awscrt", "awscrt")
    result = run(sandbox, cwd, {"PYTHONPATH": no_crt}, "cp", "-p", "5", "big.bin", f"s3://{bucket}/big.bin")
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    result = run(
        sandbox, cwd, {"PYTHONPATH": no_crt, "S3ENV_ENGINE": "crt"}, "cp", "dir/", f"s3://{bucket}/c/"
    )
    assert (result.returncode, result.stdout) == (1, b"")
    assert result.stderr == (
        b"s3env: error: S3ENV_ENGINE=crt, but awscrt cannot be imported here (pip install awscrt)\n"
    )
    assert sorted(objects(moto, bucket)) == ["big.bin"]


def test_an_unknown_engine_is_a_usage_error(sandbox: Sandbox, work: tuple[Path, str]) -> None:
    cwd, bucket = work
    result = run(sandbox, cwd, {"S3ENV_ENGINE": "bogus"}, "cp", "dir/", f"s3://{bucket}/x/")
    assert (result.returncode, result.stdout) == (2, b"")
    assert (
        result.stderr == b"s3env: error: unknown engine 'bogus' (S3ENV_ENGINE): choose one of crt, botocore\n"
    )


def test_a_profile_without_keys_takes_botocores_credentials_on_both_engines(
    sandbox: Sandbox, moto: MotoServer, work: tuple[Path, str]
) -> None:
    """No keys in the profile: the CRT signs with what botocore's chain finds (here the
    environment's keys); nothing anywhere: the same one line on both engines."""
    import s3env

    cwd, bucket = work
    s3env.open_store().add(
        s3env.Profile("nokeys", endpoint_url=moto.url, region="us-east-1", addressing_style="path")
    )
    keys = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    for engine in ("crt", "botocore"):
        argv = [S3ENV, "--backend", "boto3", "-p", "nokeys", "cp", "dir/a.txt", f"s3://{bucket}/{engine}.txt"]
        for env, status in ((keys, 0), ({}, 1)):
            result = subprocess.run(
                argv,
                env={**sandbox.env, **env, "S3ENV_ENGINE": engine},
                cwd=cwd,
                capture_output=True,
                timeout=60,
            )
            assert result.returncode == status, (engine, result.stderr)
            if status:
                command = f"cp dir/a.txt s3://{bucket}/{engine}.txt"
                assert result.stderr == f'ERROR "{command}": Unable to locate credentials\n'.encode(), engine
    assert objects(moto, bucket) == {"crt.txt": b"alpha", "botocore.txt": b"alpha"}


def test_a_proxy_variable_keeps_the_crt_out_by_default(
    sandbox: Sandbox, moto: MotoServer, work: tuple[Path, str]
) -> None:
    """awscrt follows HTTP_PROXY and its kin by itself, not by Go's rules (s5cmd never proxies
    a loopback endpoint): with one set, the default is botocore, which goes direct here."""
    cwd, bucket = work
    dead = {"http_proxy": "http://127.0.0.1:9"}
    result = run(sandbox, cwd, dead, "cp", "dir/a.txt", f"s3://{bucket}/a.txt")
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    assert sorted(objects(moto, bucket)) == ["a.txt"]
