"""``quickload`` (the start-up path of ``env``, ``exec`` and the shim) against ``ProfileStore``:
whenever it answers, ProfileStore gives the same profile; otherwise it defers (None), and
ProfileStore answers or reports the error.  Also its store directory against platformdirs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import s3env
from s3env.core.errors import S3envError
from s3env.store.locations import default_store_dir
from s3env.store.profiles import ProfileStore
from s3env.store.quickload import quick_profile
from tests.conftest import Sandbox

PLATFORMDIRS = (
    "import platformdirs; print(platformdirs.user_config_dir('s3env', appauthor=False, roaming=True))"
)
QUICK = "from s3env.store.locations import default_store_dir; print(default_store_dir())"


@pytest.mark.parametrize(
    ("env", "answers"),
    [
        ({"HOME": "/home/u"}, True),
        ({"HOME": "/home/u/"}, True),
        ({"HOME": "/"}, True),
        ({"HOME": "/home/u", "XDG_CONFIG_HOME": "/x/conf"}, True),
        ({"HOME": "/home/u", "XDG_CONFIG_HOME": "/x/conf/"}, True),
        ({"HOME": "/home/u", "XDG_CONFIG_HOME": ""}, True),
        ({"HOME": "/home/u", "XDG_CONFIG_HOME": "relative/conf"}, False),
        ({"HOME": "/home/u", "XDG_CONFIG_HOME": " "}, False),
        ({"HOME": "relative"}, False),
        ({}, False),
    ],
)
def test_store_dir_is_platformdirs_answer(env: dict[str, str], answers: bool) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the plain XDG rule is only used on Linux; elsewhere platformdirs answers")
    base = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CONFIG_HOME")}
    base.update(env)

    def run(code: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", code], env=base, capture_output=True, text=True
        ).stdout.strip()

    quick = run(QUICK)
    assert (quick != "None") == answers
    if answers:
        assert quick == run(PLATFORMDIRS)
    assert default_store_dir() is not None or not sys.platform.startswith("linux")


def _store(sandbox: Sandbox) -> ProfileStore:
    store = s3env.open_store()
    store.add(
        s3env.Profile(
            "alpha",
            endpoint_url="http://127.0.0.1:9000/base",
            region="eu-west-1",
            addressing_style="path",
            access_key_id="AKIDALPHA",
            secret_access_key='se"cr$et\\ `x`',
            session_token="tok",
            extra={"signature_version": "s3v4"},
        )
    )
    store.add(
        s3env.Profile(
            "beta", endpoint_url="https://s3.example.com", access_key_id="AKIDB", secret_access_key="b"
        )
    )
    store.add(s3env.Profile("gamma", region="us-east-1"))
    store.set_setting("active", "beta")
    return store


@pytest.mark.parametrize("name", ["alpha", "beta", "gamma", None])
@pytest.mark.parametrize("secrets", [True, False])
def test_same_profile_as_profile_store(sandbox: Sandbox, name: str | None, secrets: bool) -> None:
    store = _store(sandbox)
    quick = quick_profile(name, secrets=secrets)
    assert quick is not None  # the ordinary case must not fall back
    assert quick == ProfileStore().get(name or "beta", secrets=secrets)
    if secrets and name == "alpha":
        assert quick.secret_access_key == 'se"cr$et\\ `x`' and quick.session_token == "tok"
    assert store.read()  # untouched


def _defers_and_store_decides(name: str | None = "alpha", secrets: bool = True) -> None:
    assert quick_profile(name, secrets=secrets) is None


def test_defers_on_what_it_does_not_handle(sandbox: Sandbox) -> None:
    _store(sandbox)
    assert quick_profile("nosuch", secrets=False) is None
    with pytest.raises(S3envError, match="nosuch"):
        ProfileStore().get("nosuch")

    # TOML that needs tomllib: ProfileStore reads it, quickload leaves it to ProfileStore.
    text = sandbox.profiles_file.read_text()
    sandbox.profiles_file.write_text(text.replace('region = "eu-west-1"', 'region = """eu-west-1"""'))
    _defers_and_store_decides()
    assert ProfileStore().get("alpha").region == "eu-west-1"

    # A bad value: ProfileStore reports it with the file's name.
    sandbox.profiles_file.write_text(text.replace('region = "eu-west-1"', 'region = "eu west"'))
    _defers_and_store_decides()
    with pytest.raises(S3envError, match="invalid region"):
        ProfileStore().get("alpha")
    sandbox.profiles_file.write_text(text)

    # A secrets file others can read: ProfileStore refuses it with the fix.
    os.chmod(sandbox.secrets_file, 0o644)
    _defers_and_store_decides()
    with pytest.raises(S3envError, match="chmod 600"):
        ProfileStore().get("alpha", secrets=True)
    os.chmod(sandbox.secrets_file, 0o600)
    assert quick_profile("alpha", secrets=True) is not None


def test_defers_to_the_keyring(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    _store(sandbox)
    monkeypatch.setenv("S3ENV_SECRETS", "keyring")
    _defers_and_store_decides()
    assert quick_profile("alpha", secrets=False) is not None  # no secret wanted: nothing to defer


def test_auto_with_nothing_stored_reads_no_secrets(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3ENV_SECRETS", "file")
    s3env.open_store().add(s3env.Profile("plain", region="us-east-1"))
    monkeypatch.delenv("S3ENV_SECRETS")
    text = sandbox.profiles_file.read_text()
    sandbox.profiles_file.write_text(text.replace('secrets = "file"\n', ""))
    quick = quick_profile("plain", secrets=True)
    assert quick is not None and quick == ProfileStore().get("plain", secrets=True)


def test_typer_commands_do_not_import_pydantic(sandbox: Sandbox) -> None:
    """typer 0.29 validates options with pydantic (~0.2 s of imports per command); pyproject pins
    typer below it.  Proof by import, for a command that takes an argument and an option."""
    _store(sandbox)
    for argv in (["profile", "list"], ["profile", "show", "alpha", "--json"]):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "s3env.cli.entry", *argv],
            env=sandbox.env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        assert "alpha" in result.stdout
        imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
        assert "typer" in imported  # the check looks at the typer path, not a quick one
        assert not {m for m in imported if m.split(".")[0] == "pydantic"}, argv
