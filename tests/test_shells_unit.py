"""The pure parts of the shell layer: quoting round trips, refusals, the exported variables."""

from __future__ import annotations

import json
import shlex

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3env.core.errors import InvalidValue
from s3env.core.model import Profile
from s3env.integrations.envvars import MANAGED_VARS, profile_env, unset_env
from s3env.integrations.shells import SHELLS, detect_shell, env_files, get_shell
from s3env.integrations.shells.cmd import quote_cmd
from s3env.integrations.shells.fish import quote_fish
from s3env.integrations.shells.posix import quote_posix
from s3env.integrations.shells.pwsh import quote_pwsh

values = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), max_size=200)


@given(values)
def test_posix_quoting_round_trips_through_a_posix_lexer(value: str) -> None:
    assert shlex.split(quote_posix(value)) == [value]


def unquote_fish(text: str) -> str:
    """fish's rules for one single-quoted word: only \\\\ and \\' are escapes."""
    assert text[0] == "'" and text[-1] == "'"
    out, i, body = [], 0, text[1:-1]
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in "\\'":
            out.append(body[i + 1])
            i += 2
        else:
            assert body[i] != "'", "unescaped quote would end the word"
            out.append(body[i])
            i += 1
    return "".join(out)


@given(values)
def test_fish_quoting_round_trips(value: str) -> None:
    assert unquote_fish(quote_fish(value)) == value


@given(values)
def test_pwsh_quoting_doubles_every_single_quote(value: str) -> None:
    quoted = quote_pwsh(value)
    body = quoted[1:-1]
    for quote in "'\u2018\u2019\u201a\u201b":
        assert body.count(quote) == 2 * value.count(quote)
    assert body.replace("''", "").replace("\u2018\u2018", "").replace("\u2019\u2019", "").count("'") == 0


def test_cmd_doubles_percent() -> None:
    assert quote_cmd("100%PATH%") == "100%%PATH%%"


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_nul_is_refused_before_anything_is_printed(shell: str) -> None:
    with pytest.raises(InvalidValue, match="NUL"):
        get_shell(shell).render({"A": "fine", "B": "bad\0value"})


@pytest.mark.parametrize("shell", ["cmd", "dotenv"])
def test_newline_is_refused_where_it_cannot_be_carried(shell: str) -> None:
    with pytest.raises(InvalidValue, match="newline"):
        get_shell(shell).render({"SECRET": "line1\nline2"})


def test_bad_variable_names_are_refused() -> None:
    with pytest.raises(InvalidValue):
        get_shell("bash").render({"BAD-NAME": "x"})


def test_json_uses_null_for_unset() -> None:
    assert json.loads(get_shell("json").render({"B": None, "A": "1"})) == {"A": "1", "B": None}


def test_dotenv_leaves_unsets_out_and_quotes_only_when_needed() -> None:
    text = get_shell("dotenv").render({"A": "plain/value:1", "B": "has space", "C": None})
    assert text == "A=plain/value:1\nB='has space'\n"


@pytest.mark.parametrize(
    ("shell_var", "name"),
    [
        ("/bin/bash", "bash"),
        ("/usr/bin/zsh", "zsh"),
        ("/usr/bin/fish", "fish"),
        ("/bin/dash", "sh"),
        ("", "sh"),
        ("/opt/weird", "sh"),
        ("pwsh", "pwsh"),
    ],
)
def test_detect_shell(shell_var: str, name: str) -> None:
    assert detect_shell({"SHELL": shell_var}).name == name


def test_one_env_file_per_format() -> None:
    assert sorted(env_files()) == ["cmd", "env", "fish", "json", "ps1", "sh"]


def test_profile_env_default_mode_selects_the_profile_and_exports_no_secret() -> None:
    p = Profile("p", endpoint_url="http://h:1", region="r1", access_key_id="AK", secret_access_key="SK")
    env = profile_env(p)
    assert set(env) == set(MANAGED_VARS)
    assert env["AWS_PROFILE"] == env["AWS_DEFAULT_PROFILE"] == env["S3ENV_PROFILE"] == "p"
    assert env["S3_ENDPOINT_URL"] == env["AWS_ENDPOINT_URL_S3"] == "http://h:1"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "r1"
    for name in (
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "OSS_ENDPOINT",
    ):
        assert env[name] is None
    assert "SK" not in json.dumps(env)


def test_profile_env_with_keys_is_the_env_only_recipe() -> None:
    p = Profile(
        "p",
        endpoint_url="http://h:1",
        region="r1",
        addressing_style="path",
        access_key_id="AK",
        secret_access_key="SK",
        session_token="TK",
    )
    env = profile_env(p, with_keys=True)
    assert env["AWS_PROFILE"] is None and env["AWS_DEFAULT_PROFILE"] is None
    assert env["S3_ENDPOINT_URL"] == env["AWS_ENDPOINT_URL"] == env["AWS_ENDPOINT_URL_S3"] == "http://h:1"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]) == (
        "AK",
        "SK",
        "TK",
    )
    assert env["AWS_S3_ADDRESSING_STYLE"] == "path"


def test_profile_without_endpoint_unsets_every_endpoint_variable() -> None:
    env = profile_env(Profile("aws", region="eu-west-1"), with_keys=True)
    assert all(
        env[n] is None for n in ("S3_ENDPOINT_URL", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "OSS_ENDPOINT")
    )


def test_unset_env_covers_everything() -> None:
    assert unset_env() == dict.fromkeys(MANAGED_VARS)


# --- the character tests that replaced regular expressions (no `re` at start-up) -------------------

NAMEISH = st.text(alphabet="aZ_09-.é $\n\0", max_size=6) | st.text(max_size=6)


@given(NAMEISH)
def test_env_name_check_is_the_regex(name: str) -> None:
    import re

    from s3env.integrations.shells.base import is_env_name

    assert is_env_name(name) == bool(re.match(r"[A-Za-z_][A-Za-z0-9_]*\Z", name))


@given(st.text(alphabet="aZ09_./:@%+=,-'\" $\\é\t", max_size=8) | st.text(max_size=8))
def test_dotenv_plain_values_are_the_regex(value: str) -> None:
    import re

    plain = bool(re.match(r"[A-Za-z0-9_./:@%+=,-]*\Z", value))
    try:
        line = get_shell("dotenv").render({"X": value})
    except InvalidValue:
        return
    assert (line == f"X={value}\n") == plain
