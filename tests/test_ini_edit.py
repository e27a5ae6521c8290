"""s3env.integrations.writers.ini_edit against botocore itself: a corpus of ugly files plus generated ones.

Every check that says "botocore reads…" writes the text to a temp file and calls
``botocore.configloader.raw_config_parse`` / ``load_config`` on it; nothing is mocked.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest
from botocore.configloader import build_profile_map, load_config, raw_config_parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3env.core.errors import AwsFileParseError, InvalidValue
from s3env.integrations.writers import ini_edit as ie

CORPUS = Path(__file__).parent / "data" / "aws_corpus"
CORPUS_FILES = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".config", ".credentials"))

# file -> the line botocore (and so the validator) refuses
REFUSED = {
    "bom.config": 1,
    "bom.credentials": 1,
    "duplicate_section.config": 7,
    "duplicate_key.credentials": 4,
    "duplicate_key_case.config": 3,
    "key_before_header.credentials": 2,
    "no_delimiter.config": 3,
    "nested_no_equals.config": 4,
    "empty_key.credentials": 2,
    "default_nested_bad.config": 3,
}
VALID = [n for n in CORPUS_FILES if n not in REFUSED]

CONFIG_ITEMS = [
    ("region", "eu-west-1"),
    ("services", "s3env-new"),
    ("endpoint_url", "http://127.0.0.1:9000"),
    ("s3", [("endpoint_url", "http://127.0.0.1:9000"), ("addressing_style", "path")]),
]
CREDS_ITEMS = [
    ("aws_access_key_id", "AKIANEWNEWNEWEXAMPLE"),
    ("aws_secret_access_key", "new/secret+value=="),
    ("s3", [("endpoint_url", "http://127.0.0.1:9000")]),
]
SERVICES_ITEMS = [("s3", [("endpoint_url", "http://127.0.0.1:9000")])]

_EOL = re.compile(r"\r\n|\r|\n")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


# --- helpers ------------------------------------------------------------------------------------------------


def read(name: str) -> str:
    return (CORPUS / name).read_bytes().decode("utf-8")  # no newline translation


def kind_of(name: str) -> str:
    return "config" if name.endswith(".config") else "credentials"


def items_for(header: str, kind: str) -> list:
    if kind == "credentials":
        return CREDS_ITEMS
    return SERVICES_ITEMS if header.startswith("services") else CONFIG_ITEMS


def write(path: Path, text: str) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return path


def boto(path: Path, text: str) -> dict:
    return raw_config_parse(str(write(path, text)))


def boto_refuses(path: Path, text: str) -> bool:
    try:
        boto(path, text)
    except Exception:  # botocore raises ConfigParseError; anything else is a refusal too
        return True
    return False


def boto_identity(name: str, kind: str) -> tuple[str, str]:
    """How botocore itself files a raw section name (its build_profile_map), independent of ini_edit."""
    if kind == "credentials":
        return ("section", name)
    mapped = build_profile_map({name: {}})
    for label, ident in (("profiles", "profile"), ("sso_sessions", "sso-session"), ("services", "services")):
        if mapped[label]:
            return (ident, next(iter(mapped[label])))
    return ("section", name) if name in mapped else ("ignored", name)


def defaults_of(path: Path) -> dict[str, str]:
    cp = configparser.RawConfigParser()
    cp.read(path, encoding="utf-8")
    return dict(cp.defaults())


def expected(items) -> dict:
    return {k.lower(): (v if isinstance(v, str) else dict(v)) for k, v in items}


def lines_outside(text: str, sections) -> list[str]:
    """The non-blank lines (with their endings) of ``text`` outside the given sections' spans."""
    out = []
    spans = [(s.start, s.end) for s in sections]
    for m in _LINES.finditer(text):
        if any(a <= m.start() < b for a, b in spans) or not m.group().strip():
            continue
        out.append(m.group())
    return out


def check_edit(tmp_path: Path, old: str, new: str, header: str, kind: str, items) -> None:
    """Everything the brief asks of an upsert (items) or a removal (items is None)."""
    want = ie.section_identity(header, kind)
    assert want == boto_identity(header, kind)
    old_doc, new_doc = ie.parse(old), ie.parse(new)
    old_hits = [
        s for s in old_doc.sections if s.header != "DEFAULT" and boto_identity(s.header, kind) == want
    ]
    new_hits = [
        s for s in new_doc.sections if s.header != "DEFAULT" and boto_identity(s.header, kind) == want
    ]
    nl = ie.dominant_newline(old)

    # (1) bytes outside the edited section(s) are identical
    if items is not None:
        assert [s.header for s in new_hits] == [header]
        t = new_hits[0]
        if len(old_hits) == 1:
            s = old_hits[0]
            assert new[: t.start] == old[: s.start]
            assert new[t.end :] == old[s.end :]
        elif not old_hits:
            head = old if not old or old.endswith(("\n", "\r")) else old + nl
            assert new.startswith(head)
            assert new[len(head) : t.start].strip() == ""  # at most one blank separator line
            assert len(_EOL.findall(new[len(head) : t.start])) <= 1
            assert t.end == len(new)
        # the new lines use the dominant ending (the last one keeps the replaced section's ending)
        body = new[t.start : t.end]
        ends = _EOL.findall(body)
        assert all(e == nl for e in ends[:-1])
        assert ie.section_text(new, header, kind=kind) == body
    else:
        assert new_hits == []
        if len(old_hits) == 1:
            s = old_hits[0]
            a = min(len(_common_prefix(old, new)), s.start)
            b = a + len(old) - len(new)
            assert new == old[:a] + old[b:]
            assert a <= s.start and b >= s.end
            assert old[a : s.start].strip() == "" and old[s.end : b].strip() == ""
    # (1)+(3) in every case: the other non-blank lines, endings included, in order (appending gives a
    # last line without an ending the file's dominant one first)
    ref = old if old_hits or items is None or not old or old.endswith(("\n", "\r")) else old + nl
    assert lines_outside(new, new_hits) == lines_outside(ref, old_hits)

    # (2) botocore reads every other section exactly as before, and the new values for the edited one
    before = boto(tmp_path / "before", old)
    after = boto(tmp_path / "after", new)
    for name, values in before.items():
        if boto_identity(name, kind) != want:
            assert after[name] == values, name
    for name in after:
        if boto_identity(name, kind) == want:
            assert items is not None and name == header
        else:
            assert name in before
    if items is not None:
        got = dict(after[header])
        inherited = defaults_of(tmp_path / "after")
        for key, value in expected(items).items():
            assert got.pop(key) == value
        assert set(got) <= set(inherited)
        if kind == "config" and want[0] == "profile":
            profile = load_config(str(tmp_path / "after"))["profiles"][want[1]]
            assert {k: profile[k] for k in expected(items)} == expected(items)
        # (4) idempotence
        assert ie.upsert_section(new, header, items, kind=kind) == new
    else:
        assert ie.remove_section(new, header, kind=kind) == new


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


# --- the corpus itself --------------------------------------------------------------------------------------


def test_corpus_is_big_and_its_bytes_are_intact() -> None:
    assert len(CORPUS_FILES) >= 24
    assert {kind_of(n) for n in VALID} == {"config", "credentials"}
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for name in CORPUS_FILES:
        assert f"`{name}`" in readme, name
    raw = {n: (CORPUS / n).read_bytes() for n in CORPUS_FILES}
    assert raw["crlf_comments.config"].count(b"\r\n") == raw["crlf_comments.config"].count(b"\n") > 10
    assert b"\n" not in raw["lone_cr.config"] and raw["lone_cr.config"].count(b"\r") > 5
    mixed = raw["mixed_endings.config"]
    assert b"\r\n" in mixed and re.search(rb"\r[^\n]", mixed) and re.search(rb"[^\r]\n", mixed)
    assert raw["bom.config"].startswith(b"\xef\xbb\xbf") and raw["bom.credentials"].startswith(
        b"\xef\xbb\xbf"
    )
    assert not raw["no_trailing_newline.config"].endswith((b"\n", b"\r"))
    assert not raw["mixed_endings_no_newline.credentials"].endswith((b"\n", b"\r"))
    assert raw["empty.config"] == raw["empty.credentials"] == b""
    assert b"\t" in raw["tabs.config"] and b"\t" in raw["nested_odd_indent.config"]


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_validate_agrees_with_botocore_on_corpus(name: str, tmp_path: Path) -> None:
    text = read(name)
    refused = boto_refuses(tmp_path / name, text)
    assert refused == (name in REFUSED)
    if refused:
        with pytest.raises(AwsFileParseError) as exc:
            ie.validate(text, name, kind_of(name))
        assert exc.value.line == REFUSED[name]
        assert exc.value.path == name
    else:
        ie.validate(text, name, kind_of(name))
        assert ie.raw_values(text) == raw_config_parse(str(tmp_path / name))


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_files_are_never_edited(name: str) -> None:
    text = read(name)
    kind = kind_of(name)
    header = "profile x" if kind == "config" else "x"
    calls = [
        lambda: ie.parse(text, name),
        lambda: ie.upsert_section(text, header, items_for(header, kind), name, kind=kind),
        lambda: ie.remove_section(text, "default", name, kind=kind),
        lambda: ie.section_text(text, "default", name, kind=kind),
        lambda: ie.has_defaults_section(text, name),
    ]
    for call in calls:
        with pytest.raises(AwsFileParseError) as exc:
            call()
        assert exc.value.line == REFUSED[name]
    assert read(name) == text


def _targets() -> list[tuple[str, str]]:
    out = []
    for name in VALID:
        seen = set()
        for s in ie.parse(read(name)).sections:
            if s.header != "DEFAULT" and s.header not in seen:
                seen.add(s.header)
                out.append((name, s.header))
    return out


@pytest.mark.parametrize("name", VALID)
def test_upsert_new_section_into_corpus_file(name: str, tmp_path: Path) -> None:
    text, kind = read(name), kind_of(name)
    for header in ("profile s3env-new", "services s3env-new") if kind == "config" else ("s3env-new",):
        new = ie.upsert_section(text, header, items_for(header, kind), name, kind=kind)
        check_edit(tmp_path, text, new, header, kind, items_for(header, kind))


@pytest.mark.parametrize(("name", "header"), _targets())
def test_upsert_over_existing_section(name: str, header: str, tmp_path: Path) -> None:
    text, kind = read(name), kind_of(name)
    items = items_for(header, kind)
    if header != header.strip():  # s3env writes no header with surrounding spaces (botocore keeps them)
        with pytest.raises(ie.IniValueError):
            ie.upsert_section(text, header, items, name, kind=kind)
        header = header.strip()
    new = ie.upsert_section(text, header, items, name, kind=kind)
    check_edit(tmp_path, text, new, header, kind, items)


@pytest.mark.parametrize(("name", "header"), _targets())
def test_remove_existing_section(name: str, header: str, tmp_path: Path) -> None:
    text, kind = read(name), kind_of(name)
    new = ie.remove_section(text, header, name, kind=kind)
    check_edit(tmp_path, text, new, header, kind, None)


# --- look-alike headers -------------------------------------------------------------------------------------


def test_lookalike_profiles_are_one_profile(tmp_path: Path) -> None:
    text = read("lookalike_headers.config")
    found = ie.find_profile(text, "dup")
    assert [s.header for s in found] == ["profile dup", 'profile "dup"', "profile dup "]
    # botocore agrees: the last spelling wins
    assert load_config(str(write(tmp_path / "c", text)))["profiles"]["dup"] == {"region": "us-west-1"}
    assert [s.header for s in ie.find_profile(text, "other")] == ["profilex other"]
    assert [s.header for s in ie.find_profile(text, "quoted name")] == ['profile "quoted name"']
    assert ie.section_text(text, "profile dup") == "".join(text[s.start : s.end] for s in found)

    new = ie.upsert_section(text, "profile dup", [("region", "af-south-1")])
    assert [s.header for s in ie.find_profile(new, "dup")] == ["profile dup"]
    assert load_config(str(write(tmp_path / "c", new)))["profiles"]["dup"] == {"region": "af-south-1"}
    for untouched in ("[ profile dup ]", "[Profile dup]", "[profile dup extra]"):
        assert untouched in new
    check_edit(tmp_path, text, new, "profile dup", "config", [("region", "af-south-1")])
    # only a look-alike exists: it is replaced by the canonical spelling
    only_quoted = '[profile "q"]\nregion = a\n'
    assert ie.upsert_section(only_quoted, "profile q", [("region", "b")]) == "[profile q]\nregion = b\n"

    gone = ie.remove_section(text, "profile dup")
    assert ie.find_profile(gone, "dup") == []
    assert "dup" not in load_config(str(write(tmp_path / "c", gone)))["profiles"]


def test_credentials_headers_match_exactly() -> None:
    text = read("profile_prefixed.credentials")
    assert [s.header for s in ie.find_profile(text, "work", "credentials")] == ["work"]
    new = ie.upsert_section(text, "work", CREDS_ITEMS, kind="credentials")
    assert "[profile work]" in new and "[work ]" in new
    # read as a config file, the same names would be look-alikes
    assert ie.section_identity("profile work") == ("profile", "work")
    assert ie.section_identity("profile work", "credentials") == ("section", "profile work")


@pytest.mark.parametrize(
    ("header", "identity"),
    [
        ("profile x", ("profile", "x")),
        ('profile "x"', ("profile", "x")),
        ("profile x ", ("profile", "x")),
        ("profile\tx", ("profile", "x")),
        ("profilex x", ("profile", "x")),
        (" profile x ", ("section", " profile x ")),
        ("Profile x", ("section", "Profile x")),
        ("profile x y", ("ignored", "profile x y")),
        ("profile 'x", ("ignored", "profile 'x")),
        ("profile", ("ignored", "profile")),
        ("default", ("profile", "default")),
        ("profile default", ("profile", "default")),
        ("services s", ("services", "s")),
        ("sso-session corp", ("sso-session", "corp")),
        ("preview", ("section", "preview")),
    ],
)
def test_section_identity_matches_botocore(header: str, identity: tuple[str, str]) -> None:
    assert ie.section_identity(header) == identity == boto_identity(header, "config")


# --- render_section -----------------------------------------------------------------------------------------


def test_render_section_format() -> None:
    out = ie.render_section("profile x", [("region", "us-east-1"), ("s3", [("endpoint_url", "http://h:9")])])
    assert out == "[profile x]\nregion = us-east-1\ns3 =\n    endpoint_url = http://h:9\n"
    assert ie.render_section("x", [("k", "")], "\r\n") == "[x]\r\nk =\r\n"
    assert ie.render_section("x", [], "\r") == "[x]\r"


SECRET = "wJalrXUtnFEMI-K7MDENG"


@pytest.mark.parametrize(
    "value",
    [
        f"{SECRET}\n",
        f"{SECRET}\rx",
        f"a\x00{SECRET}",
        f" {SECRET}",
        f"{SECRET}\t",
        f"{SECRET}\u2028x",
        f"{SECRET}\x0cx",
        f"{SECRET}\x85",
        f"{SECRET}\u00a0",
    ],
)
def test_render_refuses_unsafe_values_without_echoing_them(value: str) -> None:
    for items in ([("aws_secret_access_key", value)], [("s3", [("endpoint_url", value)])]):
        with pytest.raises(ie.IniValueError) as exc:
            ie.render_section("x", items)
        assert SECRET not in str(exc.value)
        assert isinstance(exc.value, InvalidValue) and isinstance(exc.value, ValueError)


@pytest.mark.parametrize(
    ("header", "items"),
    [
        ("", []),
        (" x", []),
        ("x\n", []),
        ("x", [("bad key", "v")]),
        ("x", [("k=v", "v")]),
        ("x", [("#k", "v")]),
        ("x", [("", "v")]),
        ("x", [("Region", "a"), ("region", "b")]),
        ("x", [("s3", [])]),
        ("x", [("s3", [("a", "1"), ("a", "2")])]),
        ("x", [("s3", [("a:b", "1")])]),
        ("x", [("k", 1)]),
        ("x", ["k"]),
    ],
)
def test_render_refuses_bad_input(header: str, items) -> None:
    with pytest.raises(ValueError):
        ie.render_section(header, items)


def test_upsert_refuses_default_and_bad_kind() -> None:
    with pytest.raises(ie.IniValueError):
        ie.upsert_section("[DEFAULT]\na = 1\n", "DEFAULT", [("a", "2")])
    with pytest.raises(ie.IniValueError):
        ie.remove_section("[DEFAULT]\na = 1\n", "DEFAULT")
    with pytest.raises(ValueError):
        ie.validate("", "p", "cfg")


# --- edge cases ---------------------------------------------------------------------------------------------


def test_section_boundaries_leave_gap_comments_to_the_next_section() -> None:
    text = "# top\n[a]\nx = 1\n  # inside a\ny = 2\n\n# about b\n\n[b]\nz = 3\n\n# tail\n"
    doc = ie.parse(text)
    a, b = doc.sections
    assert doc.get("a") is a and doc.get("b") is b and doc.get("c") is None
    assert text[a.preamble_start : a.start] == "# top\n"
    assert text[a.start : a.end] == "[a]\nx = 1\n  # inside a\ny = 2\n"
    assert text[b.preamble_start : b.start] == "\n# about b\n\n"
    assert text[b.start : b.end] == "[b]\nz = 3\n"
    assert (a.line, a.end_line, b.line, b.end_line) == (2, 5, 9, 10)
    assert a.keys == ("x", "y")
    assert ie.remove_section(text, "b") == "# top\n[a]\nx = 1\n  # inside a\ny = 2\n\n# about b\n\n# tail\n"
    # no blank line before [a]: the blank lines after it go instead
    assert ie.remove_section(text, "a") == "# top\n# about b\n\n[b]\nz = 3\n\n# tail\n"
    assert ie.upsert_section(text, "a", [("x", "9")]) == text.replace(
        "x = 1\n  # inside a\ny = 2\n", "x = 9\n"
    )


@pytest.mark.parametrize(
    ("text", "nl"),
    [("", "\n"), ("[a]", "\n"), ("[a]\r\nb=1\r\n", "\r\n"), ("[a]\rb=1\r\n", "\r\n"), ("a\rb\rc\r\n", "\r")],
)
def test_dominant_newline(text: str, nl: str) -> None:
    assert ie.dominant_newline(text) == nl


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("", "[n]\nk = v\n"),
        ("[a]\r\nx=1", "[a]\r\nx=1\r\n\r\n[n]\r\nk = v\r\n"),
        # Always one blank line of s3env's own, so removing the section gives the text back.
        ("# c\n\n", "# c\n\n\n[n]\nk = v\n"),
        ("[a]\nx=1\n[b]\ny=1\r", "[a]\nx=1\n[b]\ny=1\r\r[n]\nk = v\n"),  # no "\r"+"\n" fusion
        ("[a]\rx=1\r", "[a]\rx=1\r\r[n]\rk = v\r"),
    ],
)
def test_append(text: str, result: str, tmp_path: Path) -> None:
    new = ie.upsert_section(text, "n", [("k", "v")])
    assert new == result
    check_edit(tmp_path, text, new, "n", "config", [("k", "v")])


def test_replace_keeps_missing_final_newline_and_crlf_neighbours() -> None:
    text = "[a]\r\nx = 1\r\n[b]\r\ny = 2"
    assert ie.upsert_section(text, "b", [("y", "3")]) == "[a]\r\nx = 1\r\n[b]\r\ny = 3"
    assert ie.upsert_section(text, "a", [("x", "0")]) == "[a]\r\nx = 0\r\n[b]\r\ny = 2"


def test_remove_never_fuses_cr_and_lf(tmp_path: Path) -> None:
    # cutting "\r[b]\ny = 2\n" would leave "x = 1\r" + "\n[c]": the blank "\n" line goes too
    text = "[a]\nx = 1\r\r[b]\ny = 2\n\n[c]\nz = 3\n"
    new = ie.remove_section(text, "b")
    assert new == "[a]\nx = 1\r[c]\nz = 3\n"
    check_edit(tmp_path, text, new, "b", "config", None)


def test_indented_headers_stay_headers(tmp_path: Path) -> None:
    text = read("indented_headers.config")
    new = ie.upsert_section(text, "default", [("region", "x"), ("s3", [("a", "b")])])
    assert "  region = x\n  s3 =\n      a = b\n" in new
    check_edit(tmp_path, text, new, "default", "config", [("region", "x"), ("s3", [("a", "b")])])
    # removing [b] would glue the indented [c] onto [a]'s last value: refused, nothing written
    risky = "[a]\nx = 1\n[b]\n  y = 2\n  [c]\n  z = 3\n"
    with pytest.raises(AwsFileParseError, match="edit this file by hand"):
        ie.remove_section(risky, "b")


def test_defaults_section_is_left_alone(tmp_path: Path) -> None:
    text = read("default_upper.config")
    assert ie.has_defaults_section(text) and not ie.has_defaults_section(read("plain_lf.config"))
    assert not ie.has_defaults_section("[default]\n")
    new = ie.upsert_section(text, "profile n", [("region", "r")])
    assert boto(tmp_path / "c", new)["profile n"] == {
        "region": "r",
        "output": "json",
        "cli_pager": "",
        "max_attempts": "5",
    }
    assert new.count("[DEFAULT]") == 2
    # a broken nested DEFAULT value only matters once a section inherits it
    broken = "[DEFAULT]\ns3 =\n  no equals\n"
    ie.validate(broken)
    with pytest.raises(AwsFileParseError) as exc:
        ie.upsert_section(broken, "profile n", [("region", "r")])
    assert exc.value.line == 3
    assert ie.upsert_section(broken, "n", [("s3", [("a", "b")])]).endswith("[n]\ns3 =\n    a = b\n")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("\ufeff", 1),
        ("\ufeff[a]\n", 1),
        ("# ok\n\nk = v\n", 3),
        ("[a]\nk\n[a]\n", 2),  # configparser defers the bad line, we report the earliest problem
        ("[a]\nk = 1\n[b]\n\n[a]\n", 5),
        ("[a]\nK = 1\nk = 2\n", 3),
        ("[DEFAULT]\nk = 1\n[DEFAULT]\nk = 2\n", 4),
        ("[a]\ns3 =\n\n  x = 1\n\n  y\n", 6),
        ("[a]\ns3 =\n  x = 1\x0cy\n", 3),
        ("[a]\n: v\n", 2),
        ("[a]\nx = \ud800\n", 2),
    ],
)
def test_refusals_and_their_lines(text: str, line: int, tmp_path: Path) -> None:
    with pytest.raises(AwsFileParseError) as exc:
        ie.validate(text, "f")
    assert exc.value.line == line
    if "\ud800" not in text:
        assert boto_refuses(tmp_path / "f", text)


@pytest.mark.parametrize(
    "text",
    [
        "[DEFAULT]\nx = 1\n[DEFAULT]\ny = 2\n[a]\n",
        "[a]\nx = 1\n  [b]\n  y = 2\n",
        "[a] # c\nx=1\n",
        "[a]b]\nx=1\n",
        "[a]\ns3 =\n  # c\n\n  k = v\n\n",
        "[a]\ns3=\n\n\n",
        "[DEFAULT]\ns3 =\n  bad\n[a]\ns3 = 1\n",
        "  [a]\n  x = 1\n  [b]\n",
    ],
)
def test_accepted_oddities(text: str, tmp_path: Path) -> None:
    ie.validate(text)
    assert ie.raw_values(text) == boto(tmp_path / "f", text)


# --- generated files ----------------------------------------------------------------------------------------

ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])
FRAGMENTS = [
    "[default]",
    "[profile a]",
    '[profile "a"]',
    "[profile a ]",
    "[ profile a ]",
    "[Profile a]",
    "[DEFAULT]",
    "[a] # c",
    "[b]x]",
    "[services s]",
    "[]",
    "[",
    "region = us-east-1",
    "Region=x",
    "k: v",
    "k : v = w",
    "s3 =",
    "s3=",
    "= v",
    ": v",
    "novalue",
    "endpoint_url = http://h:9000",
    "a = b\x0cc",
    "a = b\u2028c",
    "x = 1 # not a comment",
    "# comment",
    "; comment",
    "",
    "   ",
    "\t",
]
INDENTS = st.sampled_from(["", "", "", " ", "  ", "\t", "    ", "        ", "\u00a0"])
MESSY_LINE = st.one_of(
    st.builds(lambda i, f: i + f, INDENTS, st.sampled_from(FRAGMENTS)),
    st.text(alphabet=" \t=:[]#;\"'ab\x0c\u2028\u00a0é", max_size=10),
)


@st.composite
def messy_files(draw) -> str:
    lines = draw(st.lists(st.tuples(MESSY_LINE, ENDINGS), max_size=14))
    text = "".join(line + end for line, end in lines)
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n")
    if draw(st.integers(0, 20)) == 0:
        text = "\ufeff" + text
    return text


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ini")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=messy_files())
def test_validate_agrees_with_botocore_on_generated_files(text: str, scratch: Path) -> None:
    path = scratch / "messy"
    try:
        ie.validate(text, "messy")
    except AwsFileParseError as exc:
        assert boto_refuses(path, text), text
        assert 1 <= exc.line <= max(1, len(_EOL.findall(text)) + 1)
    else:
        assert ie.raw_values(text) == boto(path, text)


SAFE_VALUE = st.text(alphabet="abcXYZ019 :=/#;[]\"'é\t-", max_size=8).map(str.strip)
HEADERS = [
    "default",
    "profile a",
    'profile "a"',
    "profile a ",
    " profile a ",
    "Profile a",
    "profile b",
    "profilex b",
    "services s",
    "sso-session s",
    "c",
    "DEFAULT",
]
TARGETS = ["default", "profile a", "profile b", "c", "services s", "profile new", "new"]
KEYS = ["region", "output", "s3", "endpoint_url", "k1", "K2"]
SUBKEYS = ["endpoint_url", "addressing_style", "x"]
COMMENT = st.sampled_from(["# c", "; c", "  # indented", "\t; tab", "#", "# é ☃ [profile a]"])
GAP = st.lists(st.one_of(COMMENT, st.sampled_from(["", "  ", "\t"])), max_size=3)


@st.composite
def valid_files(draw) -> str:
    indent = draw(st.sampled_from(["", "", "", "  "]))  # whole-file indentation keeps headers headers
    out: list[str] = [*draw(GAP)]
    for header in draw(st.lists(st.sampled_from(HEADERS), unique=True, max_size=5)):
        out.append(f"{indent}[{header}]")
        for key in draw(st.lists(st.sampled_from(KEYS), unique_by=str.lower, max_size=4)):
            sep = draw(st.sampled_from([" = ", "=", ": ", "\t=\t"]))
            if draw(st.booleans()):
                out.append(f"{indent}{key}{sep}{draw(SAFE_VALUE)}".rstrip())
            else:
                out.append(f"{indent}{key}{sep.rstrip()}")
                sub_indent = indent + draw(st.sampled_from([" ", "\t", "    ", "        "]))
                for sub in draw(st.lists(st.sampled_from(SUBKEYS), min_size=1, max_size=3)):
                    out.append(f"{sub_indent}{sub} = {draw(SAFE_VALUE)}".rstrip())
                    out.extend(draw(st.lists(st.sampled_from(["", "  ", "    # c"]), max_size=1)))
            out.extend(draw(st.lists(COMMENT, max_size=1)))
        out.extend(draw(GAP))
    text = "".join(line + draw(ENDINGS) for line in out)
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=valid_files(),
    target=st.sampled_from(TARGETS),
    kind=st.sampled_from(["config", "credentials"]),
    op=st.sampled_from(["upsert", "remove"]),
    nested=st.booleans(),
)
def test_generated_edits_keep_everything_else(
    text: str, target: str, kind: str, op: str, nested: bool, scratch: Path
) -> None:
    if boto_refuses(scratch / "gen", text):  # e.g. a look-alike spelled twice after stripping
        with pytest.raises(AwsFileParseError):
            ie.validate(text)
        return
    items = [("region", "r1"), ("s3", [("endpoint_url", "http://e:1")])] if nested else [("output", "json")]
    if op == "upsert":
        new = ie.upsert_section(text, target, items, kind=kind)
        check_edit(scratch, text, new, target, kind, items)
    else:
        new = ie.remove_section(text, target, kind=kind)
        check_edit(scratch, text, new, target, kind, None)


@pytest.mark.parametrize("name", VALID)
def test_append_then_remove_gives_the_file_back(name: str) -> None:
    text = read(name)
    kind = kind_of(name)
    header = "profile s3env-roundtrip" if kind == "config" else "s3env-roundtrip"
    added = ie.upsert_section(text, header, items_for(header, kind), kind=kind)
    back = ie.remove_section(added, header, kind=kind)
    if text.endswith(("\n", "\r")) or not text:
        assert back == text
    else:  # only the line ending the append had to add to the last line stays
        assert back[: len(text)] == text and back[len(text) :] in ("\n", "\r\n", "\r")


# --- edit_section: key by key, as awscli's configure writer ------------------------------------------------


def test_edit_section_keeps_unchanged_lines_and_comments() -> None:
    text = (
        "# top\n[profile a]\n# mine\nregion = x\nOutput   =   json\ns3 =\n  max_concurrent_requests = 20\n"
        "  endpoint_url = http://old\nsso_session = corp\n\n[b]\nz=1"
    )
    items = [
        ("region", "x"),
        ("output", "json"),
        ("s3", [("max_concurrent_requests", "20"), ("endpoint_url", "http://new")]),
        ("sso_session", "corp"),
        ("services", "s3env-a"),
    ]
    assert ie.edit_section(text, "profile a", items) == (
        "# top\n[profile a]\n# mine\nregion = x\nOutput   =   json\ns3 =\n    max_concurrent_requests = 20\n"
        "    endpoint_url = http://new\nsso_session = corp\nservices = s3env-a\n\n[b]\nz=1"
    )
    # a key in neither items nor keep goes; keep leaves one exactly where it is
    assert ie.edit_section(text, "profile a", [("region", "y")], keep=frozenset({"sso_session"})) == (
        "# top\n[profile a]\n# mine\nregion = y\nsso_session = corp\n\n[b]\nz=1"
    )
    # the last section of a file without a final line ending
    assert ie.edit_section(text, "b", [("z", "1"), ("y", "2")]).endswith("[b]\nz=1\ny = 2")
    assert ie.edit_section("[a]\r\nx = 1\r\n", "a", [("x", "1"), ("y", "2")]) == "[a]\r\nx = 1\r\ny = 2\r\n"


def test_edit_section_falls_back_to_upsert_for_new_and_lookalike_sections() -> None:
    assert ie.edit_section("", "profile n", [("region", "r")]) == "[profile n]\nregion = r\n"
    text = '[profile "q"]\nregion = a\nmine = 1\n'
    assert ie.edit_section(text, "profile q", [("region", "b")]) == "[profile q]\nregion = b\n"
    with pytest.raises(AwsFileParseError, match="edit it by hand"):
        ie.edit_section(text, "profile q", [("region", "b")], keep=frozenset({"mine"}))


def test_section_values_reads_one_section_without_defaults() -> None:
    text = "[DEFAULT]\noutput = json\n[profile a]\nRegion = x\ns3 =\n  Max = 1\n[profile  a ]\nregion = y\n"
    assert ie.section_values(text, "profile a") == {"region": "y"}  # the last look-alike, as botocore
    assert ie.section_values(text, "profile b") is None
    assert ie.section_values("[a]\nRegion = x\ns3 =\n  Max = 1\n", "a", kind="credentials") == {
        "region": "x",
        "s3": {"Max": "1"},
    }


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=valid_files(),
    target=st.sampled_from(["profile a", "profile b", "c"]),
    changes=st.lists(
        st.tuples(st.sampled_from(["region", "output", "x", "s3", "new"]), st.sampled_from(["v1", "v2", ""])),
        max_size=4,
        unique_by=lambda kv: kv[0],
    ),
    keep_some=st.booleans(),
)
def test_generated_edit_section_changes_only_what_it_must(
    text: str, target: str, changes: list, keep_some: bool, scratch: Path
) -> None:
    if boto_refuses(scratch / "gen", text):
        return
    found = ie.find_sections(text, target)
    if len(found) != 1 or found[0].header != target:
        return  # the fall-back (upsert_section) has its own tests
    items = [(k, [("endpoint_url", v or "e")] if k == "s3" else v) for k, v in changes]
    wanted = {k for k, _v in items}
    keep = frozenset(k for k in found[0].keys if k not in wanted and keep_some)
    before = boto(scratch / "before", text)
    try:
        new = ie.edit_section(text, target, items, keep=keep)
    except AwsFileParseError:
        return  # indented headers: refused, nothing written (tested with the fall-back)
    after = boto(scratch / "after", new)
    for name, values in before.items():
        if name != target:
            assert after[name] == values, name
    got = dict(after[target])
    inherited = defaults_of(scratch / "after")
    for key, value in expected(items).items():
        assert got.pop(key) == value
    for key in keep:
        assert got.pop(key) == before[target][key]
    assert set(got) <= set(inherited)
    # a key whose value stays keeps its own lines, byte for byte
    old_doc = ie.parse(text)
    old_section = next(s for s in old_doc.sections if s.header == target)
    for key, first, last, _indent in ie._key_spans(old_doc, old_section):
        if key in keep or (key in wanted and before[target].get(key) == expected(items)[key]):
            span = text[old_doc._lines[first][0] : old_doc._lines[last][1]]
            assert span in new, key
    # every character outside the section's own span is as it was
    assert new.startswith(text[: old_section.start]) and new.endswith(text[old_section.end :])
    assert ie.edit_section(new, target, items, keep=keep) == new
