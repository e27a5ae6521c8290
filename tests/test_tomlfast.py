"""``tomlfast.loads_simple`` against ``tomllib``: whenever it answers, tomllib agrees; for the
files s3env writes (tomlkit output) it always answers."""

from __future__ import annotations

import tomllib

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3env.store.tomlfast import loads_simple

KEY = st.text(alphabet="abcXYZ09_-", min_size=1, max_size=8) | st.text(min_size=0, max_size=8)
VALUE = st.text(max_size=20) | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.booleans()
TABLES = st.dictionaries(KEY, st.dictionaries(KEY, VALUE, max_size=5), max_size=5)


def agrees(text: str) -> None:
    got = loads_simple(text)
    if got is None:
        return
    try:
        want = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AssertionError(f"loads_simple accepted what tomllib refuses ({exc}): {text!r}") from None
    assert got == want, text


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(TABLES, st.dictionaries(KEY, st.text(max_size=10), max_size=3))
def test_what_tomlkit_writes_is_read_without_tomllib(profiles: dict, top: dict) -> None:
    doc = tomlkit.document()
    doc.add(tomlkit.comment("a comment, as s3env writes one"))
    for key, value in top.items():
        doc[key] = value
    table = tomlkit.table(is_super_table=True)
    for name, entry in profiles.items():
        table[name] = entry
    if profiles:
        doc["profiles"] = table
    text = tomlkit.dumps(doc)
    got = loads_simple(text)
    assert got is not None, text
    assert got == tomllib.loads(text)


# Lines built from TOML's pieces, valid and not: whatever loads_simple accepts, tomllib must agree.
PIECES = st.sampled_from(
    [
        "[a]",
        "[a.b]",
        "[ a ]",
        '["q.x"]',
        "[a]]",
        "[[a]]",
        "[a.b.c]",
        "[]",
        "['lit']",
        '[a."b"]',
        "k = 1",
        "k = -0",
        "k = +7",
        "k = 01",
        "k = 1_000",
        "k = 1.5",
        "k = 0x1f",
        "k = true",
        "k = false",
        "k = True",
        "k = truex",
        'k = "v"',
        "k = 'v'",
        "k = '''v'''",
        'k = """v"""',
        'k = "a\\"b"',
        'k = "\\u00e9"',
        'k = "\\ud800"',
        'k = "\\x41"',
        'k = "\\U0001F600"',
        'k = "tab\there"',
        "k = [1, 2]",
        "k = {a = 1}",
        "k = 1979-05-27",
        "a.b = 1",
        '"k" = 1',
        '"" = 1',
        "k=1",
        "k =",
        "= 1",
        "k = 1 # c",
        "k = 1 x",
        "# comment",
        "#\x01bad",
        "",
        "   ",
        "\t",
        'k = "unterminated',
        "j = 2",
        '"j" = 3',
        "k = 'a\x7fb'",
        "\ufeffk = 1",
        "K = 1",
        "k\t=\t1",
        "k = 1\r",
        'k = "\r"',
        "k = 9223372036854775808",
    ]
)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_never_disagrees_with_tomllib(lines: list[str], newline: str) -> None:
    agrees(newline.join(lines))


@pytest.mark.parametrize(
    "text",
    [
        "[a]\nk = 1\n[a]\nj = 2\n",  # a table defined twice
        "[a]\nk = 1\nk = 2\n",  # a key twice
        "[a.b]\n[a]\nk = 1\n",  # legal TOML, but not what s3env writes: tomllib decides
        "[a]\nb = 1\n[a.b]\n",  # a value, then a table of the same name
        "k = [\n1]\n",
    ],
)
def test_hard_cases_go_to_tomllib(text: str) -> None:
    assert loads_simple(text) is None


def test_store_files_as_written() -> None:
    text = (
        '# s3env profiles.\n\n[settings]\nsecrets = "file"\nactive = "a b"\n\n'
        '[profiles."a b"]\nendpoint_url = "http://h:9000"\nregion = "us-east-1"\n'
        "[profiles.x]\nextra = 'lit \"q\"'\nn = 3\nflag = false\n"
    )
    assert loads_simple(text) == tomllib.loads(text)
