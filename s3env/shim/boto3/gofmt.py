"""Go's formatting of strings and JSON, as s5cmd prints them (``%q``, ``json.Marshal``)."""

from __future__ import annotations

import json
from typing import Any


def go_quote(text: str) -> str:
    """Go ``strconv.Quote`` (``%q``)."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char in "\a\b\f\n\r\t\v":
            out.append(
                {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}[
                    char
                ]
            )
        elif char.isprintable() or char == " ":
            out.append(char)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def go_json(obj: Any) -> str:
    """Go ``json.Marshal``: compact, HTML-safe, map keys in the order given."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    # Python writes \b and \f; Go writes \u0008 and \u000c.  (A literal backslash before
    # 'b' is written as \\b by both, so only unescaped pairs are touched.)
    return _fix_short_escapes(text)


def _fix_short_escapes(text: str) -> str:
    if "\\b" not in text and "\\f" not in text:
        return text
    out = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"b": "\\u0008", "f": "\\u000c"}.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)
