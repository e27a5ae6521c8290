"""Go's formatting of strings, JSON and times, as s5cmd prints them (``%q``, ``json.Marshal``,
``time.Time`` in JSON, ``strutil.HumanizeBytes``)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

#: s5cmd's date in text output
DATE_FORMAT = "%Y/%m/%d %H:%M:%S"


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


def go_time_json(moment: dt.datetime) -> str:
    """Go ``time.Time`` in JSON (RFC 3339 with trailing-zero-free nanoseconds), UTC as ``Z``."""
    moment = moment.astimezone(dt.UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += "." + f"{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def go_local_time_json(mtime_ns: int) -> str:
    """Go ``time.Time`` in JSON for a local file's ModTime: local time, nanoseconds without
    trailing zeros, ``Z`` or the offset."""
    seconds, fraction = divmod(mtime_ns, 1_000_000_000)
    moment = time.localtime(seconds)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", moment)
    if fraction:
        text += "." + f"{fraction:09d}".rstrip("0")
    offset = moment.tm_gmtoff
    if not offset:
        return text + "Z"
    sign = "+" if offset > 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def humanize_bytes(size: int) -> str:
    """s5cmd ``strutil.HumanizeBytes``."""
    suffix, div = "", 0
    for name, divisor in (("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40)):
        if size > divisor:
            suffix, div = name, divisor
    if not suffix:
        return str(size)
    return f"{size / div:.1f}{suffix}"
