"""Edit single keys inside one section of an INI file, keeping every other byte.

For files where s3env owns keys, not whole sections: megfile's ``[alias]`` table in
``~/.config/megfile/megfile.conf`` holds the user's aliases beside s3env's.  Sections are
found with ``ini_edit.parse``; inside a section an *entry* is an option line plus the
more-indented lines that continue it.  Keys keep their case (megfile's parser is
case-sensitive).  Pure: str in, str out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from s3env.core.errors import FileParseError
from s3env.integrations.writers import ini_edit

_EOL_RE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Entry:
    key: str
    start: int  # offset of the option line
    end: int  # offset after its last continuation line (line ending included)


def _lines(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    out = []
    i = start
    while i < end:
        m = _EOL_RE.search(text, i, end)
        if m is None:
            out.append((i, end, end))
            break
        out.append((i, m.start(), m.end()))
        i = m.end()
    return out


def entries(text: str, section: str, path: str = "<text>") -> list[Entry]:
    doc = ini_edit.parse(text, path)
    found = doc.get(section)
    if found is None:
        return []
    result: list[Entry] = []
    lines = _lines(text, found.start, found.end)[1:]  # skip the header line
    option_indent = -1
    for start, cend, end in lines:
        raw = text[start:cend]
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if not stripped or stripped[0] in "#;":
            continue
        if result and indent > option_indent:
            result[-1] = Entry(result[-1].key, result[-1].start, end)
            continue
        match = re.match(r"(.*?)\s*[=:]", stripped)
        if match is None:
            continue
        option_indent = indent
        result.append(Entry(match.group(1), start, end))
    return result


def key_text(text: str, section: str, key: str, path: str = "<text>") -> str | None:
    for entry in entries(text, section, path):
        if entry.key == key:
            return text[entry.start : entry.end]
    return None


def _check(key: str, value: str) -> None:
    if not key or key != key.strip() or any(c in key for c in "=:[]\r\n\0") or key[0] in "#;":
        raise ini_edit.IniValueError(
            "an alias name must be a plain word without '=', ':', brackets or spaces"
        )
    if value != value.strip() or any(c in value for c in "\r\n\0%"):
        raise ini_edit.IniValueError(f"the value for '{key}' cannot be written on one INI line")


def upsert_key(text: str, section: str, key: str, value: str, path: str = "<text>") -> str:
    _check(key, value)
    doc = ini_edit.parse(text, path)
    nl = doc.newline
    line = f"{key} = {value}"
    for entry in entries(text, section, path):
        if entry.key == key:
            ending = _EOL_RE.search(text, entry.start, entry.end)
            tail = text[ending.start() : ending.end()] if ending else ""
            old_line = text[entry.start : entry.end]
            indent = old_line[: len(old_line) - len(old_line.lstrip())]
            return text[: entry.start] + indent + line + tail + text[entry.end :]
    found = doc.get(section)
    if found is None:
        out = text
        if out and not out.endswith(("\n", "\r")):
            out += nl
        if out.strip():
            out += nl
        return out + f"[{section}]{nl}{line}{nl}"
    insert_at = found.end
    prefix = ""
    if insert_at > 0 and not text[:insert_at].endswith(("\n", "\r")):
        prefix = nl
    return text[:insert_at] + prefix + line + nl + text[insert_at:]


def remove_key(text: str, section: str, key: str, path: str = "<text>") -> str:
    for entry in entries(text, section, path):
        if entry.key == key:
            return text[: entry.start] + text[entry.end :]
    return text


def configparser_error(exc: Exception, path: str) -> FileParseError:
    """One line for a ``configparser`` refusal: file, line and kind of problem.  configparser's own
    texts quote the offending line or value (a secret, in rclone.conf), so none of it is kept."""
    import configparser

    line = getattr(exc, "lineno", None)
    if isinstance(exc, configparser.ParsingError) and exc.errors:
        line = exc.errors[0][0]
        reason = "a line is neither a [section], a key = value pair nor a comment"
    elif isinstance(exc, configparser.MissingSectionHeaderError):
        reason = "a line before the first [section] header"
    elif isinstance(exc, configparser.DuplicateSectionError):
        reason = "a section appears twice"
    elif isinstance(exc, configparser.DuplicateOptionError):
        reason = "a key appears twice in one section"
    elif isinstance(exc, configparser.InterpolationError):
        section = getattr(exc, "section", None)
        option = getattr(exc, "option", None)
        reason = f"the value of {option!r} in [{section}] has a '%' that configparser cannot interpolate"
    else:
        reason = f"configparser cannot read it ({type(exc).__name__})"
    return FileParseError(path, line, reason)


def read_configparser(path: str, *, keep_case: bool = False, interpolation: bool = False):
    """``configparser.ConfigParser`` over ``path`` as another tool reads it (None when there is no
    such file), every refusal one :class:`FileParseError` (no text of the file in it)."""
    import configparser

    parser = configparser.ConfigParser() if interpolation else configparser.ConfigParser(interpolation=None)
    if keep_case:
        parser.optionxform = str  # type: ignore[assignment,method-assign]
    from s3env.store.fileguard import read_regular_text

    text = read_regular_text(path)
    if text is None:
        return None
    try:
        parser.read_string(text, source=path)
        for section in parser.sections():
            dict(parser.items(section))  # interpolation errors surface on read
    except configparser.Error as exc:
        raise configparser_error(exc, path) from None
    return parser
