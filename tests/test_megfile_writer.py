"""megfile.conf aliases: single keys owned by s3env inside the user's [alias] table."""

from __future__ import annotations

import configparser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3env.core.errors import FileParseError
from s3env.integrations.writers import ini_keys
from tests.conftest import RunS3env, Sandbox

USER_FILE = (
    "[env]\r\nMEGFILE_LOG_LEVEL = INFO\r\n\r\n"
    "; my aliases\r\n[alias]\r\ntos = s3+tos\r\n  # keep me\r\nA = s3+mine"
)


def read_aliases(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return dict(parser.items("alias")) if parser.has_section("alias") else {}


def test_upsert_and_remove_keep_every_other_byte() -> None:
    added = ini_keys.upsert_key(USER_FILE, "alias", "lab", "s3+lab")
    assert read_aliases(added) == {"tos": "s3+tos", "A": "s3+mine", "lab": "s3+lab"}
    assert added.startswith(USER_FILE)  # appended after the last entry, nothing else touched
    assert added.endswith("\r\nlab = s3+lab\r\n")
    updated = ini_keys.upsert_key(added, "alias", "lab", "s3+other")
    assert updated == added.replace("lab = s3+lab", "lab = s3+other")
    removed = ini_keys.remove_key(updated, "alias", "lab")
    assert removed == USER_FILE + "\r\n"  # only the line ending s3env had to add remains
    assert ini_keys.key_text(USER_FILE, "alias", "A") == "A = s3+mine"
    assert ini_keys.key_text(USER_FILE, "alias", "a") is None  # megfile keys are case-sensitive


def test_upsert_creates_the_section() -> None:
    assert ini_keys.upsert_key("", "alias", "x", "s3+x") == "[alias]\nx = s3+x\n"
    assert (
        ini_keys.upsert_key("[env]\nK = v\n", "alias", "x", "s3+x") == "[env]\nK = v\n\n[alias]\nx = s3+x\n"
    )


@given(st.lists(st.from_regex(r"[a-z][a-z0-9_.-]{0,8}", fullmatch=True), unique=True, max_size=6))
def test_adding_then_removing_keys_restores_the_text(names: list[str]) -> None:
    text = "[alias]\nuser = s3+user\n# trailing comment\n\n[env]\nX = 1\n"
    names = [n for n in names if n != "user"]
    edited = text
    for name in names:
        edited = ini_keys.upsert_key(edited, "alias", name, f"s3+{name}")
    assert read_aliases(edited) == {"user": "s3+user", **{n: f"s3+{n}" for n in names}}
    for name in names:
        edited = ini_keys.remove_key(edited, "alias", name)
    assert edited == text


@pytest.mark.parametrize("key", ["a=b", "[x]", " lead", "", "#c"])
def test_bad_alias_names_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        ini_keys.upsert_key("", "alias", key, "s3+x")


def test_use_adds_aliases_and_leaves_the_users_alone(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    conf = sandbox.home / ".config/megfile/megfile.conf"
    conf.parent.mkdir(parents=True)
    conf.write_bytes(USER_FILE.encode())
    for name in ("lab", "A", "s3"):
        result = run_s3env("profile", "add", name, "--endpoint-url", "http://127.0.0.1:9")
        assert result.returncode == 0, result.stderr
    result = run_s3env("use", "lab")
    assert result.returncode == 0, result.stderr
    assert "left your own 'A'" in result.stderr  # the user's alias of that name wins
    text = conf.read_bytes().decode()
    assert text.startswith(USER_FILE)
    assert read_aliases(text) == {"tos": "s3+tos", "A": "s3+mine", "lab": "s3+lab"}  # no alias for s3://
    assert run_s3env("profile", "rm", "lab", "--yes").returncode == 0
    assert read_aliases(conf.read_text()) == {"tos": "s3+tos", "A": "s3+mine"}


def test_broken_megfile_conf_is_refused_untouched(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    conf = sandbox.home / ".config/megfile/megfile.conf"
    conf.parent.mkdir(parents=True)
    broken = b"[alias]\nx = s3+x\nx = s3+y\n"
    conf.write_bytes(broken)
    assert run_s3env("profile", "add", "p", "--endpoint-url", "http://127.0.0.1:9").returncode == 0
    result = run_s3env("use", "p")
    assert result.returncode == 1
    assert f"{conf}:3" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert conf.read_bytes() == broken
    assert not sandbox.aws_config.exists()  # nothing at all was written


def test_validate_configparser_reports_interpolation_errors(tmp_path) -> None:
    from s3env.integrations.sync import validate_configparser

    with pytest.raises(FileParseError) as info:  # megfile.conf is no AWS file: the base class
        validate_configparser("[env]\nX = 50%\n", "m.conf")
    assert "m.conf" in str(info.value)
