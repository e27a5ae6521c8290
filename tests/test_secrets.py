"""Secret stores: the 0600 file, a real Secret Service, and the rules that choose between them."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib

import pytest

from s3env.core.errors import SecretStoreError
from s3env.store.secrets.file_store import FileSecretStore
from tests.conftest import S3ENV, RunS3env, Sandbox
from tests.tools import require_program

SECRET = "s3cr3t/with'quotes\"and$dollar`tick"


def add(run_s3env: RunS3env, name: str, env: dict[str, str | None] | None = None):
    return run_s3env(
        "profile", "add", name, "--access-key-id", "AKID", "--secret-stdin", input=SECRET + "\n", env=env
    )


def test_file_store_is_created_0600_even_with_a_lax_umask(sandbox: Sandbox) -> None:
    script = "import os; os.umask(0); from s3env.cli.entry import main; raise SystemExit(main())"
    result = subprocess.run(
        [sys.executable, "-c", script, "profile", "add", "u", "--access-key-id", "AK", "--secret-stdin"],
        input="value-of-secret\n",
        env=sandbox.env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(sandbox.secrets_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(sandbox.store).st_mode) == 0o700


def test_file_store_refuses_a_file_readable_by_others(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    assert add(run_s3env, "p").returncode == 0
    os.chmod(sandbox.secrets_file, 0o644)
    before = sandbox.secrets_file.read_bytes()
    result = run_s3env("profile", "show", "p")
    assert result.returncode == 1
    assert "readable by others" in result.stderr and "chmod 600" in result.stderr
    assert SECRET not in result.stderr + result.stdout
    assert sandbox.secrets_file.read_bytes() == before


def test_file_store_round_trips_hostile_values(tmp_path) -> None:
    store = FileSecretStore(tmp_path / "secrets.toml", tmp_path / ".lock")
    values = [
        "a\nb",
        " lead and trail ",
        "tab\there",
        'quote"\'\'\'"""',
        "back\\slash",
        "ünï©ødé ☃",
        "x" * 8192,
    ]
    for i, value in enumerate(values):
        store.set(f"p{i}", "secret_access_key", value)
    for i, value in enumerate(values):
        assert store.get(f"p{i}", "secret_access_key") == value
    store.delete_all("p0")
    assert store.get("p0", "secret_access_key") is None
    assert stat.S_IMODE(os.stat(tmp_path / "secrets.toml").st_mode) == 0o600


def test_file_store_reports_broken_toml_without_content(tmp_path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[profiles.a]\nsecret_access_key = "unterminated-SECRETVALUE\n')
    os.chmod(path, 0o600)
    with pytest.raises(SecretStoreError) as info:
        FileSecretStore(path, tmp_path / ".lock").get("a", "secret_access_key")
    assert "invalid TOML" in str(info.value)
    assert "SECRETVALUE" not in str(info.value)


# ---- choosing a store --------------------------------------------------------------------------


def test_auto_falls_back_to_file_when_only_a_failing_backend_exists(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    env = {"S3ENV_SECRETS": None, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = add(run_s3env, "p", env=env)
    assert result.returncode == 0, result.stderr
    notices = result.stderr.strip().splitlines()
    assert (
        len(notices) == 1 and "no secure OS keyring" in notices[0] and str(sandbox.secrets_file) in notices[0]
    )
    assert tomllib.loads(sandbox.secrets_file.read_text())["profiles"]["p"]["secret_access_key"] == SECRET
    assert tomllib.loads(sandbox.profiles_file.read_text())["settings"]["secrets"] == "file"
    # Pinned: the next secret goes to the file without a new notice or any keyring look-up.
    again = add(run_s3env, "q", env=env)
    assert again.returncode == 0 and again.stderr == ""


def test_auto_never_takes_a_plaintext_keyring_it_discovered(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    # keyrings.alt is installed (test extra) and no D-Bus exists: keyring itself would pick
    # keyrings.alt's PlaintextKeyring.  s3env must not call that a keyring.
    result = add(run_s3env, "p", env={"S3ENV_SECRETS": None})
    assert result.returncode == 0, result.stderr
    assert "no secure OS keyring" in result.stderr
    assert sandbox.secrets_file.exists()
    assert not (sandbox.home / ".local/share/python_keyring").exists()


def test_explicit_keyring_without_a_secure_backend_is_an_error(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    result = add(run_s3env, "p", env={"S3ENV_SECRETS": "keyring"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no secure OS keyring" in lines[0] and "S3ENV_SECRETS=file" in lines[0]
    assert not sandbox.secrets_file.exists()
    assert not sandbox.profiles_file.exists() or "p" not in sandbox.profiles_file.read_text()


def test_explicitly_configured_plaintext_keyring_is_used_and_labelled(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    env = {"S3ENV_SECRETS": "keyring", "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
    assert add(run_s3env, "alt", env=env).returncode == 0
    shown = run_s3env("profile", "show", "alt", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "keyrings.alt.file.PlaintextKeyring (plain text)" in shown.stdout
    assert "****" in shown.stdout and SECRET not in shown.stdout
    assert not sandbox.secrets_file.exists()
    stored = sandbox.home / ".local/share/python_keyring/keyring_pass.cfg"
    assert stored.exists() and "s3env" in stored.read_text()


def test_reads_do_not_load_keyring_when_the_file_store_is_pinned(run_s3env: RunS3env) -> None:
    assert add(run_s3env, "p").returncode == 0
    # A backend name that cannot load: any keyring look-up would fail loudly.
    env = {"PYTHON_KEYRING_BACKEND": "no.such.Backend", "S3ENV_SECRETS": None}
    for command in (["profile", "list"], ["profile", "show", "p"], ["profile", "set", "p", "region=x"]):
        result = run_s3env(*command, env=env)
        assert result.returncode == 0, (command, result.stderr)


def test_bad_s3env_secrets_value_is_a_usage_error(run_s3env: RunS3env) -> None:
    result = add(run_s3env, "p", env={"S3ENV_SECRETS": "vault"})
    assert result.returncode == 2
    assert "S3ENV_SECRETS" in result.stderr


# ---- a real Secret Service (gnome-keyring on a private D-Bus session) ------------------------


def run_in_secret_service(sandbox: Sandbox, script: str) -> subprocess.CompletedProcess[str]:
    require_program("dbus-run-session")
    require_program("gnome-keyring-daemon")
    require_program("secret-tool")
    env = dict(sandbox.env)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env.pop("S3ENV_SECRETS", None)
    wrapped = (
        "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 90\n" + script
    )
    return subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", wrapped],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_keyring_store_against_a_real_secret_service(sandbox: Sandbox) -> None:
    script = f"""
set -e
printf '%s\\n' 'kr-secret-value-0001' | {S3ENV} profile add kr --access-key-id AKID --secret-stdin
echo "lookup=$(secret-tool lookup service s3env username kr/secret_access_key)"
{S3ENV} profile show kr
{S3ENV} profile rename kr kr2
echo "old=$(secret-tool lookup service s3env username kr/secret_access_key || echo MISSING)"
echo "new=$(secret-tool lookup service s3env username kr2/secret_access_key)"
{S3ENV} profile rm kr2 --yes
echo "after_rm=$(secret-tool lookup service s3env username kr2/secret_access_key || echo MISSING)"
"""
    result = run_in_secret_service(sandbox, script)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "secrets in keyring keyring.backends.SecretService.Keyring" in out
    assert "lookup=kr-secret-value-0001" in out
    assert "****0001" in out and "plain text" not in out
    assert "old=MISSING" in out and "new=kr-secret-value-0001" in out
    assert "after_rm=MISSING" in out
    assert "no secure OS keyring" not in result.stderr
    assert not sandbox.secrets_file.exists()
    assert tomllib.loads(sandbox.profiles_file.read_text())["settings"]["secrets"] == "keyring"
    assert "kr-secret-value" not in sandbox.profiles_file.read_text()
