"""After `s3env use NAME`, awscli, boto3, s5cmd and megfile all reach NAME's endpoint.

Two moto servers on two ports; a bucket that exists only on one of them proves which server
each real tool reached.  Switching to a profile without an endpoint (AWS) is checked with a
loopback proxy that records the host each tool asked for: nothing leaves the machine.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.devserver import MotoServer
from tests.conftest import BIN, RunS3env, Sandbox, s3_client, unique_bucket
from tests.faultproxy import FaultProxy
from tests.proxyrecorder import ProxyRecorder

AWS = str(BIN / "aws")
S5CMD = str(BIN / "s5cmd")
MEGFILE = str(BIN / "megfile")

BOTO3_LIST = "import boto3; print(sorted(b['Name'] for b in boto3.client('s3').list_buckets()['Buckets']))"
MEGFILE_READ = (
    "import sys; from megfile import smart_open\n"
    "with smart_open(sys.argv[1], 'rb') as f: print(f.read().decode())"
)


@pytest.fixture
def two_servers(
    moto_pair: tuple[MotoServer, MotoServer],
) -> Iterator[tuple[MotoServer, MotoServer, str, str]]:
    a, b = moto_pair
    only_a, only_b = unique_bucket("only-a"), unique_bucket("only-b")
    s3_client(a).create_bucket(Bucket=only_a)
    s3_client(a).put_object(Bucket=only_a, Key="marker.txt", Body=b"server A")
    s3_client(b).create_bucket(Bucket=only_b)
    s3_client(b).put_object(Bucket=only_b, Key="marker.txt", Body=b"server B")
    yield a, b, only_a, only_b


def add_profile(run_s3env: RunS3env, name: str, *args: str) -> None:
    result = run_s3env(
        "profile",
        "add",
        name,
        "--access-key-id",
        f"AK{name}",
        "--secret-stdin",
        *args,
        input=f"secret-of-{name}\n",
    )
    assert result.returncode == 0, result.stderr


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=90, cwd=cwd)


def env_file_command(sandbox: Sandbox, command: str) -> list[str]:
    """Run ``command`` in sh after sourcing the store's pre-rendered POSIX env file."""
    return ["sh", "-c", f'. "$S3ENV_HOME/env/active.sh" && {command}']


def assert_all_tools_reach(sandbox: Sandbox, bucket: str, marker: str, absent: str) -> None:
    env, cwd = sandbox.env, sandbox.root
    aws = run([AWS, "s3", "ls"], env, cwd)
    assert aws.returncode == 0, aws.stderr
    assert bucket in aws.stdout and absent not in aws.stdout

    boto = run([sys.executable, "-c", BOTO3_LIST], env, cwd)
    assert boto.returncode == 0, boto.stderr
    assert bucket in boto.stdout and absent not in boto.stdout

    s5 = run(env_file_command(sandbox, f"{S5CMD} ls"), env, cwd)
    assert s5.returncode == 0, s5.stderr
    assert bucket in s5.stdout and absent not in s5.stdout

    meg = run([MEGFILE, "ls", f"s3://{bucket}/"], env, cwd)
    assert meg.returncode == 0, meg.stdout + meg.stderr
    assert "marker.txt" in meg.stdout

    opened = run([sys.executable, "-c", MEGFILE_READ, f"s3://{bucket}/marker.txt"], env, cwd)
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.strip() == marker

    # The same tools with the env file sourced (AWS_PROFILE etc. set) agree.
    for command in (f"{AWS} s3 ls", f'{sys.executable} -c "{BOTO3_LIST}"', f"{MEGFILE} ls s3://{bucket}/"):
        result = run(env_file_command(sandbox, command), env, cwd)
        assert result.returncode == 0, (command, result.stderr)
        assert (bucket in result.stdout or "marker.txt" in result.stdout) and absent not in result.stdout


def test_use_switches_every_tool_between_two_servers(
    run_s3env: RunS3env, sandbox: Sandbox, two_servers: tuple[MotoServer, MotoServer, str, str]
) -> None:
    a, b, only_a, only_b = two_servers
    add_profile(
        run_s3env, "a", "--endpoint-url", a.url, "--region", "us-east-1", "--addressing-style", "path"
    )
    add_profile(run_s3env, "b", "--endpoint-url", b.url, "--region", "eu-west-1", "--provider", "minio")

    result = run_s3env("use", "a")
    assert result.returncode == 0, result.stderr
    assert_all_tools_reach(sandbox, only_a, "server A", absent=only_b)
    # megfile's alias b:// reaches profile b's server whatever profile is active.
    aliased = run([MEGFILE, "cat", f"b://{only_b}/marker.txt"], sandbox.env, sandbox.root)
    assert aliased.returncode == 0, aliased.stderr
    assert aliased.stdout == "server B"

    result = run_s3env("use", "b")
    assert result.returncode == 0, result.stderr
    assert_all_tools_reach(sandbox, only_b, "server B", absent=only_a)
    assert run_s3env("use").stdout.strip() == "b"


def test_switching_to_an_aws_profile_leaves_no_tool_on_the_old_endpoint(
    run_s3env: RunS3env, sandbox: Sandbox, two_servers: tuple[MotoServer, MotoServer, str, str]
) -> None:
    a, _b, only_a, _ = two_servers
    add_profile(run_s3env, "custom", "--endpoint-url", a.url, "--region", "us-east-1")
    add_profile(run_s3env, "awsprof", "--region", "us-west-2")
    assert run_s3env("use", "custom").returncode == 0
    assert run_s3env("use", "awsprof").returncode == 0

    proxy = ProxyRecorder()
    try:
        env = dict(
            sandbox.env,
            HTTPS_PROXY=proxy.url,
            https_proxy=proxy.url,
            NO_PROXY="",
            no_proxy="",
            # The proxy refuses every request: fail at once instead of retrying with backoff.
            AWS_MAX_ATTEMPTS="1",
            AWS_RETRY_MODE="standard",
            MEGFILE_MAX_RETRY_TIMES="1",
        )
        cwd = sandbox.root
        tools = {
            "aws": [AWS, "s3", "ls", "--cli-read-timeout", "5", "--cli-connect-timeout", "5"],
            "boto3": [sys.executable, "-c", BOTO3_LIST],
            "s5cmd": env_file_command(sandbox, f"{S5CMD} --retry-count 0 ls"),
            "megfile": [MEGFILE, "ls", f"s3://{only_a}/"],
        }
        for tool, cmd in tools.items():
            before = len(proxy.requests)
            result = run(cmd, env, cwd)
            assert result.returncode != 0, (tool, result.stdout)  # the proxy refuses: AWS was the target
            assert only_a not in result.stdout and "marker.txt" not in result.stdout, tool
            hosts = proxy.hosts()[before:]
            assert hosts, (tool, result.stderr)
            assert all(h.endswith(".amazonaws.com") for h in hosts), (tool, hosts)
    finally:
        proxy.close()

    # And nothing that selects an endpoint is left behind for s5cmd.
    env_sh = (sandbox.store / "env" / "active.sh").read_text()
    assert "unset S3_ENDPOINT_URL" in env_sh and "unset AWS_ENDPOINT_URL_S3" in env_sh
    assert a.url not in sandbox.aws_config.read_text().split("[default]")[1].split("\n[")[0]


CHECKSUM_HEADERS = ("x-amz-sdk-checksum-algorithm", "x-amz-trailer")


def upload_heads(proxy: FaultProxy, bucket: str) -> dict[str, list[str]]:
    """Per uploaded key: the checksum headers its PUT carried."""
    return {
        line.split()[1].rsplit("/", 1)[-1].split("?")[0]: sorted(
            h for h in headers if h.startswith("x-amz-checksum-") or h in CHECKSUM_HEADERS
        )
        for line, headers in proxy.request_heads()
        if line.startswith(f"PUT /{bucket}/")
    }


@pytest.mark.parametrize("asked", [None, "when_supported"])
def test_uploads_carry_no_checksums_to_a_custom_endpoint_unless_asked(
    run_s3env: RunS3env, sandbox: Sandbox, moto: MotoServer, tmp_path: Path, asked: str | None
) -> None:
    """boto3/awscli 1.36+ checksum every upload, which many S3-compatible stores refuse; s5cmd
    and megfile send none.  After `s3env use`, no tool sends one to a custom endpoint, unless the
    profile asks for them (then awscli and boto3 do)."""
    proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, record_up=True)
    bucket = unique_bucket("cksum")
    s3_client(moto).create_bucket(Bucket=bucket)
    add_profile(run_s3env, "store", "--endpoint-url", proxy.url, "--addressing-style", "path")
    if asked:
        ok = run_s3env("profile", "set", "store", f"extra.request_checksum_calculation={asked}")
        assert ok.returncode == 0, ok.stderr
    assert run_s3env("use", "store").returncode == 0
    (tmp_path / "f.txt").write_text("payload\n")
    env, cwd = sandbox.env, tmp_path
    try:
        uploads = {
            "aws-s3-cp": [AWS, "s3", "cp", "f.txt", f"s3://{bucket}/aws-s3-cp"],
            "aws-s3api": [
                AWS,
                "s3api",
                "put-object",
                "--bucket",
                bucket,
                "--key",
                "aws-s3api",
                "--body",
                "f.txt",
            ],
            "boto3": [
                sys.executable,
                "-c",
                "import boto3, sys\n"
                "boto3.client('s3').put_object(Bucket=sys.argv[1], Key='boto3', Body=b'payload')",
                bucket,
            ],
            "megfile": [MEGFILE, "cp", "f.txt", f"s3://{bucket}/megfile"],
            "s5cmd": env_file_command(sandbox, f"{S5CMD} cp f.txt s3://{bucket}/s5cmd"),
        }
        for name, argv in uploads.items():
            result = run(argv, env, cwd)
            assert result.returncode == 0, (name, result.stderr)
        heads = upload_heads(proxy, bucket)
    finally:
        proxy.close()
    assert heads.keys() == uploads.keys()
    assert heads["s5cmd"] == []  # s5cmd never sends one
    assert heads["megfile"] == []  # megfile pins when_required in its own client config
    for name in ("aws-s3-cp", "aws-s3api", "boto3"):
        if asked:
            assert "x-amz-sdk-checksum-algorithm" in heads[name], (name, heads[name])
        else:
            assert heads[name] == [], (name, heads[name])
    for name in uploads:
        got = s3_client(moto).get_object(Bucket=bucket, Key=name)["Body"].read()
        assert got == b"payload\n" or (name == "boto3" and got == b"payload"), name
