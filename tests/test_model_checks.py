"""The hand-written character checks in ``s3env.core.model`` against the regexes they replaced
(model.py avoids ``re``, which costs shell start-up ~4 ms)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from s3env.core import model

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
EXTRA_KEY_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}\Z")
KEY_ID_RE = re.compile(r"[\x21-\x7e]{1,256}\Z")
URL_RE = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<netloc>[^/?#]*)(?P<path>/[^?#]*)?(?P<rest>[?#].*)?\Z", re.S
)
HOST_RE = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.~%-]+)\Z")

# Mostly the interesting characters, sometimes anything, sometimes long.
PIECES = st.sampled_from([*list("aZ09_.-+~%:/?#[]@ \n\t\x00é"), "http", "https", "://", "[::1]", "x" * 70])
TEXT = st.lists(PIECES, max_size=12).map("".join) | st.text(max_size=80) | st.text(max_size=300)


@settings(max_examples=3000)
@given(TEXT)
def test_token_checks_match_the_regexes(text: str) -> None:
    assert model.is_profile_name(text) == bool(NAME_RE.match(text))
    assert model._is_region(text) == bool(NAME_RE.match(text))
    assert model._is_extra_key(text) == bool(EXTRA_KEY_RE.match(text))
    assert model._is_key_id(text) == bool(KEY_ID_RE.match(text))
    assert model._is_host(text) == bool(HOST_RE.match(text))


@settings(max_examples=3000)
@given(TEXT)
def test_split_url_matches_the_regex(text: str) -> None:
    match = URL_RE.match(text)
    want = (
        None
        if match is None
        else (match["scheme"], match["netloc"], match["path"] or "", match["rest"] or "")
    )
    assert model.split_url(text) == want


def test_known_urls() -> None:
    assert model.split_url("https://s3.example.com:9000/base?x#y") == (
        "https",
        "s3.example.com:9000",
        "/base",
        "?x#y",
    )
    assert model.split_url("http://[::1]:9000") == ("http", "[::1]:9000", "", "")
    assert model.split_url("1http://x") is None
    assert model.split_url("http:/x") is None


def test_length_limits() -> None:
    for size, ok in ((64, True), (65, False)):
        assert model.is_profile_name("a" * size) == ok == bool(NAME_RE.match("a" * size))
        assert model._is_extra_key("_" * size) == ok == bool(EXTRA_KEY_RE.match("_" * size))
    for size, ok in ((256, True), (257, False)):
        assert model._is_key_id("K" * size) == ok == bool(KEY_ID_RE.match("K" * size))
