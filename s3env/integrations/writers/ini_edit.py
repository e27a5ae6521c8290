"""A line-based, byte-preserving editor for the AWS shared files (``~/.aws/config``, ``~/.aws/credentials``).

Pure: ``str`` in, ``str`` out, no file I/O, stdlib only.  Reading (how botocore parses these files,
which headers name the same section) is :mod:`s3env.core.ini`; its names are re-exported here so a
writer needs one import.  Every function here keeps every character outside the section it edits.
"""

from __future__ import annotations

from s3env.core.errors import AwsFileParseError
from s3env.core.ini import (
    BLANK,
    CONT,
    DEFAULT_SECTION,
    FORBIDDEN,
    KEY_RE,
    KINDS,
    NESTED_INDENT,
    NONSPACE_RE,
    OPT_RE,
    OPTION,
    TEXT,
    IniDocument,
    IniValueError,
    Section,
    check_kind,
    dominant_newline,
    find_profile,
    find_sections,
    has_defaults_section,
    parse,
    raw_values,
    scan,
    section_identity,
    section_text,
    section_values,
    validate,
    value_of,
)

__all__ = [
    "DEFAULT_SECTION",
    "KINDS",
    "NESTED_INDENT",
    "IniDocument",
    "IniValueError",
    "Section",
    "dominant_newline",
    "edit_section",
    "find_profile",
    "find_sections",
    "has_defaults_section",
    "parse",
    "raw_values",
    "remove_section",
    "render_section",
    "section_identity",
    "section_text",
    "section_values",
    "upsert_section",
    "validate",
]


# --- writing -----------------------------------------------------------------------------------------------


def _check_text(what: str, s: object) -> str:
    if not isinstance(s, str):
        raise IniValueError(f"{what} must be a string")
    if any(c in FORBIDDEN for c in s):
        raise IniValueError(f"{what} contains a line break or NUL character")
    if s != s.strip():
        raise IniValueError(f"{what} has leading or trailing whitespace, which botocore strips")
    return s


def _check_header(header: object) -> str:
    header = _check_text("section header", header)
    if not header:
        raise IniValueError("section header is empty")
    return header


def _check_key(what: str, key: object) -> str:
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise IniValueError(f"{what} must be letters, digits, '_', '-' or '.', not starting with '-' or '.'")
    return key


def _render(header: str, items, newline: str, key_indent: str = "") -> str:
    if newline not in ("\n", "\r\n", "\r"):
        raise ValueError("newline must be '\\n', '\\r\\n' or '\\r'")
    header = _check_header(header)
    out = [f"[{header}]{newline}"]
    seen: set[str] = set()
    for item in items:
        try:
            key, value = item
        except (TypeError, ValueError):
            raise IniValueError("items must be (key, value) pairs") from None
        key = _check_key("key", key)
        if key.lower() in seen:
            raise IniValueError(f"key '{key}' given twice (botocore lower-cases keys)")
        seen.add(key.lower())
        if isinstance(value, str):
            _check_text(f"value of '{key}'", value)
            out.append(f"{key_indent}{key} = {value}{newline}" if value else f"{key_indent}{key} ={newline}")
            continue
        if not isinstance(value, (list, tuple)) or not value:
            raise IniValueError(f"value of '{key}' must be a string or a non-empty list of pairs")
        out.append(f"{key_indent}{key} ={newline}")
        sub_seen: set[str] = set()
        for sub in value:
            try:
                subkey, subvalue = sub
            except (TypeError, ValueError):
                raise IniValueError(f"the nested block of '{key}' must hold (key, value) pairs") from None
            subkey = _check_key(f"a key in the nested block of '{key}'", subkey)
            if subkey in sub_seen:
                raise IniValueError(f"key '{subkey}' given twice in the nested block of '{key}'")
            sub_seen.add(subkey)
            if not isinstance(subvalue, str):
                raise IniValueError(f"value of '{key}.{subkey}' must be a string")
            _check_text(f"value of '{key}.{subkey}'", subvalue)
            line = f"{subkey} = {subvalue}" if subvalue else f"{subkey} ="
            out.append(f"{key_indent}{NESTED_INDENT}{line}{newline}")
    return "".join(out)


def render_section(header: str, items, newline: str = "\n") -> str:
    """``[header]`` then ``key = value`` lines; a list value is a nested block (``key =`` then its pairs
    indented by four spaces).  Every line ends with ``newline``.  No comments are ever written.

    Raises :class:`IniValueError` (an ``InvalidValue`` and a ``ValueError``) for a header or value with a
    line break, NUL or surrounding whitespace, a key outside ``[A-Za-z0-9_][A-Za-z0-9_.-]*``, a key given
    twice, or an empty nested block.  Messages name the key, never the value.
    """
    return _render(header, items, newline)


def _check_editable(header: str, kind: str, *, writing: bool) -> str:
    check_kind(kind)
    if writing:
        header = _check_header(header)
    elif not isinstance(header, str) or not header or any(c in "\r\n" for c in header):
        raise IniValueError("section header must be a non-empty string without line breaks")
    if header == DEFAULT_SECTION:
        raise IniValueError("s3env does not edit the [DEFAULT] section")
    return header


def _removal_span(doc: IniDocument, section: Section) -> tuple[int, int]:
    """The section plus the one blank line just before its header, or (if there is none) just after it.

    One, because :func:`upsert_section` adds exactly one blank line before a section it appends: removing
    the section again then gives back the original text, and blank lines of the user's stay.
    """
    lines = doc._lines
    a, b = section.start, section.end
    i = section.line - 2
    if i >= 0 and lines[i][3] == BLANK:
        a = lines[i][0]
    else:
        j = section.end_line
        if j < len(lines) and lines[j][3] == BLANK:
            b = lines[j][2]
    return a, b


def _splice_out(text: str, a: int, b: int) -> str:
    # "\r" + "\n" would fuse two line endings into one: take the empty "\n" line along as well.
    while a > 0 and text[a - 1] == "\r" and b < len(text) and text[b] == "\n":
        b += 1
    return text[:a] + text[b:]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _expected(items) -> dict[str, str | dict[str, str]]:
    return {k.lower(): (v if isinstance(v, str) else dict(v)) for k, v in items}


def _verify(old: str, new: str, path: str, kind: str, header: str, items, keep=frozenset()) -> str:
    """Check that botocore reads ``new`` like ``old`` except for ``header`` (written as ``items``, or
    gone when ``items`` is None).  Guards the rare files whose indented headers make an edit change how
    other lines are read; then the caller's text stays as it was."""
    want = section_identity(header, kind)
    before = raw_values(old, path)
    after = raw_values(new, path)
    ok = True
    for name, values in before.items():
        if section_identity(name, kind) != want and after.get(name) != values:
            ok = False
    for name in after:
        if section_identity(name, kind) == want:
            if items is None or name != header:
                ok = False
        elif name not in before:
            ok = False
    if items is not None:
        got = after.get(header, {})
        if any(got.get(k) != v for k, v in _expected(items).items()):
            ok = False
        kept_before = next((v for n, v in before.items() if section_identity(n, kind) == want), {})
        if any(got.get(k) != kept_before.get(k) for k in keep if k in kept_before):
            ok = False
    if not ok:
        raise AwsFileParseError(
            path,
            None,
            f"editing [{header}] here would change how botocore reads other lines "
            "(indented section headers?); edit this file by hand",
        )
    return new


def upsert_section(text: str, header: str, items, path: str = TEXT, *, kind: str = "config") -> str:
    """Return ``text`` with section ``[header]`` holding exactly ``items`` (see :func:`render_section`).

    If the section (or a look-alike, see :func:`section_identity`) exists, it is replaced in place (the
    exact spelling if present, else the first look-alike), the line ending of its last line kept, and the
    other look-alikes are removed; otherwise the section is appended after one blank line.  New lines use
    the file's dominant line ending, indented like the next header if that one is indented.  A section
    that already reads exactly as it would be written (in any one line ending) is left as it is, so
    upserting twice gives the same text.  Every character outside the replaced/removed sections is kept.
    Raises :class:`AwsFileParseError` if botocore refuses ``text`` and :class:`IniValueError` for bad input.
    """
    header = _check_editable(header, kind, writing=True)
    doc = parse(text, path)
    nl = doc.newline
    rendered = _render(header, items, nl)  # also checks every item before anything else
    found = doc.find(header, kind)
    if not found:
        out = text
        if out and not out.endswith(("\n", "\r")):
            out += nl
        if out:
            out += "\r" if out.endswith("\r") and nl.startswith("\n") else nl
        return _verify(text, out + rendered, path, kind, header, items)
    target = next((s for s in found if s.header == header), found[0])
    # Keys must not sit shallower than the next surviving header, or that header would read as a
    # continuation of our last value.
    after = [s for s in doc.sections if s.start > target.start and s not in found]
    key_indent = after[0].indent if after else ""
    last = doc._lines[target.end_line - 1]
    last_eol = text[last[1] : last[2]]
    if len(found) == 1 and target.header == header:
        # Already written like this in some uniform line ending: leave the file alone, so that upserting
        # twice gives the same text even when the first write shifted which ending dominates.
        current = text[target.start : target.end]
        for style in dict.fromkeys((nl, "\n", "\r\n", "\r")):
            if _render(header, items, style, key_indent)[: -len(style)] + last_eol == current:
                return text
    rendered = _render(header, items, nl, key_indent)[: -len(nl)] + last_eol
    edits: list[tuple[int, int, str | None]] = [(target.start, target.end, rendered)]
    edits += [(a, b, None) for a, b in _merge([_removal_span(doc, s) for s in found if s is not target])]
    out = text
    for a, b, repl in sorted(edits, key=lambda e: e[0], reverse=True):
        out = _splice_out(out, a, b) if repl is None else out[:a] + repl + out[b:]
    return _verify(text, out, path, kind, header, items)


def _key_spans(doc: IniDocument, section: Section) -> list[tuple[str, int, int, int]]:
    """(key, first line index, last line index, indent) of each option of ``section``: its option
    line through its last continuation line (blank and comment lines inside a value included)."""
    lines, text = doc._lines, doc.text
    spans: list[tuple[str, int, int, int]] = []
    for idx in range(section.line, section.end_line):
        start, cend, _end, line_kind = lines[idx]
        if line_kind == OPTION:
            raw = text[start:cend]
            m = OPT_RE.match(raw.strip())
            key = m.group("option").rstrip().lower() if m else ""
            indent = NONSPACE_RE.search(raw)
            spans.append((key, idx, idx, indent.start() if indent else 0))
        elif line_kind == CONT and spans:
            spans[-1] = (*spans[-1][:2], idx, spans[-1][3])
    return spans


def edit_section(
    text: str,
    header: str,
    items,
    path: str = TEXT,
    *,
    kind: str = "config",
    keep: frozenset[str] = frozenset(),
) -> str:
    """Like :func:`upsert_section`, but an existing section is edited key by key, as awscli's configure
    writer does: the lines of a key whose value stays are kept byte for byte (comments between keys
    too), a key whose value changes is rewritten where it stands, a key in neither ``items`` nor
    ``keep`` is removed, and new keys go after the section's last key.  Keys named in ``keep``
    (lower-case, as botocore reads them) are left exactly as they are.

    A missing section, look-alike headers, or an edit botocore would read differently (indented
    headers) fall back to :func:`upsert_section`'s rewrite of the whole section (``keep`` must then be
    empty: the fall-back cannot keep keys, and raises rather than drop them).
    """
    header = _check_editable(header, kind, writing=True)
    doc = parse(text, path)
    found = doc.find(header, kind)
    rendered_all = _render(header, items, doc.newline)  # checks every item before anything else
    del rendered_all
    if len(found) != 1 or found[0].header != header:
        return _upsert_keeping(text, header, items, path, kind, keep, found)
    section = found[0]
    _lines, _blocks, store, _defaults = scan(text, path)
    current = {opt: value_of(elems) for opt, elems in store[header].items()}
    wanted = _expected(items)
    nl = doc.newline
    lines = doc._lines
    spans = _key_spans(doc, section)
    edits: list[tuple[int, int, str]] = []
    for key, first, last, indent in spans:
        if key in keep:
            continue
        a, b = lines[first][0], lines[last][2]
        if key not in wanted:
            edits.append((a, b, ""))
        elif current.get(key) != wanted[key]:
            item = next(it for it in items if it[0].lower() == key)
            eol = text[lines[last][1] : lines[last][2]]
            body = _render(header, [item], nl, text[a : a + indent])
            body = body[body.index(nl) + len(nl) :]  # drop the header line
            edits.append((a, b, body[: -len(nl)] + eol if eol else body[: -len(nl)]))
    present = {key for key, *_ in spans}
    missing = [it for it in items if it[0].lower() not in present]
    if missing:
        last_line = lines[section.end_line - 1]
        indent = spans[-1][3] if spans else 0
        key_indent = text[lines[spans[-1][1]][0] : lines[spans[-1][1]][0] + indent] if spans else ""
        body = _render(header, missing, nl, key_indent)
        body = body[body.index(nl) + len(nl) :]
        if last_line[1] == last_line[2]:  # the section ends the file without a line ending
            body = nl + body[: -len(nl)]
        edits.append((last_line[2], last_line[2], body))
    if not edits:
        return text
    out = text
    for a, b, repl in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:a] + repl + out[b:]
    try:
        return _verify(text, out, path, kind, header, items, keep=keep)
    except AwsFileParseError:
        return _upsert_keeping(text, header, items, path, kind, keep, found)


def _upsert_keeping(text: str, header: str, items, path: str, kind: str, keep, found) -> str:
    if keep & {k for s in found for k in s.keys}:
        raise AwsFileParseError(
            path, None, f"[{header}] cannot be edited in place here without losing your keys; edit it by hand"
        )
    return upsert_section(text, header, items, path, kind=kind)


def remove_section(text: str, header: str, path: str = TEXT, *, kind: str = "config") -> str:
    """Return ``text`` without ``[header]`` and its look-alikes (each with the blank lines just before
    it, or just after it when none precede).  Comments around it stay.  Unchanged if there is none."""
    header = _check_editable(header, kind, writing=False)
    doc = parse(text, path)
    found = doc.find(header, kind)
    if not found:
        return text
    out = text
    for a, b in reversed(_merge([_removal_span(doc, s) for s in found])):
        out = _splice_out(out, a, b)
    return _verify(text, out, path, kind, header, None)
