"""`s3env doctor` and bare `s3env`: each problem is set up for real and must be found."""

from __future__ import annotations

import json
import os

import pytest

from devtools.devserver import MotoServer
from tests.conftest import RunS3env, Sandbox, s3_client, unique_bucket
from tests.faultproxy import FaultProxy
from tests.proxyrecorder import ProxyRecorder

TOOLS = ("awscli", "boto3", "s5cmd", "megfile")


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


def test_a_missing_profile_is_flagged_for_every_tool(run_s3env: RunS3env, active: str) -> None:
    env = {**switched_env(run_s3env), "AWS_PROFILE": "ghost", "AWS_DEFAULT_PROFILE": "ghost"}
    status, report = doctor(run_s3env, env)
    assert status == 1
    assert {f"{tool}-missing-profile" for tool in TOOLS} <= codes(report)
    assert report["tools"]["boto3"]["error"] == "profile 'ghost' not found"
    assert all(report["tools"][tool]["profile_missing"] for tool in TOOLS)
    s5cmd = next(p for p in report["problems"] if p["code"] == "s5cmd-missing-profile")
    assert s5cmd["message"].endswith("s5cmd runs without credentials")


def test_a_deleted_profile_still_named_by_the_shell(
    run_s3env: RunS3env, active: str, moto: MotoServer
) -> None:
    """The shell switched to a profile that was then removed: AWS_PROFILE names a profile in
    neither AWS file.  awscli, boto3 and megfile fail on it; s5cmd quietly runs without keys."""
    add = ["--endpoint-url", moto.url, "--access-key-id", "k2", "--secret-stdin"]
    assert run_s3env("profile", "add", "gone", *add, input="s2\n").returncode == 0
    assert run_s3env("use", "gone").returncode == 0
    shell = switched_env(run_s3env)
    assert run_s3env("use", "lab").returncode == 0
    assert run_s3env("profile", "rm", "gone", "--yes").returncode == 0, "profile rm"
    status, report = doctor(run_s3env, shell)
    assert status == 1
    assert {f"{tool}-missing-profile" for tool in TOOLS} <= codes(report)
    fix = next(p["fix"] for p in report["problems"] if p["code"] == "s5cmd-missing-profile")
    assert fix.startswith("unset AWS_PROFILE AWS_DEFAULT_PROFILE")
    # only AWS_PROFILE names it (botocore then takes it too): still every tool
    _status, report = doctor(run_s3env, {"AWS_PROFILE": "gone"})
    assert {f"{tool}-missing-profile" for tool in TOOLS} <= codes(report)


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


# ---- no false alarm on a fresh install --------------------------------------------------------


def test_a_fresh_install_has_no_problems(run_s3env: RunS3env, sandbox: Sandbox, moto: MotoServer) -> None:
    """Nothing is out of date before s3env manages anything: not the env files `s3env use` has
    not written yet, nor the AWS sections of a profile that was only added."""
    status, report = doctor(run_s3env, {})
    assert (status, report["problems"]) == (0, [])
    assert report["profile"] is None and report["expected_region"] is None
    add = ["--endpoint-url", moto.url, "--access-key-id", "k", "--secret-stdin"]
    assert run_s3env("profile", "add", "lab", *add, input="s\n").returncode == 0
    status, report = doctor(run_s3env, {})
    assert (status, report["problems"]) == (0, [])
    assert not sandbox.aws_config.exists()  # doctor wrote nothing either


def test_a_missing_env_file_of_the_active_profile_is_still_out_of_date(
    run_s3env: RunS3env, sandbox: Sandbox, active: str
) -> None:
    (sandbox.store / "env" / "active.sh").unlink()
    status, report = doctor(run_s3env, switched_env(run_s3env))
    assert status == 1
    assert [p["message"] for p in report["problems"] if p["code"] == "managed-files-out-of-date"] == [
        f"{sandbox.store / 'env' / 'active.sh'}: out of date (rewritten)"
    ]


# ---- profile, region and credentials, per tool ------------------------------------------------

USERS_DEFAULT_CONFIG = "[default]\nregion = eu-west-1\n"
USERS_DEFAULT_CREDENTIALS = "[default]\naws_access_key_id = AKUSERS\naws_secret_access_key = users-own\n"


@pytest.fixture
def users_default_and_active_aws_profile(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    """The user's own [default] (another account and region), and an AWS profile made active:
    s3env leaves that [default] alone."""
    sandbox.aws_config.write_text(USERS_DEFAULT_CONFIG)
    sandbox.aws_credentials.write_text(USERS_DEFAULT_CREDENTIALS)
    sandbox.aws_credentials.chmod(0o600)
    add = ["--region", "us-east-1", "--access-key-id", "AKWORK", "--secret-stdin"]
    assert run_s3env("profile", "add", "work", *add, input="work-secret\n").returncode == 0
    result = run_s3env("use", "work")
    assert result.returncode == 0 and "left your own" in result.stderr
    assert sandbox.aws_config.read_text().startswith(USERS_DEFAULT_CONFIG)


def test_tools_on_the_users_own_default_are_not_following_the_profile(
    run_s3env: RunS3env, users_default_and_active_aws_profile: None
) -> None:
    """Every tool would go to AWS, as the profile does, but as the user's own [default]: another
    account and region.  Each tool's profile, region and credentials are flagged."""
    status, report = doctor(run_s3env, {})
    assert status == 1
    assert report["expected_region"] == "us-east-1"
    assert report["expected_credential_source"] == "credentials file [work]"
    for tool in TOOLS:
        assert report["tools"][tool]["endpoint_url"] is None  # AWS: the endpoint alone looks right
        assert {f"{tool}-wrong-profile", f"{tool}-wrong-region", f"{tool}-wrong-credentials"} <= codes(report)
    region = next(p for p in report["problems"] if p["code"] == "s5cmd-wrong-region")
    assert region["message"].startswith("s5cmd would use region eu-west-1, not us-east-1")
    profile = next(p for p in report["problems"] if p["code"] == "boto3-wrong-profile")
    assert "s3env use work --take-default" in profile["fix"]
    assert not any("AKUSERS" in p["message"] or "users-own" in p["message"] for p in report["problems"])

    status, report = doctor(run_s3env, switched_env(run_s3env))
    assert (status, report["problems"]) == (0, [])
    result = run_s3env("doctor", env={})
    assert "profile: work (the global profile)   expected endpoint: AWS   region: us-east-1" in result.stdout


def test_keys_and_regions_from_the_environment(
    run_s3env: RunS3env, users_default_and_active_aws_profile: None
) -> None:
    """Only the tools a variable really reaches are flagged; keys of the profile itself in the
    environment (`s3env exec`) are no problem even on the user's own [default]."""
    shell = switched_env(run_s3env)
    _status, report = doctor(run_s3env, {**shell, "AWS_DEFAULT_REGION": "ap-south-1"})
    wrong_region = {p["code"] for p in report["problems"] if p["code"].endswith("-wrong-region")}
    assert wrong_region == {
        "awscli-wrong-region",
        "boto3-wrong-region",
        "megfile-wrong-region",
    }  # s5cmd: AWS_REGION

    stale = {"AWS_ACCESS_KEY_ID": "AKSTALE", "AWS_SECRET_ACCESS_KEY": "stale"}
    _status, report = doctor(run_s3env, {**shell, **stale})
    wrong_keys = {p["code"] for p in report["problems"] if p["code"].endswith("-wrong-credentials")}
    assert wrong_keys == {"awscli-wrong-credentials", "boto3-wrong-credentials", "s5cmd-wrong-credentials"}
    fix = next(p["fix"] for p in report["problems"] if p["code"] == "s5cmd-wrong-credentials")
    assert fix.startswith("unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN")

    with_keys = json.loads(run_s3env("env", "work", "--with-keys", "--shell", "json").stdout)
    status, report = doctor(run_s3env, with_keys)
    assert (status, report["problems"]) == (0, []), report["problems"]
    assert report["tools"]["boto3"]["profile"] == "default"  # the user's, but nothing comes from it
    assert report["tools"]["boto3"]["credential_provider"] == "environment"


def test_an_sso_profile_expects_sso(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    """A profile whose credentials come from SSO: its tools are expected to use SSO, and a tool
    on keys (the user's [default]) is flagged though its region is right."""
    sandbox.aws_config.write_text(
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n"
        "[default]\nregion = eu-central-1\n"
    )
    sandbox.aws_credentials.write_text(USERS_DEFAULT_CREDENTIALS)
    sandbox.aws_credentials.chmod(0o600)
    assert run_s3env("profile", "add", "corp", "--region", "eu-central-1").returncode == 0
    extra = ["extra.sso_session=corp", "extra.sso_account_id=111122223333", "extra.sso_role_name=Admin"]
    assert run_s3env("profile", "set", "corp", *extra).returncode == 0
    assert run_s3env("use", "corp").returncode == 0
    status, report = doctor(run_s3env, {})
    assert status == 1
    for tool in TOOLS:
        assert f"{tool}-wrong-credentials" in codes(report)
        assert f"{tool}-wrong-region" not in codes(report)
    message = next(p["message"] for p in report["problems"] if p["code"] == "awscli-wrong-credentials")
    assert message.endswith("not the credentials of corp (sso)")

    status, report = doctor(run_s3env, switched_env(run_s3env))
    assert (status, report["problems"]) == (0, [])
    assert report["expected_credential_source"] == "sso"
    assert {report["tools"][tool]["credential_provider"] for tool in TOOLS} == {"sso"}


def test_tool_entries_keep_their_json_shape(run_s3env: RunS3env, active: str) -> None:
    _status, report = doctor(run_s3env, switched_env(run_s3env))
    for tool in TOOLS:
        assert list(report["tools"][tool]) == [
            "profile",
            "endpoint_url",
            "region",
            "credential_source",
            "credential_provider",
            "profile_missing",
            "decided_by",
        ]
        assert report["tools"][tool]["credential_provider"] == "credentials-file"


# ---- --live: the profile itself, and this shell's tools --------------------------------------


def no_way_out(refuse: ProxyRecorder) -> dict[str, str]:
    """Environment that keeps every client on this machine: no instance metadata, any host that
    is not loopback goes to a proxy that refuses it, one attempt each."""
    return {
        "AWS_EC2_METADATA_DISABLED": "true",
        "HTTPS_PROXY": refuse.url,
        "HTTP_PROXY": refuse.url,
        "NO_PROXY": "127.0.0.1",
        "AWS_MAX_ATTEMPTS": "1",
        "MEGFILE_MAX_RETRY_TIMES": "1",
    }


def signed_with(recorder: FaultProxy) -> list[tuple[str, str, str]]:
    """(access key id, region, service) of every signed request the recorder saw."""
    import re

    found = []
    for _line, headers in recorder.request_heads():
        scope = re.search(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/", headers.get("authorization", ""))
        if scope:
            found.append(scope.groups())
    return found


def test_live_checks_the_named_profile_itself(run_s3env: RunS3env, moto: MotoServer) -> None:
    """`doctor lab --live` in a shell switched to another profile: lab itself lists buckets with
    its own keys, endpoint and region; the tools of this shell (on the other profile) fail."""
    s3_client(moto).create_bucket(Bucket=unique_bucket("live"))
    recorder = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, record_up=True)
    refuse = ProxyRecorder()
    try:
        lab = ["--endpoint-url", recorder.url, "--region", "eu-west-3", "--access-key-id", "AKLAB"]
        assert (
            run_s3env("profile", "add", "lab", *lab, "--secret-stdin", input="lab-secret\n").returncode == 0
        )
        dead = ["--endpoint-url", "http://127.0.0.1:9", "--access-key-id", "AKDEAD", "--secret-stdin"]
        assert run_s3env("profile", "add", "dead", *dead, input="dead-secret\n").returncode == 0
        assert run_s3env("use", "dead").returncode == 0
        env = {**switched_env(run_s3env), **no_way_out(refuse)}
        status, report = doctor(run_s3env, env, "lab", "--live")
        text = run_s3env("doctor", "lab", "--live", env=env).stdout
    finally:
        recorder.close()
        refuse.close()
    assert signed_with(recorder) == [("AKLAB", "eu-west-3", "s3")] * 2  # the JSON and the text run
    assert status == 1
    live = report["live_profile"]
    assert live["profile"] == "lab" and live["ok"] is True, live
    assert live["buckets"] >= 1 and live["region"] == "eu-west-3" and live["endpoint_url"] == recorder.url
    assert "profile-live-failed" not in codes(report)
    assert {"awscli-live-failed", "s5cmd-live-failed"} <= codes(report)  # this shell: on 'dead'
    assert refuse.hosts() == []
    assert f"live:    lab itself (credentials file [lab], {recorder.url}): ok, " in text
    assert "LIVE (this shell)" in text
    assert "lab-secret" not in text and "lab-secret" not in json.dumps(report)


def test_live_of_a_role_profile_assumes_its_role(
    run_s3env: RunS3env, sandbox: Sandbox, moto: MotoServer
) -> None:
    """A profile whose credentials are a role: `doctor NAME --live` assumes it (STS, here moto)
    with its source profile's keys and lists buckets with the role's, not with env keys."""
    recorder = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, record_up=True)
    refuse = ProxyRecorder()
    try:
        sandbox.aws_config.write_text("[profile base]\nregion = us-east-1\n")
        sandbox.aws_credentials.write_text("[base]\naws_access_key_id = AKBASE\naws_secret_access_key = b\n")
        sandbox.aws_credentials.chmod(0o600)
        add = ["--endpoint-url", recorder.url, "--region", "us-west-1"]
        assert run_s3env("profile", "add", "deploy", *add).returncode == 0
        role = ["extra.role_arn=arn:aws:iam::123456789012:role/deploy", "extra.source_profile=base"]
        assert run_s3env("profile", "set", "deploy", *role).returncode == 0
        assert run_s3env("use", "deploy").returncode == 0
        env = {
            **switched_env(run_s3env),
            **no_way_out(refuse),
            "AWS_ENDPOINT_URL_STS": recorder.url,
            "AWS_ACCESS_KEY_ID": "AKENV",  # must not be what the check uses
            "AWS_SECRET_ACCESS_KEY": "env",
        }
        _status, report = doctor(run_s3env, env, "deploy", "--live")
    finally:
        recorder.close()
        refuse.close()
    signed = [
        (key[:4] if key.startswith("ASIA") else key, region, service)
        for key, region, service in signed_with(recorder)
    ]
    assert signed[:2] == [("AKBASE", "us-west-1", "sts"), ("ASIA", "us-west-1", "s3")], signed
    live = report["live_profile"]
    assert live["ok"] is True and live["credentials"].startswith("assume role"), live
    assert refuse.hosts() == []


def test_live_is_bounded_when_the_endpoint_never_answers(run_s3env: RunS3env) -> None:
    """An endpoint that accepts connections and never answers: the check of the profile itself
    gives up after its timeout, one attempt, and says so."""
    import socket
    import time

    hole = socket.create_server(("127.0.0.1", 0))
    refuse = ProxyRecorder()
    try:
        url = f"http://127.0.0.1:{hole.getsockname()[1]}"
        add = ["--endpoint-url", url, "--access-key-id", "AKHOLE", "--secret-stdin"]
        assert run_s3env("profile", "add", "hole", *add, input="s\n").returncode == 0
        assert run_s3env("use", "hole").returncode == 0
        env = {**switched_env(run_s3env), **no_way_out(refuse)}
        start = time.monotonic()
        status, report = doctor(run_s3env, env, "--live", "--timeout", "1")
        took = time.monotonic() - start
    finally:
        hole.close()
        refuse.close()
    assert status == 1
    assert report["live_profile"]["ok"] is False
    assert report["live_profile"]["detail"] == "no answer within 1 s"
    assert "profile-live-failed" in codes(report)
    assert took < 45  # one read timeout for the profile, two seconds per tool: not minutes


def test_live_does_not_check_a_profile_without_credentials(run_s3env: RunS3env, moto: MotoServer) -> None:
    """Nothing to sign with: the profile itself is not checked (and nothing else's keys are used)."""
    refuse = ProxyRecorder()
    try:
        assert run_s3env("profile", "add", "anon", "--endpoint-url", moto.url).returncode == 0
        assert run_s3env("use", "anon").returncode == 0
        env = {**switched_env(run_s3env), **no_way_out(refuse), "AWS_ACCESS_KEY_ID": "AKENV"}
        _status, report = doctor(run_s3env, {**env, "AWS_SECRET_ACCESS_KEY": "env"}, "--live")
    finally:
        refuse.close()
    live = report["live_profile"]
    assert (live["ok"], live["seconds"]) == (None, None)
    assert live["detail"] == "anon has no credentials to list buckets with"
    assert "profile-live-failed" not in codes(report)
    assert refuse.hosts() == []
