"""`s3env use`, `write`, `credential-process`: ownership, [default], drift, keys out of plain files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from botocore.configloader import raw_config_parse

from devtools.devserver import MotoServer
from tests.conftest import BIN, RunS3env, Sandbox, s3_client, unique_bucket

AWS = str(BIN / "aws")


def add(run_s3env: RunS3env, name: str, *args: str, secret: str | None = None) -> None:
    result = run_s3env(
        "profile",
        "add",
        name,
        "--access-key-id",
        f"AK{name}",
        "--secret-stdin",
        *args,
        input=(secret if secret is not None else f"secret-of-{name}") + "\n",
    )
    assert result.returncode == 0, result.stderr


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_use_without_argument_prints_the_active_profile(run_s3env: RunS3env) -> None:
    result = run_s3env("use")
    assert result.returncode == 1 and "no active profile" in result.stderr
    add(run_s3env, "a", "--endpoint-url", "http://127.0.0.1:9")
    ok(run_s3env("use", "a"))
    assert ok(run_s3env("use")).stdout == "a\n"
    shown = json.loads(ok(run_s3env("profile", "show", "a", "--json")).stdout)
    assert shown["active"] is True


def test_use_unknown_profile_changes_nothing(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    add(run_s3env, "alpha")
    result = run_s3env("use", "alpah")
    assert result.returncode == 1 and "did you mean 'alpha'" in result.stderr
    assert not sandbox.aws_config.exists() and not sandbox.aws_credentials.exists()


def test_layout_is_what_every_tool_reads(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    add(
        run_s3env,
        "lab",
        "--endpoint-url",
        "http://127.0.0.1:9000",
        "--region",
        "eu-west-3",
        "--addressing-style",
        "path",
    )
    ok(run_s3env("profile", "set", "lab", "extra.s3.payload_signing_enabled=true", "extra.max_attempts=7"))
    ok(run_s3env("use", "lab"))
    config = raw_config_parse(str(sandbox.aws_config))
    assert config["profile lab"] == {
        "region": "eu-west-3",
        "services": "s3env-lab",
        "s3": {
            "endpoint_url": "http://127.0.0.1:9000",
            "addressing_style": "path",
            "payload_signing_enabled": "true",
        },
        "max_attempts": "7",
        # boto3/awscli 1.36+ would checksum every upload: many S3-compatible stores refuse that
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
    }
    assert config["services s3env-lab"] == {"s3": {"endpoint_url": "http://127.0.0.1:9000"}}
    assert config["default"] == config["profile lab"]
    assert "endpoint_url" not in config["profile lab"]  # never for every service
    creds = raw_config_parse(str(sandbox.aws_credentials))
    assert creds["lab"] == {"aws_access_key_id": "AKlab", "aws_secret_access_key": "secret-of-lab"}
    assert creds["default"] == creds["lab"]
    assert stat.S_IMODE(os.stat(sandbox.aws_credentials).st_mode) == 0o600


def test_checksum_settings_only_for_custom_endpoints_and_the_profile_wins() -> None:
    from s3env.core.model import Profile
    from s3env.integrations.writers.aws import config_items

    aws = dict(config_items(Profile("aws", region="eu-west-1"), ("s3env",)))
    assert aws == {"region": "eu-west-1"}  # AWS itself handles checksums: botocore's defaults
    own = Profile(
        "own",
        endpoint_url="https://s3.example.com",
        extra={"request_checksum_calculation": "when_supported"},
    )
    items = config_items(own, ("s3env",))
    keys = [k for k, _ in items]
    assert len(keys) == len(set(keys))  # the profile's own value replaces the default, once
    assert dict(items)["request_checksum_calculation"] == "when_supported"
    assert dict(items)["response_checksum_validation"] == "when_required"


def test_user_sections_are_never_overwritten_without_force(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    original = "# mine\n[profile work]\nregion = us-east-2\n"
    sandbox.aws_config.write_text(original)
    add(run_s3env, "work", "--endpoint-url", "http://127.0.0.1:9")
    result = run_s3env("use", "work")
    assert result.returncode == 1
    assert "[profile work] was not written by s3env" in result.stderr and "--force" in result.stderr
    assert sandbox.aws_config.read_text() == original
    assert not sandbox.aws_credentials.exists()
    assert run_s3env("use").returncode == 1  # the switch did not happen either

    ok(run_s3env("use", "work", "--force"))
    assert raw_config_parse(str(sandbox.aws_config))["profile work"]["services"] == "s3env-work"
    backups = list((sandbox.store / "backups").glob("aws-config-*.bak"))
    assert [b.read_text() for b in backups] == [original]
    assert stat.S_IMODE(os.stat(backups[0]).st_mode) == 0o600


def test_a_look_alike_section_is_not_taken_for_ours(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    add(run_s3env, "x", "--endpoint-url", "http://127.0.0.1:9")
    ok(run_s3env("use", "x"))
    with sandbox.aws_config.open("a") as fh:
        fh.write('\n[profile "x"]\nregion = ap-south-1\n')  # botocore reads this one as profile x
    before = sandbox.aws_config.read_bytes()
    result = run_s3env("write")
    assert result.returncode == 1 and '[profile "x"]' in result.stderr
    assert sandbox.aws_config.read_bytes() == before


def test_users_own_default_is_left_alone_until_take_default(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    sandbox.aws_credentials.write_text(
        "[default]\naws_access_key_id = USERKEY\naws_secret_access_key = usersecret\n"
    )
    os.chmod(sandbox.aws_credentials, 0o600)
    add(run_s3env, "p", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1")
    result = ok(run_s3env("use", "p"))
    assert "left your own" in result.stderr and "--take-default" in result.stderr
    config = raw_config_parse(str(sandbox.aws_config))
    assert "default" not in config  # not even in the other file: the pair is all or nothing
    assert raw_config_parse(str(sandbox.aws_credentials))["default"]["aws_access_key_id"] == "USERKEY"

    ok(run_s3env("use", "p", "--take-default"))
    assert raw_config_parse(str(sandbox.aws_config))["default"]["services"] == "s3env-p"
    assert raw_config_parse(str(sandbox.aws_credentials))["default"]["aws_access_key_id"] == "AKp"
    backups = list((sandbox.store / "backups").glob("aws-credentials-*.bak"))
    assert any("USERKEY" in b.read_text() for b in backups)
    # From now on the [default] pair is s3env's: later switches need no flag.
    add(run_s3env, "q", "--endpoint-url", "http://127.0.0.1:8")
    ok(run_s3env("use", "q"))
    assert raw_config_parse(str(sandbox.aws_credentials))["default"]["aws_access_key_id"] == "AKq"


def test_write_check_reports_hand_edits_and_stale_sections(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    add(run_s3env, "a", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1")
    ok(run_s3env("use", "a"))
    assert "in sync" in ok(run_s3env("write", "--check")).stdout

    text = sandbox.aws_config.read_text().replace("region = us-east-1", "region = us-west-1", 1)
    sandbox.aws_config.write_text(text)
    result = run_s3env("write", "--check")
    assert result.returncode == 1
    assert "edited by hand" in result.stdout and "[profile a]" in result.stdout
    assert sandbox.aws_config.read_text() == text  # --check writes nothing

    diff = ok(run_s3env("write", "--diff")).stdout
    assert "-region = us-west-1" in diff and "+region = us-east-1" in diff
    ok(run_s3env("write"))
    assert ok(run_s3env("write", "--check")).returncode == 0


def test_diff_never_shows_secrets(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    add(run_s3env, "a", secret="VERY-SECRET-VALUE-1234")
    ok(run_s3env("use", "a"))
    add(run_s3env, "a", "--force", secret="OTHER-SECRET-VALUE-5678")  # store changed
    # The store change was followed at once (s3env manages the files): make them stale again.
    text = sandbox.aws_credentials.read_text().replace("OTHER-SECRET-VALUE-5678", "HAND-EDITED-SECRET-999")
    sandbox.aws_credentials.write_text(text)
    diff = ok(run_s3env("write", "--diff")).stdout
    assert "-aws_secret_access_key = ****-999" in diff  # masked to the last 4 characters …
    assert "+aws_secret_access_key = ****5678" in diff  # … so that a change still shows
    for secret in ("VERY-SECRET", "OTHER-SECRET", "HAND-EDITED"):
        assert secret not in diff


def test_profile_changes_follow_into_managed_files(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    add(run_s3env, "a", "--endpoint-url", "http://127.0.0.1:9")
    add(run_s3env, "b", "--endpoint-url", "http://127.0.0.1:8")
    ok(run_s3env("use", "a"))
    ok(run_s3env("profile", "set", "b", "endpoint_url=http://127.0.0.1:7"))
    assert (
        raw_config_parse(str(sandbox.aws_config))["services s3env-b"]["s3"]["endpoint_url"]
        == "http://127.0.0.1:7"
    )
    ok(run_s3env("profile", "rename", "b", "c"))
    config = raw_config_parse(str(sandbox.aws_config))
    assert "profile b" not in config and "services s3env-b" not in config and "profile c" in config
    assert "b" not in raw_config_parse(str(sandbox.aws_credentials))
    ok(run_s3env("profile", "rm", "c", "--yes"))
    assert "profile c" not in raw_config_parse(str(sandbox.aws_config))
    ok(run_s3env("profile", "rm", "a", "--yes"))  # the active one: [default] goes too
    assert raw_config_parse(str(sandbox.aws_config)) == {}
    assert "unset S3_ENDPOINT_URL" in (sandbox.store / "env" / "active.sh").read_text()


def test_credential_process_keeps_keys_out_of_plain_files(
    run_s3env: RunS3env, sandbox: Sandbox, moto: MotoServer
) -> None:
    bucket = unique_bucket("cp")
    s3_client(moto).create_bucket(Bucket=bucket)
    add(
        run_s3env,
        "cp",
        "--endpoint-url",
        moto.url,
        "--region",
        "us-east-1",
        "--credentials",
        "process",
        secret="PROCESS-SECRET-0001",
    )
    # A secret no INI line can carry exactly gets credential_process automatically.
    add(run_s3env, "odd", "--endpoint-url", moto.url, secret=" leading-space-secret")
    # s3env on PATH is this very program: the line runs plain `s3env` (survives a moved venv).
    on_path = f"{BIN}:/usr/bin:/bin"
    ok(run_s3env("use", "cp", env={"PATH": on_path}))
    creds = sandbox.aws_credentials.read_text() if sandbox.aws_credentials.exists() else ""
    assert "PROCESS-SECRET" not in creds and "leading-space" not in creds
    config = raw_config_parse(str(sandbox.aws_config))
    assert config["profile cp"]["credential_process"] == "s3env credential-process cp"
    assert config["profile odd"]["credential_process"] == "s3env credential-process odd"
    listed = subprocess.run(
        [AWS, "s3", "ls"], env=dict(sandbox.env, PATH=on_path), capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0 and bucket in listed.stdout, listed.stderr

    # Another program named s3env on PATH (or none): the absolute path of this one.
    other = sandbox.root / "otherbin"
    other.mkdir()
    (other / "s3env").write_text("#!/bin/sh\nexit 1\n")
    (other / "s3env").chmod(0o755)
    ok(run_s3env("write", env={"PATH": f"{other}:/usr/bin:/bin"}))
    config = raw_config_parse(str(sandbox.aws_config))
    assert config["profile cp"]["credential_process"] == f"{BIN / 's3env'} credential-process cp"
    assert config["profile odd"]["credential_process"].endswith("credential-process odd")

    out = json.loads(ok(run_s3env("credential-process", "odd")).stdout)
    assert out == {"Version": 1, "AccessKeyId": "AKodd", "SecretAccessKey": " leading-space-secret"}
    # awscli runs it (no PATH help: the absolute path is written) and reaches the server.
    env = dict(sandbox.env, PATH="/usr/bin:/bin")
    listed = subprocess.run([AWS, "s3", "ls"], env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert bucket in listed.stdout
    boto = subprocess.run(
        [
            sys.executable,
            "-c",
            "import boto3; print(boto3.Session(profile_name='odd').get_credentials().secret_key)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert boto.stdout == " leading-space-secret\n"


def test_credential_process_errors(run_s3env: RunS3env) -> None:
    run_s3env("profile", "add", "nokeys", "--region", "us-east-1")
    result = run_s3env("credential-process", "nokeys")
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "no stored keys" in result.stderr
    result = run_s3env("credential-process", "missing")
    assert result.returncode == 1 and "no profile named" in result.stderr
    assert run_s3env("credential-process").returncode == 2
    assert run_s3env("credential-process", "bad name").returncode == 2


@pytest.mark.parametrize("shell", ["sh", "bash", "fish", "pwsh", "cmd", "env", "json"])
def test_use_writes_an_env_file_per_shell(run_s3env: RunS3env, sandbox: Sandbox, shell: str) -> None:
    add(run_s3env, "a", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1")
    ok(run_s3env("use", "a"))
    suffix = {"bash": "sh", "pwsh": "ps1"}.get(shell, shell)
    path = sandbox.store / "env" / f"active.{suffix}"
    text = path.read_text()
    assert "http://127.0.0.1:9" in text and "secret-of-a" not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
