"""``store.locations``: the one place for where s3env's files and the AWS files are.  The
platformdirs agreement of the store and cache directories is in test_quickload.py and
test_boto3_models.py; here the rules of their own, and ``paths.StorePaths`` on top of them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from s3env.store import locations, paths

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the plain XDG rule is Linux's")


def test_s3env_home_wins_and_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"S3ENV_HOME": "rel/store", "HOME": "/home/u", "XDG_CONFIG_HOME": "/x"}
    assert locations.store_dir(env) == str(tmp_path / "rel" / "store")
    assert paths.store_dir(env) == tmp_path / "rel" / "store"
    assert paths.StorePaths.from_env(env).profiles == tmp_path / "rel" / "store" / "profiles.toml"


@linux_only
def test_store_and_cache_directories_follow_xdg() -> None:
    env = {"HOME": "/home/u"}
    assert locations.store_dir(env) == "/home/u/.config/s3env"
    assert locations.cache_dir(env) == "/home/u/.cache/s3env"
    env = {"HOME": "/home/u", "XDG_CONFIG_HOME": "/c", "XDG_CACHE_HOME": "/k"}
    assert (locations.store_dir(env), locations.cache_dir(env)) == ("/c/s3env", "/k/s3env")


@linux_only
@pytest.mark.parametrize("value", ["relative/cache", " ", "cache"])
def test_a_relative_xdg_cache_home_is_ignored(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The XDG spec: a relative value is invalid.  The cache is never put under the current
    directory (the boto3 model cache always behaved so)."""
    monkeypatch.chdir(tmp_path)
    assert locations.cache_dir({"HOME": "/home/u", "XDG_CACHE_HOME": value}) == "/home/u/.cache/s3env"


def test_aws_files_and_home_expansion(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    assert locations.aws_config_file(env) == str(tmp_path / ".aws" / "config")
    assert locations.aws_credentials_file(env) == str(tmp_path / ".aws" / "credentials")
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": "~/c", "AWS_SHARED_CREDENTIALS_FILE": "/abs/cred"}
    assert locations.aws_config_file(env) == str(tmp_path / "c")
    assert locations.aws_credentials_file(env) == "/abs/cred"
    assert paths.aws_config_file(env) == tmp_path / "c"
    assert locations.expand_home("~", env) == str(tmp_path)
    assert locations.expand_home("~user/x", env) == os.path.abspath("~user/x")  # only ~ and ~/ are HOME
    assert paths.home_dir(env) == tmp_path
