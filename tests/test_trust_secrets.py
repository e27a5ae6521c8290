"""Issue 13, secrets: no repr, str, message, notice or --debug traceback of s3env ever holds one,
and URLs are shown without their user:secret@ part."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import pytest

import s3env
from tests.conftest import RunS3env, Sandbox

SECRET = "sk-TOPSECRET-0123456789"
TOKEN = "tok-TOPSECRET-session-42"
USER_SECRET = "user-OWN-secret-98765"
SECRETS = (SECRET, TOKEN, USER_SECRET)


def _walk(obj: object, seen: set[int], depth: int = 0):
    """Every object reachable from ``obj`` through attributes and containers."""
    if id(obj) in seen or depth > 8 or isinstance(obj, (str, bytes, int, float, bool, type(None), Path)):
        return
    seen.add(id(obj))
    yield obj
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        children = list(obj)
    else:
        children = []
        if dataclasses.is_dataclass(obj):
            children += [getattr(obj, f.name) for f in dataclasses.fields(obj)]
        children += list(getattr(obj, "__dict__", {}).values())
        for cls in type(obj).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if hasattr(obj, slot):
                    children.append(getattr(obj, slot))
    for child in children:
        yield from _walk(child, seen, depth + 1)


def assert_nothing_shows_a_secret(*roots: object) -> int:
    checked = 0
    for root in roots:
        for obj in _walk(root, set()):
            if not type(obj).__module__.startswith("s3env"):
                continue
            for text in (repr(obj), str(obj)):
                for secret in SECRETS:
                    assert secret not in text, (type(obj).__name__, secret)
            checked += 1
    return checked


def test_no_result_of_the_api_shows_a_secret(sandbox: Sandbox) -> None:
    from s3env.integrations.importing import import_profiles
    from s3env.integrations.sync import plan

    sandbox.aws_credentials.write_text(
        f"[default]\naws_access_key_id = AKUSER\naws_secret_access_key = {USER_SECRET}\n"
    )
    store = s3env.open_store()
    lab = s3env.Profile(
        "lab",
        endpoint_url="http://127.0.0.1:9",
        region="us-east-1",
        access_key_id="AKLAB",
        secret_access_key=SECRET,
        session_token=TOKEN,
    )
    store.add(lab)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        used = s3env.use("lab")
        written = s3env.write()
    assert any(issubclass(w.category, s3env.DefaultNotManaged) for w in caught)  # a warning, not buried
    assert SECRET in sandbox.aws_credentials.read_text()  # the results below did carry the texts
    exported = s3env.activate("lab", with_keys=True)
    assert exported["AWS_SECRET_ACCESS_KEY"] == SECRET  # a plain dict to use …
    planned, state = plan(store, active="lab")
    imported = import_profiles(store, "aws", dict(sandbox.env), prefix="copy-", dry_run=True)
    got = store.get("lab", secrets=True)
    assert got.secret_access_key == SECRET
    checked = assert_nothing_shows_a_secret(
        used, written, exported, planned, state, imported, got, store, store.read(), store.secret_store()
    )
    assert checked > 20
    s3env.deactivate()


def test_no_error_message_shows_a_secret() -> None:
    from s3env.core.model import apply_setting, validate_secret

    profile = s3env.Profile("p")
    errors: list[Exception] = []
    for call in (
        lambda: validate_secret("secret_access_key", SECRET + "\0"),
        lambda: apply_setting(profile, "secret_access_key", SECRET),
        lambda: apply_setting(profile, "extra.aws_secret_access_key", SECRET),
        lambda: apply_setting(profile, "extra.sso_session", SECRET + "\n"),
        lambda: apply_setting(profile, "endpoint_url", f"ftp://AK:{SECRET}@host"),
        lambda: apply_setting(profile, "endpoint_url", f"https://AK:{SECRET}@host"),
    ):
        with pytest.raises(s3env.S3envError) as exc:
            call()
        errors.append(exc.value)
    assert_nothing_shows_a_secret(errors)


def test_urls_are_masked_wherever_shown() -> None:
    from s3env.core.model import mask_url, mask_urls_in

    assert mask_url(f"https://AK:{SECRET}@host:9/p@th") == "https://****@host:9/p@th"
    assert mask_url("http://host/a@b") == "http://host/a@b"  # an @ in the path is no user part
    # in free text too, and a secret holding an unescaped '@' is masked whole
    assert mask_urls_in(f"see 'https://AK:p@{SECRET}@host/x@y' and http://h/") == (
        "see 'https://****@host/x@y' and http://h/"
    )


# --- 10. other tools' files that do not parse -------------------------------------------------------


@pytest.mark.parametrize("debug", ["", "1"])
def test_a_malformed_rclone_conf_line_is_named_not_shown(
    run_s3env: RunS3env, sandbox: Sandbox, debug: str
) -> None:
    conf = sandbox.home / ".config" / "rclone" / "rclone.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text(f"[minio]\ntype = s3\naccess_key_id = AK\n{SECRET}\n")
    result = run_s3env("import", "rclone", env={"S3ENV_DEBUG": debug})
    assert result.returncode == 1
    assert SECRET not in result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"s3env: error: {conf}:4: ") and "neither" in last
    assert "unexpected" not in result.stderr


@pytest.mark.parametrize("debug", ["", "1"])
def test_a_malformed_megfile_conf_is_named_not_shown(
    run_s3env: RunS3env, sandbox: Sandbox, debug: str
) -> None:
    conf = sandbox.home / ".config" / "megfile" / "megfile.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text(f"[env]\nAWS_ACCESS_KEY_ID = AK\n{SECRET}\n")
    result = run_s3env("import", "megfile", env={"S3ENV_DEBUG": debug})
    assert result.returncode == 1 and SECRET not in result.stdout + result.stderr
    assert f"{conf}:3:" in result.stderr
    # the writer's own check of megfile.conf says as little (interpolation quotes the value)
    conf.write_text(f"[alias]\nmine = %{SECRET}\n")
    run_s3env("profile", "add", "p", "--region", "us-east-1")
    result = run_s3env("use", "p", env={"S3ENV_DEBUG": debug})
    assert result.returncode == 1 and SECRET not in result.stdout + result.stderr
    assert f"{conf}" in result.stderr and "'%'" in result.stderr


def test_import_never_echoes_user_info_of_urls(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    sandbox.aws_config.write_text(
        f"[profile leaky]\ns3 =\n  endpoint_url = https://AKU:{SECRET}@minio.example:9000\n"
        f"[profile two]\nendpoint_url = https://AKU:{TOKEN}@a.example\n"
        "s3 =\n  endpoint_url = https://b.example\n"
    )
    for args in (["--dry-run"], [], ["--prefix", "x-", "--dry-run"]):
        result = run_s3env("import", "aws", *args)
        assert SECRET not in result.stdout + result.stderr and TOKEN not in result.stdout + result.stderr
        assert "leaky (" in result.stdout and "carries credentials" in result.stdout
    env = {"S3_ENDPOINT_URL": f"https://AK:{SECRET}@one.example", "AWS_ENDPOINT_URL": "https://two.example"}
    result = run_s3env("import", "env", "--dry-run", env=env)
    assert SECRET not in result.stdout + result.stderr and "disagree" in result.stdout


def test_debug_traceback_shows_frames_but_no_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exception s3env did not expect may quote a value (configparser quotes lines, botocore
    headers): with S3ENV_DEBUG=1 its frames and type are shown, its text is not."""
    from s3env.core.errorline import exit_status_for

    def inner() -> None:
        raise ValueError(f"bad line: aws_secret_access_key = {SECRET}")

    try:
        try:
            inner()
        except ValueError as exc:
            raise s3env.StoreError("profiles.toml: cannot read it") from exc
    except s3env.StoreError as exc:
        caught = exc
    monkeypatch.setenv("S3ENV_DEBUG", "1")
    assert exit_status_for(caught) == 1
    err = capsys.readouterr().err
    assert SECRET not in err
    assert "Traceback (most recent call last)" in err and "in inner" in err and "builtins.ValueError" in err
    assert err.strip().endswith("s3env: error: profiles.toml: cannot read it")


def test_doctor_masks_user_info_of_every_endpoint(run_s3env: RunS3env) -> None:
    run_s3env("profile", "add", "p", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1")
    run_s3env("use", "p")
    env = {
        "AWS_PROFILE": "p",
        "S3_ENDPOINT_URL": f"http://AK:{SECRET}@127.0.0.1:9",
        "AWS_ENDPOINT_URL": f"http://AK:{TOKEN}@127.0.0.1:10",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for args in ([], ["--json"]):
        result = run_s3env("doctor", *args, env=env)
        assert result.returncode == 1 and "****@127.0.0.1" in result.stdout
        assert SECRET not in result.stdout + result.stderr and TOKEN not in result.stdout + result.stderr
