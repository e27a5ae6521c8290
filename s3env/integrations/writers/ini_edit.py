"""A line-based, byte-preserving editor for the AWS shared files (``~/.aws/config``, ``~/.aws/credentials``).

Pure: ``str`` in, ``str`` out, no file I/O, stdlib only.  Callers decode the file as UTF-8 with
``newline=""`` so CRLF, lone CR, mixed endings, tabs and a missing final newline reach this module
untouched; every function here keeps every character outside the section it edits.

How botocore reads these files (``botocore.configloader.raw_config_parse`` = ``configparser.RawConfigParser``
plus ``_parse_nested``), which :func:`validate` replays line by line:

* Lines end at ``\\r\\n``, ``\\r`` or ``\\n`` (universal newlines).  A UTF-8 BOM is *not* stripped: the
  first line then is neither a header nor a comment, and the file is refused.
* A line whose stripped text starts with ``#`` or ``;`` is a comment, anywhere (also inside a value).
  There are no inline comments.
* A non-blank line indented deeper than the line that started the current option continues that option,
  even if it looks like a header.  Otherwise the stripped line is a header if it *starts* with ``[`` and
  contains a later ``]`` (``[a] # note`` is the header ``a``; ``[a]b]`` is ``a]b``); else it is
  ``key <= or :> value`` split at the first delimiter, key stripped and lower-cased.
* Refused: text before the first header, a line without a delimiter, an empty key, a section header seen
  twice (``[DEFAULT]`` may repeat, but not its keys), a key seen twice in a section (after lower-casing),
  and, in a value whose first line is empty (a nested block such as ``s3 =``), a non-blank sub-line
  without ``=`` (``:`` is not enough there).  Sub-lines are split with ``str.splitlines``, so a form feed,
  ``\\x85`` or ``\\u2028`` inside a nested line splits it.  A bad nested value in ``[DEFAULT]`` is only
  refused when some section inherits it.
* ``[DEFAULT]`` copies its keys into every other section.  s3env never edits it (see
  :func:`has_defaults_section`).

Which headers name the same thing (:func:`section_identity`): in the **config** file botocore maps a raw
section whose name *starts with* ``profile`` / ``sso-session`` / ``services`` and ``shlex.split``\\ s into
exactly two words to that second word, and ``[default]`` to profile ``default``.  So ``[profile x]``,
``[profile "x"]``, ``[profile  x ]`` and even ``[profilex x]`` all define profile ``x`` (the last one in the
file wins), while ``[ profile x ]``, ``[Profile x]`` and ``[profile x y]`` do not.  In the **credentials**
file only the exact header string counts.  Editing a header edits all of its look-alikes:
:func:`upsert_section` writes one section and deletes the others, :func:`remove_section` deletes them
all, and :func:`find_sections` / :func:`section_text` show them all, so a caller can refuse to touch
look-alikes it did not write.

Section boundaries (:class:`Section`): a section runs from its header line through its last *content*
line (option or continuation line).  Blank and comment lines after that belong to the gap before the next
header, i.e. to the next section's preamble (or to the end of the file): replacing or removing a section
never eats the user's comment about the next one, and a comment stays where it was.  Comment lines
*inside* a section (between its options) belong to it.
"""

from __future__ import annotations

import re

from s3env.core.errors import AwsFileParseError, InvalidValue

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

KINDS = ("config", "credentials")
DEFAULT_SECTION = "DEFAULT"
NESTED_INDENT = "    "
_TEXT = "<text>"

# configparser's own patterns (RawConfigParser.SECTCRE / OPTCRE / NONSPACECRE), without re.VERBOSE.
_SECT_RE = re.compile(r"\[(?P<header>.+)\]")
_OPT_RE = re.compile(r"(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$")
_NONSPACE_RE = re.compile(r"\S")
_EOL_RE = re.compile(r"\r\n|\r|\n")
_KEY_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
# Characters a written value must not hold: line breaks for the file, for configparser and for
# str.splitlines (which _parse_nested uses), and NUL.
_FORBIDDEN = frozenset("\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

# line kinds
_BLANK, _COMMENT, _HEADER, _OPTION, _CONT, _BAD = range(6)


class IniValueError(InvalidValue, ValueError):
    """A header, key or value that cannot be written safely.  Never carries the value itself."""


class Section:
    """One header block of a parsed file (``[DEFAULT]`` blocks included).

    ``start``/``end`` are character offsets into the text: from the start of the header line to the end
    (line ending included) of the section's last option or continuation line.  ``preamble_start`` is the
    end of the previous section (0 for the first): ``text[preamble_start:start]`` holds only the blank and
    comment lines before the header.  ``line``/``end_line`` are 1-based line numbers.  ``keys`` are the
    option names as botocore sees them (lower-cased), in file order.
    """

    __slots__ = ("end", "end_line", "header", "indent", "keys", "line", "preamble_start", "start")

    def __init__(
        self,
        header: str,
        line: int,
        end_line: int,
        start: int,
        end: int,
        preamble_start: int,
        keys: tuple[str, ...],
        indent: str,
    ) -> None:
        self.header = header
        self.line = line
        self.end_line = end_line
        self.start = start
        self.end = end
        self.preamble_start = preamble_start
        self.keys = keys
        self.indent = indent  # the header line's leading whitespace

    def __repr__(self) -> str:
        return f"Section({self.header!r}, lines {self.line}-{self.end_line}, chars {self.start}-{self.end})"


class IniDocument:
    """The result of :func:`parse`: the text, its sections in file order and its dominant newline."""

    __slots__ = ("_lines", "newline", "path", "sections", "text")

    def __init__(self, text: str, path: str, sections: tuple[Section, ...], newline: str, lines) -> None:
        self.text = text
        self.path = path
        self.sections = sections
        self.newline = newline
        self._lines = lines  # (start, content_end, end, kind) per line

    def get(self, header: str) -> Section | None:
        """The section with exactly this header (not ``DEFAULT``), or None."""
        if header == DEFAULT_SECTION:
            return None
        for section in self.sections:
            if section.header == header:
                return section
        return None

    def find(self, header: str, kind: str = "config") -> list[Section]:
        """Every section botocore treats as the same thing as ``header`` (see :func:`section_identity`)."""
        want = section_identity(header, kind)
        return [
            s
            for s in self.sections
            if s.header != DEFAULT_SECTION and section_identity(s.header, kind) == want
        ]

    def text_of(self, section: Section) -> str:
        return self.text[section.start : section.end]

    @property
    def has_defaults(self) -> bool:
        return any(s.header == DEFAULT_SECTION for s in self.sections)


# --- reading ---------------------------------------------------------------------------------------------


def _iter_lines(text: str):
    """(start, content_end, end) for each line, split exactly like Python's universal newlines."""
    i, n = 0, len(text)
    search = _EOL_RE.search
    while i < n:
        m = search(text, i)
        if m is None:
            yield i, n, n
            return
        yield i, m.start(), m.end()
        i = m.end()


def _line_of(text: str, pos: int) -> int:
    return len(_EOL_RE.findall(text, 0, pos)) + 1


def _nested_error(elems: list[tuple[str, int]]) -> int | None:
    """Line number of the first sub-line botocore's ``_parse_nested`` would refuse, if this is nested."""
    if len(elems) < 2 or elems[0][0] != "" or not any(v for v, _ in elems[1:]):
        return None  # botocore only parses values whose joined, rstripped text starts with "\n"
    for value, lineno in elems[1:]:
        for sub in value.splitlines():
            sub = sub.strip()
            if sub and "=" not in sub:
                return lineno
    return None


def _scan(text: str, path: str):
    """Replay configparser's ``_read`` (RawConfigParser defaults) and botocore's nested parsing.

    Returns (lines, blocks, store, defaults) or raises AwsFileParseError at the earliest refused line.
    """
    if text.startswith("\ufeff"):
        raise AwsFileParseError(
            path, 1, "the file starts with a UTF-8 byte order mark (BOM), which botocore cannot read"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AwsFileParseError(path, _line_of(text, exc.start), "the text is not valid UTF-8") from None

    errors: list[tuple[int, str]] = []  # configparser collects these and raises at the end

    def fail(lineno: int, reason: str):
        errors.append((lineno, reason))
        first = min(errors)
        return AwsFileParseError(path, first[0], first[1])

    lines: list[tuple[int, int, int, int]] = []
    blocks: list[list] = []  # [header, header_idx, last_idx, keys]
    store: dict[str, dict[str, list[tuple[str, int]]]] = {}
    first_seen: dict[str, int] = {}
    defaults: dict[str, list[tuple[str, int]]] = {}
    added: set[tuple[str, str]] = set()
    cursect: dict | None = None
    sectname: str | None = None
    optname: str | None = None
    indent_level = 0
    for idx, (start, cend, end) in enumerate(_iter_lines(text)):
        lineno = idx + 1
        raw = text[start:cend]
        value = raw.strip()
        if value[:1] in ("#", ";"):
            lines.append((start, cend, end, _COMMENT))
            continue
        if not value:
            if cursect is not None and optname and cursect[optname] is not None:
                cursect[optname].append(("", lineno))
            lines.append((start, cend, end, _BLANK))
            continue
        m = _NONSPACE_RE.search(raw)
        cur_indent = m.start() if m else 0
        if cursect is not None and optname and cur_indent > indent_level:
            cursect[optname].append((value, lineno))
            kind = _CONT
        else:
            indent_level = cur_indent
            mo = _SECT_RE.match(value)
            if mo:
                sectname = mo.group("header")
                if sectname in store:
                    raise fail(
                        lineno, f"section [{sectname}] appears twice (first at line {first_seen[sectname]})"
                    )
                if sectname == DEFAULT_SECTION:
                    cursect = defaults
                else:
                    cursect = store[sectname] = {}
                    first_seen[sectname] = lineno
                optname = None
                blocks.append([sectname, idx, idx, []])
                kind = _HEADER
            elif cursect is None:
                raise fail(lineno, "a line before the first [section] header")
            else:
                mo = _OPT_RE.match(value)
                if mo:
                    opt = mo.group("option")
                    if not opt:
                        errors.append((lineno, "a line starts with '=' or ':' (no key name)"))
                    opt = opt.rstrip().lower()
                    if (sectname, opt) in added:
                        raise fail(lineno, f"key '{opt}' appears twice in section [{sectname}]")
                    added.add((sectname, opt))
                    cursect[opt] = [(mo.group("value").strip(), lineno)]
                    optname = opt
                    blocks[-1][3].append(opt)
                    kind = _OPTION
                else:
                    errors.append((lineno, "a line has no '=' or ':' delimiter"))
                    kind = _BAD
        blocks[-1][2] = idx
        lines.append((start, cend, end, kind))
    if errors:
        first = min(errors)
        raise AwsFileParseError(path, first[0], first[1])
    nested: list[tuple[int, str]] = []
    for opts in store.values():
        for opt, elems in opts.items():
            bad = _nested_error(elems)
            if bad is not None:
                nested.append((bad, opt))
        for opt, elems in defaults.items():
            if opt not in opts:
                bad = _nested_error(elems)
                if bad is not None:
                    nested.append((bad, opt))
    if nested:
        lineno, opt = min(nested)
        raise AwsFileParseError(path, lineno, f"a line in the nested block of '{opt}' has no '='")
    return lines, blocks, store, defaults


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")


def validate(text: str, path: str = _TEXT, kind: str = "config") -> None:
    """Raise :class:`AwsFileParseError` (path, 1-based line, reason) iff botocore refuses this text.

    Botocore parses both files the same way, so ``kind`` ("config" or "credentials") only has to be valid.
    Reasons name lines, keys and headers, never values.
    """
    _check_kind(kind)
    _scan(text, path)


def dominant_newline(text: str) -> str:
    """The most common line ending of ``text`` ("\\n" on ties and for text without any)."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    best = max((lf, 2, "\n"), (crlf, 1, "\r\n"), (cr, 0, "\r"))
    return best[2] if best[0] else "\n"


def parse(text: str, path: str = _TEXT) -> IniDocument:
    """Validate ``text`` (as :func:`validate`) and return its sections with their spans."""
    lines, blocks, _store, _defaults = _scan(text, path)
    sections = []
    prev_end = 0
    for header, hidx, last, keys in blocks:
        start = lines[hidx][0]
        raw = text[start : lines[hidx][1]]
        m = _NONSPACE_RE.search(raw)
        end = lines[last][2]
        sections.append(
            Section(
                header, hidx + 1, last + 1, start, end, prev_end, tuple(keys), raw[: m.start() if m else 0]
            )
        )
        prev_end = end
    return IniDocument(text, path, tuple(sections), dominant_newline(text), tuple(lines))


def raw_values(text: str, path: str = _TEXT) -> dict[str, dict[str, str | dict[str, str]]]:
    """What ``botocore.configloader.raw_config_parse`` returns for this text (``[DEFAULT]`` merged in)."""
    _lines, _blocks, store, defaults = _scan(text, path)
    out: dict[str, dict[str, str | dict[str, str]]] = {}
    for name, opts in store.items():
        merged = dict(opts)
        for opt, elems in defaults.items():
            merged.setdefault(opt, elems)
        out[name] = {opt: _value_of(elems) for opt, elems in merged.items()}
    return out


def _value_of(elems: list[tuple[str, int]]) -> str | dict[str, str]:
    """One option's value as botocore reads it: a string, or a dict for a nested block."""
    joined = "\n".join(v for v, _ in elems).rstrip()
    if not joined.startswith("\n"):
        return joined
    nested: dict[str, str] = {}
    for sub in joined.splitlines():
        sub = sub.strip()
        if sub:
            k, v = sub.split("=", 1)
            nested[k.strip()] = v.strip()
    return nested


def section_values(
    text: str, header: str, path: str = _TEXT, *, kind: str = "config"
) -> dict[str, str | dict[str, str]] | None:
    """The keys of the section botocore reads as ``header`` (the last look-alike in a config file, as
    botocore takes it), in file order and *without* what ``[DEFAULT]`` adds; None if there is none.
    Keys are lower-cased as botocore reads them; a nested block is a dict."""
    _check_kind(kind)
    _lines, blocks, store, _defaults = _scan(text, path)
    want = section_identity(header, kind)
    names = [b[0] for b in blocks if b[0] != DEFAULT_SECTION and section_identity(b[0], kind) == want]
    if not names:
        return None
    return {opt: _value_of(elems) for opt, elems in store[names[-1]].items()}


def has_defaults_section(text: str, path: str = _TEXT) -> bool:
    """True if the text has a ``[DEFAULT]`` section, whose keys botocore copies into every section."""
    return parse(text, path).has_defaults


# --- which headers are the same thing ----------------------------------------------------------------------

_PREFIXES = ("profile", "sso-session", "services")  # botocore's build_profile_map, checked in this order


def section_identity(header: str, kind: str = "config") -> tuple[str, str]:
    """What botocore makes of a raw section name, as a comparable key.

    ``("profile" | "sso-session" | "services", name)`` for a name botocore maps, ``("ignored", header)`` for
    a prefixed name it drops (not exactly two shlex words), ``("section", header)`` for anything else.

    In the credentials file every header is ``("section", header)``: only exact names match.
    """
    _check_kind(kind)
    if kind == "credentials":
        return ("section", header)
    for prefix in _PREFIXES:
        if header.startswith(prefix):
            import shlex  # cheap, but only needed here

            try:
                parts = shlex.split(header)
            except ValueError:
                return ("ignored", header)
            return (prefix, parts[1]) if len(parts) == 2 else ("ignored", header)
    if header == "default":
        return ("profile", "default")
    return ("section", header)


def find_sections(text: str, header: str, kind: str = "config", path: str = _TEXT) -> list[Section]:
    """Every section of ``text`` that botocore reads as ``header`` (itself and its look-alikes), in file
    order.  In a config file botocore uses the last one."""
    return parse(text, path).find(header, kind)


def find_profile(text: str, name: str, kind: str = "config", path: str = _TEXT) -> list[Section]:
    """Every section that defines profile ``name``: in config ``[profile name]`` and its look-alikes (and
    ``[default]`` for "default"); in credentials exactly ``[name]``."""
    _check_kind(kind)
    doc = parse(text, path)
    want = ("profile", name) if kind == "config" else ("section", name)
    return [
        s for s in doc.sections if s.header != DEFAULT_SECTION and section_identity(s.header, kind) == want
    ]


def section_text(text: str, header: str, path: str = _TEXT, *, kind: str = "config") -> str | None:
    """The exact current text of the section(s) botocore reads as ``header``, or None if there is none.

    With look-alikes this is the concatenation of every matching section's span in file order, so text
    saved after :func:`upsert_section` (which leaves exactly one) differs as soon as anyone edits the
    section or adds a look-alike.
    """
    found = parse(text, path).find(header, kind)
    if not found:
        return None
    return "".join(text[s.start : s.end] for s in found)


# --- writing -----------------------------------------------------------------------------------------------


def _check_text(what: str, s: object) -> str:
    if not isinstance(s, str):
        raise IniValueError(f"{what} must be a string")
    if any(c in _FORBIDDEN for c in s):
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
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
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
    _check_kind(kind)
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
    if i >= 0 and lines[i][3] == _BLANK:
        a = lines[i][0]
    else:
        j = section.end_line
        if j < len(lines) and lines[j][3] == _BLANK:
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


def upsert_section(text: str, header: str, items, path: str = _TEXT, *, kind: str = "config") -> str:
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
        if line_kind == _OPTION:
            raw = text[start:cend]
            m = _OPT_RE.match(raw.strip())
            key = m.group("option").rstrip().lower() if m else ""
            indent = _NONSPACE_RE.search(raw)
            spans.append((key, idx, idx, indent.start() if indent else 0))
        elif line_kind == _CONT and spans:
            spans[-1] = (*spans[-1][:2], idx, spans[-1][3])
    return spans


def edit_section(
    text: str,
    header: str,
    items,
    path: str = _TEXT,
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
    _lines, _blocks, store, _defaults = _scan(text, path)
    current = {opt: _value_of(elems) for opt, elems in store[header].items()}
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


def remove_section(text: str, header: str, path: str = _TEXT, *, kind: str = "config") -> str:
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
