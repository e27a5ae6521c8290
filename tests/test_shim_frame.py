"""The shim's frame: global options, backend choice, and how s5cmd is invoked."""

from __future__ import annotations

import pytest

from s3env.core.errors import UsageError
from s3env.core.model import Profile
from s3env.shim.base import ShimRequest
from s3env.shim.frame import is_shim_invocation, split_global_options
from s3env.shim.registry import resolve_backend
from s3env.shim.s5cmd import find_s5cmd, s5cmd_argv, s5cmd_env
from tests.conftest import RunS3env

PROFILE = Profile(
    "p",
    endpoint_url="http://127.0.0.1:9",
    region="eu-west-1",
    addressing_style="virtual",
    access_key_id="AKID",
    secret_access_key="TOP-SECRET-VALUE",
    session_token="TOKEN-VALUE",
)


def test_global_options_come_before_the_command() -> None:
    options, rest = split_global_options(
        [
            "-p",
            "prod",
            "--backend=boto3",
            "--json",
            "--dry-run",
            "--numworkers",
            "8",
            "ls",
            "--json",
            "s3://b",
        ]
    )
    assert options == {"profile": "prod", "backend": "boto3", "json": True, "dry_run": True, "numworkers": 8}
    assert rest == ["ls", "--json", "s3://b"]  # after the command, options belong to it


@pytest.mark.parametrize("args", [["--numworkers", "0", "ls"], ["--numworkers", "x", "ls"], ["--profile"]])
def test_bad_global_options(args: list[str]) -> None:
    with pytest.raises(UsageError):
        split_global_options(args)


@pytest.mark.parametrize(
    ("args", "shim"),
    [
        (["ls"], True),
        (["--json", "cp", "a", "b"], True),
        (["profile", "list"], False),
        (["env"], False),
        (["-p", "x", "sync", "a", "b"], True),
        ([], False),
        (["--version"], False),
    ],
)
def test_which_invocations_are_the_shim(args: list[str], shim: bool) -> None:
    assert is_shim_invocation(args) is shim


def test_backend_resolution_order() -> None:
    assert resolve_backend("boto3", {"S3ENV_BACKEND": "s5cmd"}) == ("boto3", "--backend")
    assert resolve_backend(None, {"S3ENV_BACKEND": "boto3"}) == ("boto3", "S3ENV_BACKEND")
    name, why = resolve_backend(None, {})
    assert (name, why) == (
        ("s5cmd", "auto: s5cmd is installed") if find_s5cmd() else ("boto3", "auto: s5cmd is not installed")
    )
    with pytest.raises(UsageError, match="unknown backend"):
        resolve_backend("rclone", {})


def test_s5cmd_gets_keys_through_its_environment_never_argv() -> None:
    request = ShimRequest(
        command="ls",
        args=["s3://b/*"],
        profile=PROFILE,
        json=True,
        numworkers=4,
        base_env={"PATH": "/bin", "AWS_PROFILE": "stale", "AWS_ENDPOINT_URL": "http://stale"},
    )
    argv = s5cmd_argv("/bin/s5cmd", request)
    assert argv == [
        "/bin/s5cmd",
        "--json",
        "--numworkers",
        "4",
        "--addressing-style=virtual",
        "ls",
        "s3://b/*",
    ]
    assert not any("SECRET" in a or "TOKEN" in a or "AKID" in a for a in argv)
    env = s5cmd_env(request)
    assert env["AWS_SECRET_ACCESS_KEY"] == "TOP-SECRET-VALUE" and env["AWS_SESSION_TOKEN"] == "TOKEN-VALUE"
    assert env["S3_ENDPOINT_URL"] == "http://127.0.0.1:9" and env["AWS_REGION"] == "eu-west-1"
    assert "AWS_PROFILE" not in env and env["PATH"] == "/bin"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"  # the stale one is overridden


def test_shim_without_a_profile_is_one_line(run_s3env: RunS3env) -> None:
    result = run_s3env("ls")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "s3env: error: no active profile: pass --profile NAME or run 's3env use NAME' first"
    ]


def test_unknown_backend_is_a_usage_error(run_s3env: RunS3env) -> None:
    run_s3env("profile", "add", "x", "--endpoint-url", "http://127.0.0.1:9")
    result = run_s3env("--backend", "rclone", "-p", "x", "ls")
    assert result.returncode == 2 and "unknown backend" in result.stderr
