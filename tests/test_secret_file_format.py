"""``file_format.read_written`` (secrets.toml as s3env writes it, read without ``tomllib`` at
start-up) against ``tomllib``: every file ``FileSecretStore`` writes is read without tomllib and
as tomllib reads it; for any other text it answers exactly what tomllib answers, or None."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3env.core.model import SECRET_FIELDS
from s3env.store.secrets.file_format import read_secret_file, read_written
from s3env.store.secrets.file_store import FileSecretStore

NAMES = st.text(alphabet="abcXYZ019_.-", min_size=1, max_size=10).filter(lambda n: n[0].isalnum())
SECRETS = st.dictionaries(
    NAMES,
    st.dictionaries(st.sampled_from(SECRET_FIELDS), st.text(min_size=1, max_size=30), min_size=1),
    max_size=4,
)


def agrees(text: str) -> None:
    got = read_written(text)
    if got is None:
        return
    try:
        want = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AssertionError(f"read_written accepted what tomllib refuses ({exc}): {text!r}") from None
    assert got == want, text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SECRETS)
def test_what_the_file_store_writes_is_read_without_tomllib(secrets: dict) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        store = FileSecretStore(Path(tmp) / "secrets.toml", Path(tmp) / ".lock")
        store._save(secrets)
        text = (Path(tmp) / "secrets.toml").read_text(encoding="utf-8")
        got = read_written(text)
        assert got is not None, text
        assert got == tomllib.loads(text)
        assert read_secret_file(str(Path(tmp) / "secrets.toml")) == secrets


LINES = [
    "# s3env secrets",
    "#\x01bad",
    "#\x7f",
    "",
    " ",
    "[profiles]",
    "[profiles.a]",
    "[profiles.b]",
    '[profiles."a.b"]',
    '[profiles."a"]',
    '[profiles."a\\"b"]',
    "[profiles.a.b]",
    "[profiles. a]",
    "[profiles.a] # c",
    "[profiles.-a]",
    "[[profiles.a]]",
    "[other]",
    'secret_access_key = "v"',
    'session_token = "t"',
    'secret_access_key = ""',
    "secret_access_key = 'lit'",
    'secret_access_key = """v"""',
    'secret_access_key = "a\\"b"',
    'secret_access_key = "a\\\\b"',
    'secret_access_key = "\\u00e9\\U0001F600"',
    'secret_access_key = "\\ud800"',
    'secret_access_key = "\\x41"',
    'secret_access_key = "\\e"',
    'secret_access_key = "tab\there"',
    'secret_access_key = "bell\x07"',
    'secret_access_key = "del\x7f"',
    'secret_access_key = "a"b"',
    'secret_access_key = "a\\"',
    'secret_access_key = "\\u00"',
    'secret_access_key = "v" # c',
    'secret_access_key  = "v"',
    'secret_access_key="v"',
    'access_key_id = "v"',
    "secret_access_key = 5",
    'secret_access_key = "v"\r',
    "[profiles.a]\r",
]
PIECES = st.sampled_from(LINES)


@pytest.mark.parametrize("line", LINES)
def test_each_line_in_a_table_agrees_with_tomllib(line: str) -> None:
    agrees(f"[profiles.a]\n{line}\n")
    agrees(f'# s3env\n\n[profiles.b]\nsession_token = "t"\n[profiles.a]\n{line}')


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_never_disagrees_with_tomllib(lines: list[str], newline: str) -> None:
    agrees(newline.join(lines))


@pytest.mark.parametrize(
    "text",
    [
        "[profiles.a]\n[profiles.a]\n",  # a table twice
        '[profiles.a]\nsecret_access_key = "x"\nsecret_access_key = "y"\n',  # a key twice
        'secret_access_key = "x"\n',  # outside a table
        "[profiles.a]\nsecret_access_key = '''x'''\n",
        '[profiles.a]\r\nsecret_access_key = "x"\r\n',
    ],
)
def test_what_s3env_does_not_write_goes_to_tomllib(text: str) -> None:
    assert read_written(text) is None
