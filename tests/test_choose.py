"""Which profile applies (``core.choose``, pure) and the nearest ``.s3env`` (``store.dirprofile``,
on real files): flag > pinned shell > directory > global, and the rules of a ``.s3env`` file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3env.core.choose import (
    DIRECTORY,
    FLAG,
    GLOBAL,
    PINNED,
    SOURCES,
    choose_profile,
    pin_to_export,
    pinned_name,
)
from s3env.core.errors import DirectoryProfileError, NoActiveProfile
from s3env.store.dirprofile import current_dir, find_directory_profile

# ---- the rule (pure) ---------------------------------------------------------------------------


def test_each_rule_beats_every_rule_below_it() -> None:
    directory = ("d", "/p/.s3env")
    assert choose_profile("f", "p", directory, "g") == ("f", FLAG)
    assert choose_profile(None, "p", directory, "g") == ("p", PINNED)
    assert choose_profile(None, None, directory, "g") == ("d", DIRECTORY)
    assert choose_profile(None, None, None, "g") == ("g", GLOBAL)
    assert choose_profile(None, "", None, "g") == ("g", GLOBAL)  # an empty pin is no pin
    with pytest.raises(NoActiveProfile):
        choose_profile(None, None, None, None)


def test_a_name_given_on_purpose_is_taken_as_it_is() -> None:
    """Even an empty or malformed one: the store, not the rule, says what is wrong with it."""
    assert choose_profile("", "p", None, "g") == ("", FLAG)
    assert choose_profile("no such", None, None, None) == ("no such", FLAG)


names = st.one_of(st.none(), st.text(max_size=5))
directories = st.one_of(st.none(), st.tuples(st.text(min_size=1, max_size=5), st.just("/x/.s3env")))


@given(names, names, directories, names)
def test_the_first_rule_that_names_a_profile_decides(
    explicit: str | None, pinned: str | None, directory: tuple[str, str] | None, active: str | None
) -> None:
    candidates = [
        (explicit, FLAG, explicit is not None),
        (pinned, PINNED, bool(pinned)),
        (directory[0] if directory else None, DIRECTORY, directory is not None),
        (active, GLOBAL, bool(active)),
    ]
    present = [(name, source) for name, source, given in candidates if given]
    if not present:
        with pytest.raises(NoActiveProfile):
            choose_profile(explicit, pinned, directory, active)
        return
    name, source = choose_profile(explicit, pinned, directory, active)
    assert (name, source) == present[0]
    assert source in SOURCES
    # No rule below the one that decided changes the answer.
    below = SOURCES.index(source)
    assert choose_profile(
        explicit,
        pinned if below >= 1 else "other-pin",
        directory if below >= 2 else ("other-dir", "/o/.s3env"),
        active if below >= 3 else "other-global",
    ) == (name, source)


@given(st.text(min_size=1, max_size=8), st.sampled_from(SOURCES))
def test_only_a_flag_or_a_pin_is_exported_as_a_pin(name: str, source: str) -> None:
    assert pin_to_export(name, source) == (name if source in (FLAG, PINNED) else None)


def test_pinned_name_reads_s3env_pinned() -> None:
    assert pinned_name({"S3ENV_PINNED": "x"}) == "x"
    assert pinned_name({"S3ENV_PINNED": ""}) is None
    assert pinned_name({}) is None


# ---- the .s3env file (real files) ---------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """tmp_path/proj/a/b/c, no .s3env anywhere yet (tmp_path itself has none above it either)."""
    deep = tmp_path / "proj" / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_directory_profile(str(deep), {}) is None or _above(tmp_path)
    return tmp_path


def _above(path: Path) -> bool:
    return any((p / ".s3env").exists() for p in path.parents)


def test_the_nearest_file_up_the_tree_wins(tree: Path) -> None:
    deep = tree / "proj" / "a" / "b" / "c"
    (tree / "proj" / ".s3env").write_text("outer\n")
    assert find_directory_profile(str(deep), {}) == ("outer", str(tree / "proj" / ".s3env"))
    (tree / "proj" / "a" / "b" / ".s3env").write_text("inner")
    assert find_directory_profile(str(deep), {}) == ("inner", str(tree / "proj" / "a" / "b" / ".s3env"))
    assert find_directory_profile(str(tree / "proj" / "a"), {})[0] == "outer"  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("lab\n", "lab"),
        ("  \tlab \t\n", "lab"),
        ("lab", "lab"),
        ("lab\nother\n$(touch x)\n", "lab"),
        ("a.b_c-9\r", None),  # only spaces and tabs are stripped: a CR makes it invalid
        ("", None),
        ("\nlab\n", None),
        ("two words\n", None),
        ("-dash\n", None),
        ("$(touch x)\n", None),
        ("x" * 65 + "\n", None),
    ],
)
def test_only_the_first_line_counts_and_it_must_be_a_name(tree: Path, text: str, name: str | None) -> None:
    path = tree / "proj" / ".s3env"
    path.write_text(text, newline="")
    if name is not None:
        assert find_directory_profile(str(tree / "proj"), {}) == (name, str(path))
        return
    with pytest.raises(DirectoryProfileError) as caught:
        find_directory_profile(str(tree / "proj"), {})
    assert caught.value.message.startswith(f"{path} names ")
    assert caught.value.message.endswith("which is not a valid profile name")
    assert "\n" not in caught.value.message


def test_a_symlink_or_a_directory_is_ignored_and_the_walk_goes_on(tree: Path) -> None:
    proj = tree / "proj"
    (tree / ".s3env").write_text("outer\n")
    target = tree / "elsewhere"
    target.write_text("linked\n")
    (proj / ".s3env").symlink_to(target)
    assert find_directory_profile(str(proj), {}) == ("outer", str(tree / ".s3env"))
    (proj / "a" / ".s3env").mkdir()
    assert find_directory_profile(str(proj / "a"), {}) == ("outer", str(tree / ".s3env"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_another_users_file_is_ignored(tree: Path) -> None:
    (tree / ".s3env").write_text("mine\n")
    theirs = tree / "proj" / ".s3env"
    theirs.write_text("theirs\n")
    os.chown(theirs, 4242, 4242)
    assert find_directory_profile(str(tree / "proj"), {}) == ("mine", str(tree / ".s3env"))


def test_a_fifo_is_never_opened(tree: Path) -> None:
    os.mkfifo(tree / "proj" / ".s3env")
    assert find_directory_profile(str(tree / "proj"), {}) is None or _above(tree)


def test_pwd_is_the_shells_path_when_it_names_the_current_directory(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through a symbolic link, the walk follows $PWD (the path the shell and its hook walk), not
    the physical path; a stale $PWD is not believed."""
    real = tree / "real" / "work"
    real.mkdir(parents=True)
    (tree / "proj" / "link").symlink_to(real)
    (tree / "proj" / ".s3env").write_text("logical\n")
    monkeypatch.chdir(real)
    logical = str(tree / "proj" / "link")
    assert current_dir({"PWD": logical}) == logical
    assert find_directory_profile(None, {"PWD": logical}) == ("logical", str(tree / "proj" / ".s3env"))
    assert current_dir({"PWD": str(tree / "proj")}) == str(real)  # another directory: not believed
    assert current_dir({"PWD": "relative"}) == str(real)
    assert find_directory_profile(None, {}) is None or _above(tree)
