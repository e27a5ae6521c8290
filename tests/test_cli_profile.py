"""`s3env profile …`, `providers`, `--version`, `--help`: the installed script, in a sandbox HOME."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import tomllib

import pytest

from tests.conftest import S3ENV, RunS3env, Sandbox

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLETOKENVALUE0123456789"


def add(run_s3env: RunS3env, name: str, *extra: str, secret: str = SECRET, key_id: str = "AKIDEXAMPLE"):
    return run_s3env(
        "profile", "add", name, "--access-key-id", key_id, "--secret-stdin", *extra, input=secret + "\n"
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("s3env: error: ")
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_version(run_s3env: RunS3env) -> None:
    from s3env import __version__

    result = ok(run_s3env("--version"))
    assert result.stdout.strip() == f"s3env {__version__}"


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["profile"],
        ["profile", "add"],
        ["profile", "list"],
        ["profile", "show"],
        ["profile", "set"],
        ["profile", "rm"],
        ["profile", "rename"],
        ["profile", "copy"],
        ["providers"],
        ["use"],
        ["write"],
        ["credential-process"],
        ["env"],
        ["exec"],
        ["shell-init"],
        ["completion"],
    ],
)
def test_help_everywhere_has_examples(run_s3env: RunS3env, command: list[str]) -> None:
    result = ok(run_s3env(*command, "--help"))
    assert result.stdout.startswith("Usage: s3env")
    if command != ["profile"]:
        assert "Examples:" in result.stdout
        assert "s3env " in result.stdout.split("Examples:")[1]


def test_add_secret_stdin_then_show_masks_and_keeps_secret_out_of_toml(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    result = ok(
        run_s3env(
            "profile",
            "add",
            "minio",
            "--endpoint-url",
            "http://127.0.0.1:9000",
            "--region",
            "us-east-1",
            "--addressing-style",
            "path",
            "--access-key-id",
            "AKIDEXAMPLE",
            "--secret-stdin",
            input=f"{SECRET}\n{TOKEN}\n",
        )
    )
    assert "Added profile 'minio'" in result.stdout
    assert SECRET not in result.stdout + result.stderr

    toml_text = sandbox.profiles_file.read_text()
    assert SECRET not in toml_text and TOKEN not in toml_text
    assert tomllib.loads(toml_text)["profiles"]["minio"]["endpoint_url"] == "http://127.0.0.1:9000"

    secrets_mode = stat.S_IMODE(os.stat(sandbox.secrets_file).st_mode)
    assert secrets_mode == 0o600
    secrets = tomllib.loads(sandbox.secrets_file.read_text())
    assert secrets["profiles"]["minio"] == {"secret_access_key": SECRET, "session_token": TOKEN}

    shown = ok(run_s3env("profile", "show", "minio"))
    assert SECRET not in shown.stdout and TOKEN not in shown.stdout
    assert "****" + SECRET[-4:] in shown.stdout

    data = json.loads(ok(run_s3env("profile", "show", "minio", "--json")).stdout)
    assert data == {
        "name": "minio",
        "active": False,
        "endpoint_url": "http://127.0.0.1:9000",
        "region": "us-east-1",
        "addressing_style": "path",
        "provider": None,
        "access_key_id": "AKIDEXAMPLE",
        "credentials": "file",
        "secret_access_key": "****" + SECRET[-4:],
        "session_token": "****" + TOKEN[-4:],
        "extra": {},
        "secret_store": "file",
    }


def test_add_from_env(run_s3env: RunS3env) -> None:
    ok(
        run_s3env(
            "profile",
            "add",
            "ci",
            "--from-env",
            "--region",
            "eu-west-1",
            env={
                "AWS_ACCESS_KEY_ID": "AKIDFROMENV",
                "AWS_SECRET_ACCESS_KEY": SECRET,
                "AWS_SESSION_TOKEN": TOKEN,
            },
        )
    )
    data = json.loads(ok(run_s3env("profile", "show", "ci", "--json")).stdout)
    assert data["access_key_id"] == "AKIDFROMENV"
    assert data["secret_access_key"] == "****" + SECRET[-4:]
    assert data["session_token"] == "****" + TOKEN[-4:]
    assert data["endpoint_url"] is None and data["region"] == "eu-west-1"


def test_add_from_env_without_keys_is_a_usage_error(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    assert_one_line_error(run_s3env("profile", "add", "ci", "--from-env"), 2, "AWS_SECRET_ACCESS_KEY")
    assert not sandbox.profiles_file.exists()


def test_add_with_key_id_but_no_secret_source_refuses(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    result = run_s3env("profile", "add", "x", "--access-key-id", "AK")
    assert_one_line_error(result, 2, "--secret-stdin")
    assert not sandbox.profiles_file.exists()


def test_add_secret_prompt_on_a_tty_is_hidden(sandbox: Sandbox) -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        S3ENV,
        ["profile", "add", "tty", "--access-key-id", "AKIDTTY", "--endpoint-url", "https://s3.example.com"],
        env=sandbox.env,
        encoding="utf-8",
        timeout=30,
    )
    child.expect("Secret access key: ")
    child.sendline(SECRET)
    child.expect("Session token")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    transcript = child.before or ""
    assert child.exitstatus == 0, transcript
    assert SECRET not in transcript  # not echoed
    secrets = tomllib.loads(sandbox.secrets_file.read_text())
    assert secrets["profiles"]["tty"] == {"secret_access_key": SECRET}


def test_add_existing_fails_unless_force(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    ok(add(run_s3env, "dup", "--region", "us-east-1"))
    before = sandbox.profiles_file.read_bytes()
    assert_one_line_error(add(run_s3env, "dup", "--region", "eu-west-1"), 1, "already exists", "--force")
    assert sandbox.profiles_file.read_bytes() == before
    ok(add(run_s3env, "dup", "--region", "eu-west-1", "--force", secret="another-secret-value-xyz"))
    data = json.loads(ok(run_s3env("profile", "show", "dup", "--json")).stdout)
    assert data["region"] == "eu-west-1"
    assert data["secret_access_key"] == "****-xyz"


def test_provider_preset_fills_defaults(run_s3env: RunS3env) -> None:
    ok(add(run_s3env, "oss1", "--provider", "oss", "--region", "cn-hangzhou"))
    data = json.loads(ok(run_s3env("profile", "show", "oss1", "--json")).stdout)
    assert data["provider"] == "oss"
    assert data["endpoint_url"] == "https://s3.oss-cn-hangzhou.aliyuncs.com"
    ok(add(run_s3env, "m", "--provider", "minio", "--endpoint-url", "http://127.0.0.1:9000"))
    data = json.loads(ok(run_s3env("profile", "show", "m", "--json")).stdout)
    assert data["addressing_style"] == "path"
    # An explicit option beats the preset.
    ok(
        add(
            run_s3env,
            "m2",
            "--provider",
            "minio",
            "--endpoint-url",
            "http://h:1",
            "--addressing-style",
            "virtual",
        )
    )
    assert (
        json.loads(ok(run_s3env("profile", "show", "m2", "--json")).stdout)["addressing_style"] == "virtual"
    )


def test_provider_that_needs_an_endpoint_says_so(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    result = add(run_s3env, "r2", "--provider", "r2")
    assert_one_line_error(result, 2, "--endpoint-url")
    assert not sandbox.profiles_file.exists()


def test_list_plain_and_json(run_s3env: RunS3env) -> None:
    assert "No profiles yet" in ok(run_s3env("profile", "list")).stdout
    assert json.loads(ok(run_s3env("profile", "list", "--json")).stdout) == []
    ok(add(run_s3env, "b-prof", "--endpoint-url", "http://127.0.0.1:1"))
    ok(run_s3env("profile", "add", "a-prof", "--region", "us-west-2"))  # no keys at all
    table = ok(run_s3env("profile", "list")).stdout.splitlines()
    assert table[0].split() == ["NAME", "ENDPOINT", "REGION", "PROVIDER", "ADDRESSING"]
    assert any(line.split()[:2] == ["b-prof", "http://127.0.0.1:1"] for line in table[1:])
    assert any(line.split()[:2] == ["a-prof", "(AWS)"] for line in table[1:])
    data = json.loads(ok(run_s3env("profile", "list", "--json")).stdout)
    assert [p["name"] for p in data] == ["b-prof", "a-prof"]
    assert all("secret_access_key" not in p for p in data)
    assert data[1] == {
        "name": "a-prof",
        "active": False,
        "endpoint_url": None,
        "region": "us-west-2",
        "addressing_style": "auto",
        "provider": None,
        "access_key_id": None,
        "credentials": "file",
        "extra": {},
    }


def test_set_changes_clears_and_refuses_secrets(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    ok(add(run_s3env, "p", "--endpoint-url", "http://127.0.0.1:9000", "--region", "us-east-1"))
    ok(run_s3env("profile", "set", "p", "region=eu-central-1", "addressing_style=path", "extra.payload=true"))
    data = json.loads(ok(run_s3env("profile", "show", "p", "--json")).stdout)
    assert (data["region"], data["addressing_style"], data["extra"]) == (
        "eu-central-1",
        "path",
        {"payload": "true"},
    )
    ok(run_s3env("profile", "set", "p", "endpoint_url=", "extra.payload="))
    data = json.loads(ok(run_s3env("profile", "show", "p", "--json")).stdout)
    assert data["endpoint_url"] is None and data["extra"] == {}

    before = sandbox.profiles_file.read_bytes()
    assert_one_line_error(run_s3env("profile", "set", "p", "secret_access_key=oops"), 2, "argv")
    assert_one_line_error(run_s3env("profile", "set", "p", "regoin=x"), 2, "unknown setting")
    assert_one_line_error(
        run_s3env("profile", "set", "p", "addressing_style=sideways"), 2, "addressing style"
    )
    assert_one_line_error(run_s3env("profile", "set", "p", "endpoint_url=ftp://x"), 2, "http or https")
    assert_one_line_error(run_s3env("profile", "set", "p", "novalue"), 2, "KEY=VALUE")
    # A failing assignment among good ones changes nothing.
    assert_one_line_error(run_s3env("profile", "set", "p", "region=us-west-1", "bogus=1"), 2)
    assert sandbox.profiles_file.read_bytes() == before


def test_rm_needs_yes_without_a_tty_and_removes_secrets(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    ok(add(run_s3env, "gone"))
    ok(add(run_s3env, "kept", secret="kept-secret-0123456789"))
    assert_one_line_error(run_s3env("profile", "rm", "gone"), 2, "--yes")
    assert "gone" in tomllib.loads(sandbox.profiles_file.read_text())["profiles"]
    ok(run_s3env("profile", "rm", "gone", "--yes"))
    assert "gone" not in tomllib.loads(sandbox.profiles_file.read_text())["profiles"]
    secrets = tomllib.loads(sandbox.secrets_file.read_text())["profiles"]
    assert "gone" not in secrets and secrets["kept"]["secret_access_key"] == "kept-secret-0123456789"
    assert_one_line_error(run_s3env("profile", "rm", "gone", "--yes"), 1, "no profile named 'gone'")


def test_rename_and_copy_move_secrets(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    ok(add(run_s3env, "old", "--endpoint-url", "http://127.0.0.1:9000"))
    ok(run_s3env("profile", "rename", "old", "new"))
    names = [p["name"] for p in json.loads(ok(run_s3env("profile", "list", "--json")).stdout)]
    assert names == ["new"]
    assert json.loads(ok(run_s3env("profile", "show", "new", "--json")).stdout)["secret_access_key"].endswith(
        SECRET[-4:]
    )
    ok(run_s3env("profile", "copy", "new", "twin"))
    twin = json.loads(ok(run_s3env("profile", "show", "twin", "--json")).stdout)
    assert twin["endpoint_url"] == "http://127.0.0.1:9000" and twin["secret_access_key"].endswith(SECRET[-4:])
    secrets = tomllib.loads(sandbox.secrets_file.read_text())["profiles"]
    assert set(secrets) == {"new", "twin"}
    assert_one_line_error(run_s3env("profile", "rename", "new", "twin"), 1, "already exists")
    assert_one_line_error(run_s3env("profile", "copy", "new", "twin"), 1, "already exists")
    assert_one_line_error(run_s3env("profile", "rename", "new", "bad name"), 2, "invalid profile name")


def test_unknown_profile_suggests_the_closest(run_s3env: RunS3env) -> None:
    ok(add(run_s3env, "production"))
    assert_one_line_error(run_s3env("profile", "show", "prodution"), 1, "did you mean 'production'")


@pytest.mark.parametrize(
    "name",
    ["bad name", "-leading-dash", ".hidden", "x" * 65, "semi;colon", "quote'd", "dollar$x", "ümlaut", "a/b"],
)
def test_bad_profile_names_are_refused(run_s3env: RunS3env, sandbox: Sandbox, name: str) -> None:
    result = run_s3env("profile", "add", name, "--region", "us-east-1")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not sandbox.profiles_file.exists()


@pytest.mark.parametrize(
    "url,needle",
    [
        ("ftp://example.com", "http or https"),
        ("example.com", "http or https"),
        ("http://", "no host"),
        ("http://user:pass@example.com", "credentials"),
        ("http://example.com:99999", "port"),
        ("http://exa mple.com", "whitespace"),
    ],
)
def test_bad_endpoint_urls_are_refused(run_s3env: RunS3env, url: str, needle: str) -> None:
    result = run_s3env("profile", "add", "p", "--endpoint-url", url)
    assert_one_line_error(result, 2, needle)
    if "pass" in url:
        assert "pass" not in result.stderr


def test_unknown_option_is_one_line_usage_error(run_s3env: RunS3env) -> None:
    assert_one_line_error(run_s3env("profile", "add", "x", "--bogus"), 2, "--bogus")
    assert_one_line_error(run_s3env("profile", "add", "x", "--provider", "nosuch"), 2, "unknown provider")


BROKEN_STORES = {
    "syntax": b'# my profiles\n[profiles.a]\nregion = "us-east-1"\nendpoint_url = = nope\n',
    "unclosed": b"[profiles.a\nregion = 'x'\n",
    "wrong_shape": b"profiles = 3\n",
    "secret_in_toml": b'[profiles.a]\nsecret_access_key = "oops"\n',
    "bad_utf8": b'[profiles.a]\nregion = "\xff\xfe"\n',
    "bad_value": b'[profiles.a]\naddressing_style = "sideways"\n',
}


@pytest.mark.parametrize("kind", sorted(BROKEN_STORES))
def test_broken_store_is_reported_and_left_byte_identical(
    run_s3env: RunS3env, sandbox: Sandbox, kind: str
) -> None:
    sandbox.store.mkdir(parents=True, exist_ok=True)
    sandbox.profiles_file.write_bytes(BROKEN_STORES[kind])
    commands = [
        ["profile", "list"],
        ["profile", "list", "--json"],
        ["profile", "show", "a"],
        ["profile", "set", "a", "region=x"],
        ["profile", "rm", "a", "--yes"],
        ["profile", "rename", "a", "b"],
        ["profile", "copy", "a", "b"],
    ]
    for command in commands:
        result = run_s3env(*command)
        assert_one_line_error(result, 1, str(sandbox.profiles_file))
        assert sandbox.profiles_file.read_bytes() == BROKEN_STORES[kind], command
    result = add(run_s3env, "c")
    assert_one_line_error(result, 1, str(sandbox.profiles_file))
    assert sandbox.profiles_file.read_bytes() == BROKEN_STORES[kind]
    assert SECRET not in result.stderr


def test_broken_toml_error_names_the_line(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    sandbox.store.mkdir(parents=True)
    sandbox.profiles_file.write_bytes(BROKEN_STORES["syntax"])
    result = run_s3env("profile", "list")
    assert f"{sandbox.profiles_file}:4: invalid TOML" in result.stderr


def test_unreadable_store_is_one_line(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    sandbox.store.mkdir(parents=True)
    sandbox.profiles_file.mkdir()  # a directory where the file should be: unreadable as a file
    assert_one_line_error(run_s3env("profile", "list"), 1, "cannot read")


def test_debug_traceback_never_shows_the_secret(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    sandbox.store.mkdir(parents=True)
    sandbox.profiles_file.write_bytes(BROKEN_STORES["syntax"])
    result = add(run_s3env, "c", secret="hunter2-very-secret-value")
    assert result.returncode == 1
    debug = run_s3env(
        "profile",
        "add",
        "c",
        "--access-key-id",
        "AK",
        "--secret-stdin",
        input="hunter2-very-secret-value\n",
        env={"S3ENV_DEBUG": "1"},
    )
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr  # debug shows where it failed…
    assert "hunter2" not in debug.stderr + debug.stdout  # …but never the secret


def test_providers_lists_required_presets(run_s3env: RunS3env) -> None:
    names = {p["name"] for p in json.loads(ok(run_s3env("providers", "--json")).stdout)}
    assert {"aws", "minio", "ceph", "r2", "oss", "cos", "gcs", "b2", "wasabi"} <= names
    table = ok(run_s3env("providers")).stdout
    assert table.splitlines()[0].split()[:2] == ["NAME", "TITLE"]
    assert "r2" in table


def test_concurrent_adds_all_land(sandbox: Sandbox) -> None:
    """20 `profile add` processes at once: the lock serialises them and none is lost."""
    procs = []
    for i in range(20):
        procs.append(
            subprocess.Popen(
                [
                    S3ENV,
                    "profile",
                    "add",
                    f"p{i:02d}",
                    "--access-key-id",
                    f"AK{i}",
                    "--secret-stdin",
                    "--endpoint-url",
                    f"http://127.0.0.1:{9000 + i}",
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=sandbox.env,
                text=True,
            )
        )
    for i, proc in enumerate(procs):
        assert proc.stdin is not None
        proc.stdin.write(f"secret-number-{i:02d}-abcdef\n")
        proc.stdin.close()
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    profiles = tomllib.loads(sandbox.profiles_file.read_text())["profiles"]
    assert sorted(profiles) == [f"p{i:02d}" for i in range(20)]
    assert all(profiles[f"p{i:02d}"]["endpoint_url"] == f"http://127.0.0.1:{9000 + i}" for i in range(20))
    secrets = tomllib.loads(sandbox.secrets_file.read_text())["profiles"]
    assert {k: v["secret_access_key"] for k, v in secrets.items()} == {
        f"p{i:02d}": f"secret-number-{i:02d}-abcdef" for i in range(20)
    }
    assert stat.S_IMODE(os.stat(sandbox.secrets_file).st_mode) == 0o600
