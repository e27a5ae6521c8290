"""A reader for the plain TOML that s3env writes, without importing ``tomllib``.

``s3env env`` runs in shell start-up and ``s3env ls`` in front of s5cmd, and importing
``tomllib`` (with ``typing``, ``datetime`` and its regexes) costs ~13 ms there: more than
everything else they do.  The store files are tables of string, integer and boolean values
written by tomlkit; this reads exactly that and answers ``None`` for anything else (arrays,
inline tables, multi-line strings, dotted keys, floats, dates, odd escapes, duplicate keys,
even trailing whitespace inside a header), so the caller falls back to ``tomllib``, which
then parses it or reports the error with its position.  Pure; checked against ``tomllib``
with hypothesis (tests/test_tomlfast.py): whenever this returns a value, tomllib agrees.
"""

from __future__ import annotations

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {'"': '"', "\\": "\\", "b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r"}
_DIGITS = frozenset("0123456789")


class _NotSimple(Exception):
    pass


def loads_simple(text: str) -> dict[str, object] | None:
    """The document as ``tomllib.loads`` would give it, or None if it is not plain enough."""
    try:
        return _parse(text)
    except _NotSimple:
        return None


def _parse(text: str) -> dict[str, object]:
    root: dict[str, object] = {}
    table = root
    defined: set[tuple[str, ...]] = set()
    lines = text.split("\n")
    last = len(lines) - 1
    for number, line in enumerate(lines):
        if line.endswith("\r"):
            if number == last:  # CR only as part of CRLF
                raise _NotSimple
            line = line[:-1]
        stripped = line.strip(" \t")
        if not stripped or stripped[0] == "#":
            _check_comment(stripped)
            continue
        if stripped[0] == "[":
            path, rest = _header(stripped)
            _check_comment(rest)
            if path in defined:
                raise _NotSimple
            defined.add(path)
            table = root
            for part in path:
                child = table.setdefault(part, {})
                if not isinstance(child, dict):
                    raise _NotSimple
                table = child
            if table:  # a header after its own sub-tables or values: leave it to tomllib
                raise _NotSimple
            continue
        key, rest = _key(stripped)
        rest = rest.lstrip(" \t")
        if not rest or rest[0] != "=":
            raise _NotSimple
        value, rest = _value(rest[1:].lstrip(" \t"))
        _check_comment(rest.lstrip(" \t"))
        if key in table:
            raise _NotSimple
        table[key] = value
    return root


def _check_comment(rest: str) -> None:
    if rest and (rest[0] != "#" or any((c < " " and c != "\t") or c == "\x7f" for c in rest)):
        raise _NotSimple


def _header(text: str) -> tuple[tuple[str, ...], str]:
    if text.startswith("[["):
        raise _NotSimple
    parts: list[str] = []
    rest = text[1:]
    while True:
        key, rest = _key(rest)
        parts.append(key)
        if rest[:1] == ".":
            rest = rest[1:]
            continue
        if rest[:1] == "]":
            return tuple(parts), rest[1:].lstrip(" \t")
        raise _NotSimple


def _key(text: str) -> tuple[str, str]:
    if text[:1] == '"':
        return _basic_string(text)
    end = 0
    while end < len(text) and text[end] in _BARE:
        end += 1
    if end == 0:
        raise _NotSimple
    return text[:end], text[end:]


def _value(text: str) -> tuple[object, str]:
    if text[:1] == '"':
        if text.startswith('"""'):
            raise _NotSimple
        return _basic_string(text)
    if text[:1] == "'":
        if text.startswith("'''"):
            raise _NotSimple
        end = text.find("'", 1)
        if end < 0:
            raise _NotSimple
        literal = text[1:end]
        if any((c < " " and c != "\t") or c == "\x7f" for c in literal):
            raise _NotSimple
        return literal, text[end + 1 :]
    for word, meaning in (("true", True), ("false", False)):
        if text.startswith(word) and (len(text) == len(word) or text[len(word)] in " \t#"):
            return meaning, text[len(word) :]
    end = 0
    while end < len(text) and text[end] not in " \t#":
        end += 1
    number = text[:end]
    digits = number[1:] if number[:1] in "+-" else number
    # Decimal integers only, as TOML writes them: no leading zeros, no underscores.
    if digits and all(c in _DIGITS for c in digits) and (digits == "0" or digits[0] != "0"):
        return int(number), text[end:]
    raise _NotSimple


def _basic_string(text: str) -> tuple[str, str]:
    out: list[str] = []
    i = 1
    while i < len(text):
        c = text[i]
        if c == '"':
            return "".join(out), text[i + 1 :]
        if c == "\\":
            i += 1
            escape = text[i : i + 1]
            if escape in _ESCAPES:
                out.append(_ESCAPES[escape])
                i += 1
                continue
            if escape in ("u", "U"):
                width = 4 if escape == "u" else 8
                digits = text[i + 1 : i + 1 + width]
                if len(digits) != width or any(d not in "0123456789abcdefABCDEF" for d in digits):
                    raise _NotSimple
                code = int(digits, 16)
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise _NotSimple
                out.append(chr(code))
                i += 1 + width
                continue
            raise _NotSimple
        if (c < " " and c != "\t") or c == "\x7f":
            raise _NotSimple
        out.append(c)
        i += 1
    raise _NotSimple
