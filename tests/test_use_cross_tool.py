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

from s3env.devserver import MotoServer
from tests.conftest import BIN, RunS3env, Sandbox, s3_client, unique_bucket
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
