"""Reading the file secret store (``secrets.toml``, mode 0600): shared by ``FileSecretStore``
and the start-up path (``quickload``), so both refuse a too-open file the same way.

Secrets are never cached (``storefile``'s cache holds only ``profiles.toml``), so ``s3env env
--with-keys``, ``exec`` and the shim read this file at every start.  ``tomllib`` would cost more
there than everything else they do (its import, with ``re`` and ``typing``, is 6-12 ms against
a 10-14 ms bare interpreter: docs/performance.md).  But only s3env writes this file
(``FileSecretStore._save``), in one layout: the header comments, ``[profiles.NAME]`` tables and
``field = "basic string"`` lines.  ``read_written`` reads exactly that layout and nothing else;
any other text (a hand edit, another writer, a newer layout) goes to ``tomllib``, which parses it
or reports the error.  tests/test_secret_file_format.py holds the two together with hypothesis.
"""

from __future__ import annotations

import os
import stat

from s3env.core.errors import SecretStoreError
from s3env.core.model import SECRET_FIELDS, is_profile_name
from s3env.store.fileguard import read_regular_stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_ESCAPES = {'"': '"', "\\": "\\", "b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r"}
_HEX = frozenset("0123456789abcdefABCDEF")
_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def read_secret_file(path: str) -> dict[str, dict[str, str]]:
    """``{profile: {field: value}}``; {} when the file does not exist."""
    try:
        found = read_regular_stat(path)  # a FIFO or device is refused, never read
    except OSError as exc:
        raise SecretStoreError(f"cannot read {path}: {exc.strerror}") from None
    if found is None:
        return {}
    raw, info = found
    if os.name != "nt":
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise SecretStoreError(f"{path} is readable by others (mode {mode:04o}); run 'chmod 600 {path}'")
    try:
        text = raw.decode("utf-8")
        data: dict[str, Any] | None = read_written(text)  # tomllib only for what s3env did not write
        if data is None:
            import tomllib

            data = tomllib.loads(text)
    except ValueError as exc:  # UnicodeDecodeError, tomllib.TOMLDecodeError
        # The message of TOMLDecodeError names a position, never the content.
        raise SecretStoreError(f"{path}: invalid TOML: {exc}") from None
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise SecretStoreError(f"{path}: 'profiles' must be a table")
    # A value of the wrong type must never read as "no secret": `s3env write` would then take
    # the keys out of ~/.aws/credentials.  Messages name the key, never the value.
    for name, entry in profiles.items():
        if not isinstance(entry, dict):
            raise SecretStoreError(f"{path}: profiles.{name} must be a table")
        for field, value in entry.items():
            if field not in SECRET_FIELDS:
                raise SecretStoreError(f"{path}: unknown key '{field}' in profiles.{name}")
            if not isinstance(value, str) or value == "":
                raise SecretStoreError(f"{path}: profiles.{name}.{field} must be a non-empty string")
    return profiles


def read_written(text: str) -> dict[str, Any] | None:
    """The document as ``tomllib.loads`` gives it, if ``text`` is in the layout
    ``FileSecretStore._save`` writes; None for anything else."""
    profiles: dict[str, dict[str, str]] = {}
    entry: dict[str, str] | None = None
    for line in text.split("\n"):
        if not line:
            continue
        if line[0] == "#":
            if any((c < " " and c != "\t") or c == "\x7f" for c in line):
                return None
            continue
        if line.startswith("[profiles.") and line.endswith("]"):
            name = line[len("[profiles.") : -1]
            if name[:1] == '"' and name[-1:] == '"' and len(name) > 2:
                name = name[1:-1]  # a quoted key: profile names hold no quote or backslash
            elif not name or any(c not in _BARE for c in name):
                return None
            if not is_profile_name(name) or name in profiles:
                return None
            entry = profiles[name] = {}
            continue
        field, sep, value = line.partition(" = ")
        if entry is None or not sep or field not in SECRET_FIELDS or field in entry:
            return None
        decoded = _basic_string(value)
        if decoded is None:
            return None
        entry[field] = decoded
    return {"profiles": profiles} if profiles else {}


def _basic_string(text: str) -> str | None:
    """The value of a whole TOML basic string ``"…"`` (TOML 1.0 escapes), or None."""
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return None
    out: list[str] = []
    i, end = 1, len(text) - 1
    while i < end:
        c = text[i]
        if c == '"' or (c < " " and c != "\t") or c == "\x7f":
            return None
        if c != "\\":
            out.append(c)
            i += 1
            continue
        escape = text[i + 1 : i + 2]
        if escape in _ESCAPES and i + 1 < end:
            out.append(_ESCAPES[escape])
            i += 2
            continue
        width = 4 if escape == "u" else 8 if escape == "U" else 0
        digits = text[i + 2 : i + 2 + width]
        if not width or len(digits) != width or i + 2 + width > end or any(d not in _HEX for d in digits):
            return None
        code = int(digits, 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        out.append(chr(code))
        i += 2 + width
    return "".join(out)
