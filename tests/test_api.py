"""The Python API: activate/deactivate/session/client, in this process and in a fresh one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import pytest

import s3env
from devtools.devserver import MotoServer
from s3env.integrations.envvars import MANAGED_VARS
from tests.conftest import RunS3env, Sandbox, s3_client, unique_bucket


@pytest.fixture
def servers(moto_pair: tuple[MotoServer, MotoServer], sandbox: Sandbox) -> tuple[str, str]:
    a, b = moto_pair
    only_a, only_b = unique_bucket("api-a"), unique_bucket("api-b")
    s3_client(a).create_bucket(Bucket=only_a)
    s3_client(a).put_object(Bucket=only_a, Key="k", Body=b"from A")
    s3_client(b).create_bucket(Bucket=only_b)
    s3_client(b).put_object(Bucket=only_b, Key="k", Body=b"from B")
    store = s3env.open_store()
    store.add(
        s3env.Profile(
            "a",
            endpoint_url=a.url,
            region="us-east-1",
            addressing_style="path",
            access_key_id="AKa",
            secret_access_key="sa",
        )
    )
    store.add(
        s3env.Profile(
            "b",
            endpoint_url=b.url,
            region="eu-west-1",
            access_key_id="AKb",
            secret_access_key="sb",
            session_token="tb",
        )
    )
    return only_a, only_b


def test_activate_sets_exactly_what_s3env_env_prints(run_s3env: RunS3env, servers: tuple[str, str]) -> None:
    assert run_s3env("write").returncode == 0  # else both warn that the AWS files lack the profile
    for with_keys in (False, True):
        flags = ["--with-keys"] if with_keys else []
        printed = json.loads(run_s3env("env", "b", "--shell", "json", *flags).stdout)
        os.environ["AWS_ENDPOINT_URL"] = "http://stale.invalid"
        returned = s3env.activate("b", with_keys=with_keys)
        assert returned == printed
        for name in MANAGED_VARS:
            assert os.environ.get(name) == printed[name], name
    s3env.deactivate()
    assert not any(name in os.environ for name in MANAGED_VARS)


def test_client_ignores_stale_environment(servers: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    only_a, only_b = servers
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "stale")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    client_a = s3env.client("a")
    assert client_a.get_object(Bucket=only_a, Key="k")["Body"].read() == b"from A"
    assert client_a.meta.region_name == "us-east-1"
    # A custom endpoint: only required checksums, as the AWS writer sets for the profile.
    assert client_a.meta.config.request_checksum_calculation == "when_required"
    assert client_a.meta.config.response_checksum_validation == "when_required"
    client_a.put_object(Bucket=only_a, Key="new", Body=b"x")
    client_b = s3env.client("b")
    assert [b["Name"] for b in client_b.list_buckets()["Buckets"]].count(only_b) == 1
    from_session = s3env.session("a").client("s3", endpoint_url=client_a.meta.endpoint_url)
    assert from_session.meta.config.request_checksum_calculation == "when_required"
    creds = s3env.session("b").get_credentials()
    assert (creds.access_key, creds.secret_key, creds.token) == ("AKb", "sb", "tb")


def test_activate_switches_boto3_and_megfile_in_one_process(
    run_s3env: RunS3env, sandbox: Sandbox, servers: tuple[str, str]
) -> None:
    only_a, only_b = servers
    assert run_s3env("write").returncode == 0  # the AWS files know profiles a and b
    script = f"""
import boto3, s3env
from megfile import smart_open
out = []
for name, bucket in (("a", {only_a!r}), ("b", {only_b!r})):
    s3env.activate(name)
    names = [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]
    with smart_open(f"s3://{{bucket}}/k", "rb") as fh:
        out.append((name, bucket in names, fh.read().decode()))
print(out)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], env=sandbox.env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[('a', True, 'from A'), ('b', True, 'from B')]"


def test_activate_warns_until_the_aws_files_have_the_profile(
    run_s3env: RunS3env, sandbox: Sandbox, servers: tuple[str, str]
) -> None:
    """AWS_PROFILE naming a profile the files lack makes boto3 fail: activate says so, as `env` does."""
    import boto3
    from botocore.exceptions import ProfileNotFound as BotocoreProfileNotFound

    with pytest.warns(s3env.ProfileNotWritten, match=r"s3env.use\('a'\) or s3env.write\(\)"):
        s3env.activate("a")
    with pytest.raises(BotocoreProfileNotFound):  # what the warning is about
        boto3.client("s3")
    printed = run_s3env("env", "a")
    assert "profile 'a' is not in the AWS files yet" in printed.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s3env.activate("a", with_keys=True)  # the keys travel in the environment: nothing to warn

    result = s3env.use("a")
    assert result.active == "a" and result.changed
    assert run_s3env("use").stdout == "a\n"
    assert run_s3env("write", "--check").returncode == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s3env.activate("a")
        s3env.activate("b")  # use() wrote every profile's sections, not only the active one
    assert boto3.client("s3").meta.region_name == "eu-west-1"
    assert s3env.write().changed == []


def test_use_refuses_an_unknown_profile_and_changes_nothing(
    sandbox: Sandbox, servers: tuple[str, str]
) -> None:
    with pytest.raises(s3env.ProfileNotFound):
        s3env.use("nope")
    assert not sandbox.aws_config.exists() and not sandbox.aws_credentials.exists()
    assert s3env.open_store().active_name() is None


def test_no_active_profile_is_a_clear_error(sandbox: Sandbox) -> None:
    with pytest.raises(s3env.S3envError, match="no active profile"):
        s3env.activate()
