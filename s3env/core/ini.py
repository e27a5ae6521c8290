"""How botocore reads the AWS shared files (``~/.aws/config``, ``~/.aws/credentials``), replayed line by line.

Pure: ``str`` in, ``str`` out, no file I/O, stdlib only.  Callers decode the file as UTF-8 with
``newline=""`` so CRLF, lone CR, mixed endings, tabs and a missing final newline reach this module
untouched.  Editing is :mod:`s3env.integrations.writers.ini_edit`.

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
    "find_profile",
    "find_sections",
    "has_defaults_section",
    "parse",
    "raw_values",
    "section_identity",
    "section_text",
    "section_values",
    "validate",
]

KINDS = ("config", "credentials")
DEFAULT_SECTION = "DEFAULT"
NESTED_INDENT = "    "
TEXT = "<text>"

# configparser's own patterns (RawConfigParser.SECTCRE / OPTCRE / NONSPACECRE), without re.VERBOSE.
_SECT_RE = re.compile(r"\[(?P<header>.+)\]")
OPT_RE = re.compile(r"(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$")
NONSPACE_RE = re.compile(r"\S")
_EOL_RE = re.compile(r"\r\n|\r|\n")
KEY_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
# Characters a written value must not hold: line breaks for the file, for configparser and for
# str.splitlines (which _parse_nested uses), and NUL.
FORBIDDEN = frozenset("\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

# line kinds
BLANK, _COMMENT, _HEADER, OPTION, CONT, _BAD = range(6)


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


def scan(text: str, path: str):
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
            lines.append((start, cend, end, BLANK))
            continue
        m = NONSPACE_RE.search(raw)
        cur_indent = m.start() if m else 0
        if cursect is not None and optname and cur_indent > indent_level:
            cursect[optname].append((value, lineno))
            kind = CONT
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
                mo = OPT_RE.match(value)
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
                    kind = OPTION
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


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")


def validate(text: str, path: str = TEXT, kind: str = "config") -> None:
    """Raise :class:`AwsFileParseError` (path, 1-based line, reason) iff botocore refuses this text.

    Botocore parses both files the same way, so ``kind`` ("config" or "credentials") only has to be valid.
    Reasons name lines, keys and headers, never values.
    """
    check_kind(kind)
    scan(text, path)


def dominant_newline(text: str) -> str:
    """The most common line ending of ``text`` ("\\n" on ties and for text without any)."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    best = max((lf, 2, "\n"), (crlf, 1, "\r\n"), (cr, 0, "\r"))
    return best[2] if best[0] else "\n"


def parse(text: str, path: str = TEXT) -> IniDocument:
    """Validate ``text`` (as :func:`validate`) and return its sections with their spans."""
    lines, blocks, _store, _defaults = scan(text, path)
    sections = []
    prev_end = 0
    for header, hidx, last, keys in blocks:
        start = lines[hidx][0]
        raw = text[start : lines[hidx][1]]
        m = NONSPACE_RE.search(raw)
        end = lines[last][2]
        sections.append(
            Section(
                header, hidx + 1, last + 1, start, end, prev_end, tuple(keys), raw[: m.start() if m else 0]
            )
        )
        prev_end = end
    return IniDocument(text, path, tuple(sections), dominant_newline(text), tuple(lines))


def raw_values(text: str, path: str = TEXT) -> dict[str, dict[str, str | dict[str, str]]]:
    """What ``botocore.configloader.raw_config_parse`` returns for this text (``[DEFAULT]`` merged in)."""
    _lines, _blocks, store, defaults = scan(text, path)
    out: dict[str, dict[str, str | dict[str, str]]] = {}
    for name, opts in store.items():
        merged = dict(opts)
        for opt, elems in defaults.items():
            merged.setdefault(opt, elems)
        out[name] = {opt: value_of(elems) for opt, elems in merged.items()}
    return out


def value_of(elems: list[tuple[str, int]]) -> str | dict[str, str]:
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
    text: str, header: str, path: str = TEXT, *, kind: str = "config"
) -> dict[str, str | dict[str, str]] | None:
    """The keys of the section botocore reads as ``header`` (the last look-alike in a config file, as
    botocore takes it), in file order and *without* what ``[DEFAULT]`` adds; None if there is none.
    Keys are lower-cased as botocore reads them; a nested block is a dict."""
    check_kind(kind)
    _lines, blocks, store, _defaults = scan(text, path)
    want = section_identity(header, kind)
    names = [b[0] for b in blocks if b[0] != DEFAULT_SECTION and section_identity(b[0], kind) == want]
    if not names:
        return None
    return {opt: value_of(elems) for opt, elems in store[names[-1]].items()}


def has_defaults_section(text: str, path: str = TEXT) -> bool:
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
    check_kind(kind)
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


def find_sections(text: str, header: str, kind: str = "config", path: str = TEXT) -> list[Section]:
    """Every section of ``text`` that botocore reads as ``header`` (itself and its look-alikes), in file
    order.  In a config file botocore uses the last one."""
    return parse(text, path).find(header, kind)


def find_profile(text: str, name: str, kind: str = "config", path: str = TEXT) -> list[Section]:
    """Every section that defines profile ``name``: in config ``[profile name]`` and its look-alikes (and
    ``[default]`` for "default"); in credentials exactly ``[name]``."""
    check_kind(kind)
    doc = parse(text, path)
    want = ("profile", name) if kind == "config" else ("section", name)
    return [
        s for s in doc.sections if s.header != DEFAULT_SECTION and section_identity(s.header, kind) == want
    ]


def section_text(text: str, header: str, path: str = TEXT, *, kind: str = "config") -> str | None:
    """The exact current text of the section(s) botocore reads as ``header``, or None if there is none.

    With look-alikes this is the concatenation of every matching section's span in file order, so text
    saved after :func:`upsert_section` (which leaves exactly one) differs as soon as anyone edits the
    section or adds a look-alike.
    """
    found = parse(text, path).find(header, kind)
    if not found:
        return None
    return "".join(text[s.start : s.end] for s in found)
