"""``--exclude`` and ``--include`` as s5cmd matches them (``command/wildcard.go``,
``isURLMatched``): each pattern a wildcard (``*`` any run of characters, ``/`` included;
``?`` one character) matched against an object's path after the source's prefix (and its
``/``)."""

from __future__ import annotations

import re

from s3env.shim.boto3.storage.object import Object
from s3env.shim.boto3.urls import ObjectURL, wildcard_to_regex

Patterns = list[re.Pattern[str]]


def compile_patterns(wildcards: list[str]) -> Patterns:
    return [re.compile(wildcard_to_regex(w) + r"\Z", re.S) for w in wildcards if w]


def url_matched(patterns: Patterns, path: str, prefix: str) -> bool:
    """s5cmd ``isURLMatched``: ``path`` with ``prefix`` (+ ``/``) taken off matches a pattern."""
    if not patterns:
        return False
    if not prefix.endswith("/"):
        prefix += "/"
    return any(p.match(path.removeprefix(prefix)) for p in patterns)


def is_excluded(obj: Object, exclude: Patterns, include: Patterns, prefix: str) -> bool:
    """Whether ``--exclude``/``--include`` leave ``obj`` out (an excluded object stays out
    whatever the include patterns say)."""
    assert obj.url is not None
    if exclude and url_matched(exclude, obj.url.path, prefix):
        return True
    if include:
        return not url_matched(include, obj.url.path, prefix)
    return False


def source_prefix(url: ObjectURL) -> str:
    """Go's ``URL.Prefix`` of a source: empty for a raw URL."""
    return "" if url.raw else url.prefix
