"""Development tools stay outside what is shipped, and the one sandbox builder
(``devtools.sandbox``) keeps the developer's own setup out of the tests, ``make demo`` and the
benchmarks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from devtools.sandbox import SCRUB_NAMES, sandbox_env, scrubbed
from tests.conftest import Sandbox

ROOT = Path(__file__).resolve().parents[1]

#: What a developer's shell may hold: each would change what a tool does.
USERS_SETUP = {
    "OSS_ENDPOINT": "http://127.0.0.1:9",
    "AWS_PROFILE": "users-own",
    "AWS_DEFAULT_PROFILE": "users-own",
    "S3_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9",
    "AWS_ACCESS_KEY_ID": "AKIDUSERSOWN",
    "AWS_SECRET_ACCESS_KEY": "users-own-secret",
    "AWS_REGION": "ap-south-1",
    "AWS_CONFIG_FILE": "/nonexistent/users/config",
    "MEGFILE_S3_ENDPOINT": "http://127.0.0.1:9",
    "MC_HOST_local": "http://k:s@127.0.0.1:9",
    "RCLONE_CONFIG": "/nonexistent/rclone.conf",
    "S3ENV_BACKEND": "boto3",
    "S3ENV_SECRETS": "keyring",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "ALL_PROXY": "socks5://127.0.0.1:9",
    "XDG_CONFIG_HOME": "/nonexistent/xdg-config",
    "XDG_CACHE_HOME": "/nonexistent/xdg-cache",
    "PYTHONUNBUFFERED": "1",
    "PYTHONWARNINGS": "error",
}


def test_the_sandbox_keeps_nothing_of_the_users_setup(tmp_path: Path) -> None:
    base = {"PATH": "/usr/bin", "LANG": "C.UTF-8", "TERM": "dumb", **USERS_SETUP}
    env = sandbox_env(tmp_path, base, bin_dir=tmp_path / "bin")
    assert env["LANG"] == "C.UTF-8" and env["TERM"] == "dumb"  # the rest passes through
    assert env["PATH"] == f"{tmp_path / 'bin'}{os.pathsep}/usr/bin"
    for name, value in USERS_SETUP.items():
        assert scrubbed(name), name
        assert env.get(name) != value, name
    home = tmp_path / "home"
    pinned = ("HOME", "S3ENV_HOME", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
    for name in (*pinned, *(n for n in env if n.startswith("XDG_"))):
        assert Path(env[name]).is_relative_to(home), name
    for directory in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        assert Path(env[directory]).is_dir()
    assert env["S3ENV_SECRETS"] == "file" and env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert not [n for n in env if n in SCRUB_NAMES]


def _normalized(output: str) -> list[str]:
    """The demo's output without what differs from run to run: its temp directory, the two
    servers' ports (A and B by first appearance), dates, and the order of parallel copies."""
    ports: dict[str, str] = {}

    def port(match: re.Match[str]) -> str:
        return "127.0.0.1:" + ports.setdefault(match.group(1), "AB"[len(ports)] if len(ports) < 2 else "?")

    text = re.sub(r"\S*/s3env-demo-[^/\s]+", "SANDBOX", output)
    text = re.sub(r"127\.0\.0\.1:(\d+)", port, text)
    text = re.sub(r"\d{4}[-/]\d\d[-/]\d\d \d\d:\d\d:\d\d", "DATE", text)
    lines = text.splitlines()
    out: list[str] = []
    for line in lines:  # s5cmd and the boto3 backend copy in parallel: any order
        if line.startswith("cp ") and out and out[-1].startswith("cp "):
            block = [out.pop()]
            while out and out[-1].startswith("cp "):
                block.append(out.pop())
            out.extend(sorted([*block, line]))
        else:
            out.append(line)
    return out


def _demo(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """What ``make demo`` runs, from the repo root."""
    return subprocess.run(
        [sys.executable, "-m", "devtools.demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_make_demo_ignores_the_users_s3_setup(sandbox: Sandbox) -> None:
    """``make demo`` in a shell holding the user's OSS_ENDPOINT, AWS_PROFILE, S3_ENDPOINT_URL,
    proxies, XDG directories… prints what it prints without them (and touches none of it)."""
    users_home = sandbox.root / "users-home"
    (users_home / ".aws").mkdir(parents=True)
    config = users_home / ".aws" / "config"
    config.write_text("[default]\nregion = ap-south-1\nendpoint_url = http://127.0.0.1:9\n")
    plain = {**sandbox.env, "TMPDIR": str(sandbox.root)}
    users = {**plain, **USERS_SETUP, "HOME": str(users_home), "AWS_CONFIG_FILE": str(config)}

    clean_run = _demo(plain)
    assert clean_run.returncode == 0, clean_run.stdout + clean_run.stderr
    users_run = _demo(users)
    assert users_run.returncode == 0, users_run.stdout + users_run.stderr
    assert _normalized(users_run.stdout) == _normalized(clean_run.stdout)
    assert _normalized(users_run.stderr) == _normalized(clean_run.stderr)
    assert "Now using 'lab_b'" in clean_run.stdout and "No problems found." in clean_run.stdout
    assert sorted(p.name for p in users_home.rglob("*")) == [".aws", "config"]
    assert not [p for p in sandbox.root.iterdir() if p.name.startswith("s3env-demo-")]  # removed


# ---- the wheel -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_wheel_holds_the_package_and_no_dev_tools(tmp_path: Path) -> None:
    """``pip wheel .`` (setuptools in an isolated build, as a user's install builds it) of a copy of
    the source tree: s3env with its data file, and neither devtools/ nor tests/ nor benchmarks/."""
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__", ".*_cache"),
    )
    assert (source / "devtools" / "demo.py").exists() and (source / "tests" / "conftest.py").exists()
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--wheel-dir", str(tmp_path), "-q"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = tmp_path.glob("s3env-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"s3env"}
    assert "s3env/shim/boto3/s5cmd_help.json" in names
    assert "s3env/cli/entry.py" in names and "s3env/store/cachefile.py" in names
    assert not [n for n in names if n.startswith(("devtools/", "tests/", "benchmarks/"))]
    assert not [n for n in names if "memory_secrets" in n or "devserver" in n or "demo" in n]
