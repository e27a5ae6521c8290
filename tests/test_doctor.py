"""`s3env doctor` and bare `s3env`: each problem is set up for real and must be found."""

from __future__ import annotations

import json
import os

import pytest

from s3env.devserver import MotoServer
from tests.conftest import RunS3env, Sandbox


@pytest.fixture
def active(run_s3env: RunS3env, moto: MotoServer) -> str:
    result = run_s3env(
        "profile",
        "add",
        "lab",
        "--endpoint-url",
        moto.url,
        "--region",
        "us-east-1",
        "--access-key-id",
        "test",
        "--secret-stdin",
        input="test\n",
    )
    assert result.returncode == 0, result.stderr
    assert run_s3env("use", "lab").returncode == 0
    return moto.url


def switched_env(run_s3env: RunS3env) -> dict[str, str | None]:
    """The environment `eval "$(s3env env)"` gives, as overrides for run_s3env."""
    return json.loads(run_s3env("env", "--shell", "json").stdout)


def doctor(run_s3env: RunS3env, env: dict[str, str | None], *args: str) -> tuple[int, dict]:
    result = run_s3env("doctor", "--json", *args, env=env)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def codes(report: dict) -> set[str]:
    return {p["code"] for p in report["problems"]}


def test_all_well_when_the_shell_follows_the_active_profile(run_s3env: RunS3env, active: str) -> None:
    status, report = doctor(run_s3env, switched_env(run_s3env))
    assert (status, report["problems"]) == (0, [])
    assert report["profile"] == "lab" and report["expected_endpoint_url"] == active
    for tool in ("awscli", "boto3", "s5cmd", "megfile"):
        entry = report["tools"][tool]
        assert set(entry) >= {"profile", "endpoint_url", "region", "credential_source", "decided_by"}
        assert entry["endpoint_url"] == active, tool
        assert entry["profile"] == "lab"
    assert report["tools"]["boto3"]["credential_source"] == "credentials file [lab]"
    assert report["store"]["secret_store"] == "file" and report["store"]["secrets_in_plain_text"] is True
    assert all(f["parses"] for f in report["files"])


def test_without_the_shell_env_s5cmd_goes_to_aws(run_s3env: RunS3env, active: str) -> None:
    status, report = doctor(run_s3env, {})
    assert status == 1
    assert "s5cmd-wrong-endpoint" in codes(report)
    assert report["tools"]["s5cmd"]["endpoint_url"] is None  # null: AWS's own endpoint
    assert report["tools"]["boto3"]["endpoint_url"] == active  # [default] is s3env's: no env needed


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"AWS_DEFAULT_PROFILE": "other"}, "profile-vars-disagree"),
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:1"}, "endpoint-vars-disagree"),
        ({"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1"}, "boto3-wrong-endpoint"),
        ({"AWS_REGION": "ap-south-1"}, "region-vars-disagree"),
        ({"AWS_ACCESS_KEY_ID": "stale", "AWS_SECRET_ACCESS_KEY": "stale"}, "env-keys-override-profile"),
        ({"S3ENV_PROFILE": "old"}, "shell-not-switched"),
        ({"OSS_ENDPOINT": "http://127.0.0.1:1", "AWS_PROFILE": None}, "megfile-wrong-endpoint"),
    ],
)
def test_environment_conflicts(
    run_s3env: RunS3env, active: str, extra: dict[str, str | None], code: str
) -> None:
    env = {**switched_env(run_s3env), **extra}
    status, report = doctor(run_s3env, env)
    assert status == 1
    assert code in codes(report), report["problems"]
    problem = next(p for p in report["problems"] if p["code"] == code)
    assert problem["message"] and problem["fix"]
    assert "stale" not in json.dumps(report["environment"].get("AWS_SECRET_ACCESS_KEY"))


def test_hand_edit_and_open_credentials_file(run_s3env: RunS3env, sandbox: Sandbox, active: str) -> None:
    text = sandbox.aws_config.read_text().replace("region = us-east-1", "region = us-west-1", 1)
    sandbox.aws_config.write_text(text)
    os.chmod(sandbox.aws_credentials, 0o644)
    status, report = doctor(run_s3env, switched_env(run_s3env))
    assert status == 1
    assert {"managed-section-edited", "credentials-file-too-open"} <= codes(report)


def test_unparseable_aws_file(run_s3env: RunS3env, sandbox: Sandbox, active: str) -> None:
    sandbox.aws_config.write_text("[profile x]\nregion = a\n[profile x]\nregion = b\n")
    status, report = doctor(run_s3env, switched_env(run_s3env))
    assert status == 1 and "aws-file-unreadable" in codes(report)
    assert not report["files"][0]["parses"]


def test_live_calls_every_tool(run_s3env: RunS3env, active: str) -> None:
    status, report = doctor(run_s3env, switched_env(run_s3env), "--live")
    assert status == 0, report["problems"]
    for tool in ("awscli", "boto3", "s5cmd", "megfile"):
        assert report["live"][tool]["ok"] is True, report["live"][tool]
        assert report["live"][tool]["seconds"] > 0


def test_live_reports_an_unreachable_endpoint(run_s3env: RunS3env) -> None:
    run_s3env(
        "profile",
        "add",
        "dead",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--access-key-id",
        "k",
        "--secret-stdin",
        input="s\n",
    )
    assert run_s3env("use", "dead").returncode == 0
    env = {**switched_env(run_s3env), "AWS_MAX_ATTEMPTS": "1", "MEGFILE_MAX_RETRY_TIMES": "1"}
    status, report = doctor(run_s3env, env, "--live")
    assert status == 1
    assert {"awscli-live-failed", "s5cmd-live-failed"} <= codes(report)


def test_table_output_and_bare_s3env(run_s3env: RunS3env, active: str) -> None:
    env = switched_env(run_s3env)
    result = run_s3env("doctor", env=env)
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].startswith("profile: lab")
    assert "No problems found." in result.stdout
    bare = run_s3env(env=env)
    assert bare.returncode == 0
    assert "active profile: lab" in bare.stdout and "this shell: follows it" in bare.stdout
    stale = run_s3env(env={})
    assert "does not follow it" in stale.stdout


def test_store_changed_behind_the_files_back(run_s3env: RunS3env, active: str) -> None:
    import s3env

    s3env.open_store().update("lab", [("region", "eu-west-3")])  # the library does not sync by itself
    status, report = doctor(run_s3env, switched_env(run_s3env))
    assert status == 1 and "managed-files-out-of-date" in codes(report)


def test_a_users_look_alike_section_blocks_writing(
    run_s3env: RunS3env, sandbox: Sandbox, active: str
) -> None:
    with sandbox.aws_config.open("a") as fh:
        fh.write('\n[profile "lab"]\nregion = us-west-2\n')
    status, report = doctor(run_s3env, switched_env(run_s3env))
    assert status == 1 and "managed-files-blocked" in codes(report)


def test_a_missing_profile_is_a_tool_error(run_s3env: RunS3env, active: str) -> None:
    env = {**switched_env(run_s3env), "AWS_PROFILE": "ghost", "AWS_DEFAULT_PROFILE": "ghost"}
    status, report = doctor(run_s3env, env)
    assert status == 1
    assert {"awscli-error", "boto3-error"} <= codes(report)
    assert report["tools"]["boto3"]["error"] == "profile 'ghost' not found"


def test_checksums_by_botocore_default_to_a_custom_endpoint(
    run_s3env: RunS3env, sandbox: Sandbox, active: str
) -> None:
    """A hand-made profile for the same store, without checksum settings: doctor says awscli and
    boto3 would checksum every upload; the settings s3env writes, or the user's own, silence it."""
    env = switched_env(run_s3env)
    status, report = doctor(run_s3env, env)
    assert "checksums-by-default" not in codes(report)  # s3env's section sets when_required

    with sandbox.aws_config.open("a") as fh:
        fh.write("\n[profile mine]\nregion = us-east-1\nservices = mine\n[services mine]\ns3 =\n")
        fh.write(f"  endpoint_url = {active}\n")
    mine = {**env, "AWS_PROFILE": "mine", "AWS_DEFAULT_PROFILE": "mine", "S3ENV_PROFILE": None}
    status, report = doctor(run_s3env, mine)
    assert status == 1
    problem = next(p for p in report["problems"] if p["code"] == "checksums-by-default")
    assert problem["message"].startswith(
        f"awscli and boto3 would add CRC32 checksums to every upload to {active}"
    )

    for chosen in (
        {"AWS_REQUEST_CHECKSUM_CALCULATION": "WHEN_SUPPORTED"},
        {"AWS_REQUEST_CHECKSUM_CALCULATION": "when_required"},
    ):
        _status, report = doctor(run_s3env, {**mine, **chosen})
        assert "checksums-by-default" not in codes(report), chosen  # set on purpose: the user's call
