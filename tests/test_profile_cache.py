"""The cache of ``profiles.toml`` (``storefile``, through ``cachefile``): the start-up path
(``quickload``) answers from it only when it was made from exactly the bytes ``profiles.toml``
holds, and only when it is safely the user's own; every other case defers to ``ProfileStore``,
which gives the truth and writes the cache again.  It never holds a secret.

(These replace tests/test_tomlfast.py: the TOML subset reader they tested is gone.)"""

from __future__ import annotations

import marshal
import os
import stat
import tempfile
import threading
from pathlib import Path

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import s3env
from s3env.core.errors import S3envError
from s3env.store import cachefile, storefile
from s3env.store.profiles import ProfileStore
from s3env.store.quickload import quick_profile
from tests.conftest import RunS3env, Sandbox

SECRET = "cache-must-never-hold-this-0123456789"


def _store() -> ProfileStore:
    store = s3env.open_store()
    store.add(
        s3env.Profile(
            "alpha",
            endpoint_url="http://127.0.0.1:9000",
            region="eu-west-1",
            access_key_id="AKIDALPHA",
            secret_access_key=SECRET,
            session_token="token-" + SECRET,
            extra={"signature_version": "s3v4"},
        )
    )
    store.add(s3env.Profile("beta", endpoint_url="https://s3.example.com", region="us-east-1"))
    store.set_setting("active", "alpha")
    return store


def cache_file(sandbox: Sandbox) -> Path:
    return sandbox.store / "profiles.cache"


def _same_size_edit(sandbox: Sandbox, old: str, new: str) -> None:
    """Change ``profiles.toml`` in place, keeping its size, inode and mtime: what a size/mtime
    key cannot see (an edit within one tick of the file system's clock)."""
    assert len(old) == len(new)
    path = sandbox.profiles_file
    info = path.stat()
    text = path.read_text()
    assert old in text
    with open(path, "r+") as fh:  # in place: same inode
        fh.write(text.replace(old, new))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (info.st_ino, info.st_size, info.st_mtime_ns)


# ---- the ordinary case ---------------------------------------------------------------------------


def test_every_store_write_leaves_a_private_cache_without_secrets(sandbox: Sandbox) -> None:
    _store()
    path = cache_file(sandbox)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    blob = path.read_bytes()
    assert SECRET.encode() not in blob and b"AKIDALPHA" in blob  # the key id is not a secret
    quick = quick_profile("alpha", secrets=False)
    assert quick is not None and quick == ProfileStore().get("alpha")
    assert quick_profile("alpha", secrets=True) == ProfileStore().get("alpha", secrets=True)


def test_a_read_writes_the_cache_and_an_identical_one_is_left_alone(sandbox: Sandbox) -> None:
    _store()
    path = cache_file(sandbox)
    good = path.read_bytes()
    path.unlink()
    assert quick_profile("alpha", secrets=False) is None  # no cache: ProfileStore decides
    ProfileStore().read()
    assert path.read_bytes() == good  # the same bytes for the same profiles.toml
    before = path.stat().st_ino, path.stat().st_mtime_ns
    ProfileStore().read()
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == before  # not rewritten
    assert quick_profile("alpha", secrets=False) is not None


def test_a_failed_transaction_leaves_the_cache_as_it_was(sandbox: Sandbox) -> None:
    store = _store()
    before = cache_file(sandbox).read_bytes(), sandbox.profiles_file.read_bytes()
    with pytest.raises(RuntimeError), store.transaction():
        store.update("alpha", [("region", "ap-south-1")])
        assert quick_profile("alpha", secrets=False).region == "ap-south-1"  # type: ignore[union-attr]
        raise RuntimeError("refused after the change")
    assert (cache_file(sandbox).read_bytes(), sandbox.profiles_file.read_bytes()) == before
    assert quick_profile("alpha", secrets=False).region == "eu-west-1"  # type: ignore[union-attr]


def test_a_store_that_does_not_exist_gets_no_cache(sandbox: Sandbox) -> None:
    assert not sandbox.store.exists()
    assert quick_profile(None, secrets=False) is None
    assert ProfileStore().read().profiles == {}
    assert not sandbox.store.exists()


# ---- hand edits count at once --------------------------------------------------------------------


def test_a_hand_edit_counts_at_once_even_with_the_same_size_and_mtime(sandbox: Sandbox) -> None:
    _store()
    _same_size_edit(sandbox, 'region = "eu-west-1"', 'region = "eu-west-2"')
    assert quick_profile("alpha", secrets=False) is None  # stale: defer
    assert ProfileStore().get("alpha").region == "eu-west-2"
    quick = quick_profile("alpha", secrets=False)  # the read wrote it again
    assert quick is not None and quick.region == "eu-west-2"


def test_a_hand_edit_reaches_s3env_env_at_once(sandbox: Sandbox, run_s3env: RunS3env) -> None:
    _store()
    assert "eu-west-1" in run_s3env("env", "alpha", "--shell", "json").stdout
    _same_size_edit(sandbox, 'region = "eu-west-1"', 'region = "eu-west-2"')
    for _ in range(2):  # the first call refreshes the cache, the second reads it
        result = run_s3env("env", "alpha", "--shell", "json")
        assert result.returncode == 0, result.stderr
        assert '"AWS_REGION": "eu-west-2"' in result.stdout


def test_a_hand_edit_that_breaks_the_file_is_reported_not_hidden(
    sandbox: Sandbox, run_s3env: RunS3env
) -> None:
    _store()
    _same_size_edit(sandbox, 'region = "eu-west-1"', 'region = "eu west 1"')
    result = run_s3env("env", "alpha")
    assert result.returncode == 1 and "invalid region" in result.stderr
    assert result.stdout == ""


# ---- a cache not to trust ------------------------------------------------------------------------


def _cached_table(sandbox: Sandbox) -> dict:
    return marshal.loads(marshal.loads(cache_file(sandbox).read_bytes())["payload"])[1]


def _forge(sandbox: Sandbox, endpoint: str = "http://evil.invalid:1") -> None:
    """A cache for the right bytes that says something else: what only a forger would write."""
    table = _cached_table(sandbox)
    table["profiles"]["alpha"]["endpoint_url"] = endpoint
    source = sandbox.profiles_file.read_bytes()
    cachefile.write(str(cache_file(sandbox)), storefile.CACHE_FORMAT, (source, table), temp_prefix=".t-")


def _not_used(sandbox: Sandbox) -> None:
    assert quick_profile("alpha", secrets=False) is None
    assert ProfileStore().get("alpha").endpoint_url == "http://127.0.0.1:9000"


def test_the_users_own_cache_is_believed(sandbox: Sandbox) -> None:
    """What the checks stand on: a well-formed cache in the private store directory is used as it
    is (so only the user, or root, can have written it)."""
    _store()
    _forge(sandbox)
    assert quick_profile("alpha", secrets=False).endpoint_url == "http://evil.invalid:1"  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_a_cache_file_others_can_write_is_ignored_and_replaced(sandbox: Sandbox, mode: int) -> None:
    _store()
    _forge(sandbox)
    cache_file(sandbox).chmod(mode)
    _not_used(sandbox)
    assert stat.S_IMODE(cache_file(sandbox).stat().st_mode) == 0o600  # the read replaced it
    assert quick_profile("alpha", secrets=False).endpoint_url == "http://127.0.0.1:9000"  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777, 0o1777])
def test_a_store_directory_others_can_write_is_neither_read_nor_written(sandbox: Sandbox, mode: int) -> None:
    _store()
    _forge(sandbox)
    forged = cache_file(sandbox).read_bytes()
    sandbox.store.chmod(mode)
    try:
        _not_used(sandbox)
        assert cache_file(sandbox).read_bytes() == forged  # nothing written there either
        assert not [p for p in sandbox.store.iterdir() if p.name.startswith(".profiles-cache-")]
    finally:
        sandbox.store.chmod(0o700)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
@pytest.mark.parametrize("what", ["file", "directory"])
def test_a_cache_of_another_user_is_ignored(sandbox: Sandbox, what: str) -> None:
    _store()
    _forge(sandbox)
    target = cache_file(sandbox) if what == "file" else sandbox.store
    os.chown(target, 12345, -1)
    try:
        _not_used(sandbox)
    finally:
        os.chown(target, os.geteuid(), -1)


def test_a_cache_file_that_is_a_link_is_not_followed(sandbox: Sandbox) -> None:
    _store()
    _forge(sandbox)
    planted = sandbox.root / "planted.cache"
    cache_file(sandbox).rename(planted)
    cache_file(sandbox).symlink_to(planted)
    planted_bytes = planted.read_bytes()
    _not_used(sandbox)
    assert not cache_file(sandbox).is_symlink()  # the read replaced the link itself
    assert planted.read_bytes() == planted_bytes  # and wrote nothing through it


def test_a_store_directory_that_is_a_link_is_not_used(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store()
    _forge(sandbox)
    link = sandbox.root / "store-link"
    link.symlink_to(sandbox.store)
    monkeypatch.setenv("S3ENV_HOME", str(link))
    _not_used(sandbox)


def test_a_fifo_planted_as_the_cache_does_not_block(sandbox: Sandbox) -> None:
    _store()
    cache_file(sandbox).unlink()
    os.mkfifo(cache_file(sandbox), 0o600)
    done = threading.Event()
    answers: list[object] = []

    def read() -> None:
        answers.append(quick_profile("alpha", secrets=False))
        done.set()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        assert done.wait(10), "opening the FIFO blocked"
        assert answers == [None]
    finally:
        if not done.is_set():
            fd = os.open(cache_file(sandbox), os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)


@pytest.mark.parametrize(
    "spoil",
    ["garbage", "truncated", "bad-crc", "other-format", "not-a-pair", "table-not-a-dict", "too-big"],
)
def test_a_damaged_cache_is_ignored_and_replaced(sandbox: Sandbox, spoil: str) -> None:
    _store()
    path = cache_file(sandbox)
    good = path.read_bytes()
    source = sandbox.profiles_file.read_bytes()
    key, prefix = storefile.CACHE_FORMAT, ".t-"
    if spoil == "garbage":
        path.write_bytes(b"\x00not marshal\xff" * 10)
    elif spoil == "truncated":
        path.write_bytes(good[:-1])
    elif spoil == "bad-crc":
        outer = marshal.loads(good)
        outer["payload"] = outer["payload"][:-9] + b"N" + outer["payload"][-8:]
        path.write_bytes(marshal.dumps(outer))
    elif spoil == "other-format":
        cachefile.write(str(path), key + 1, marshal.loads(marshal.loads(good)["payload"]), temp_prefix=prefix)
    elif spoil == "not-a-pair":
        cachefile.write(str(path), key, (source, _cached_table(sandbox), 1), temp_prefix=prefix)
    elif spoil == "table-not-a-dict":
        cachefile.write(str(path), key, (source, ["profiles"]), temp_prefix=prefix)
    else:
        path.write_bytes(good + b"\0" * storefile.CACHE_MAX_SIZE)
    assert quick_profile("alpha", secrets=False) is None
    ProfileStore().read()
    assert path.read_bytes() == good


@pytest.mark.parametrize(
    "change",
    [
        {"secret_access_key": SECRET},  # a secret: what storefile refuses in profiles.toml
        {"region": "eu west"},
        {"endpoint_url": 5},
        {"no_such_key": "x"},
    ],
)
def test_a_cache_that_the_store_checks_would_refuse_is_ignored(sandbox: Sandbox, change: dict) -> None:
    """Its table is checked again like profiles.toml itself: a forged or older cache cannot bring
    in what ProfileStore would refuse."""
    _store()
    table = _cached_table(sandbox)
    table["profiles"]["alpha"].update(change)
    source = sandbox.profiles_file.read_bytes()
    cachefile.write(str(cache_file(sandbox)), storefile.CACHE_FORMAT, (source, table), temp_prefix=".t-")
    assert quick_profile("alpha", secrets=False) is None


def test_a_store_that_holds_a_secret_is_never_cached(sandbox: Sandbox) -> None:
    _store()
    cache_file(sandbox).unlink()
    text = sandbox.profiles_file.read_text()
    sandbox.profiles_file.write_text(
        text.replace("[profiles.beta]\n", f'[profiles.beta]\nsecret_access_key = "{SECRET}"\n')
    )
    with pytest.raises(S3envError, match="secret store"):
        ProfileStore().read()
    assert not cache_file(sandbox).exists()
    assert quick_profile("alpha", secrets=False) is None


# ---- agreement with ProfileStore -----------------------------------------------------------------

NAMES = st.text(alphabet="abcXYZ019_.-", min_size=1, max_size=10).filter(lambda n: n[0].isalnum())
VALUES = st.sampled_from(["us-east-1", "eu-west-1", "eu west", "", "x" * 70])
ENDPOINTS = st.sampled_from(["http://127.0.0.1:9000", "https://s3.example.com/base", "ftp://x", "nope"])
STYLES = st.sampled_from(["auto", "path", "virtual", "sideways"])
ENTRY = st.fixed_dictionaries(
    {},
    optional={
        "region": VALUES,
        "endpoint_url": ENDPOINTS,
        "addressing_style": STYLES,
        "access_key_id": st.sampled_from(["AKID", "AK ID"]),
        "extra": st.dictionaries(
            st.sampled_from(["signature_version", "s3.max_concurrent_requests"]), VALUES
        ),
        "secret_access_key": st.just("s"),
        "unknown": st.just("u"),
    },
)
SETTINGS = st.fixed_dictionaries(
    {}, optional={"active": NAMES, "secrets": st.sampled_from(["file", "keyring", "auto", "bogus"])}
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(NAMES, ENTRY, max_size=4), SETTINGS, st.one_of(st.none(), NAMES))
def test_the_cache_answers_what_profile_store_answers(
    profiles: dict, settings_: dict, name: str | None
) -> None:
    """Any profiles.toml, valid or not: read once through ProfileStore (which writes the cache
    when the file is valid), the quick path then gives exactly ProfileStore's profile, or defers."""
    doc = tomlkit.document()
    if settings_:
        doc["settings"] = settings_
    if profiles:
        table = tomlkit.table(is_super_table=True)
        for key, entry in profiles.items():
            table[key] = entry
        doc["profiles"] = table
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "store")
        os.mkdir(root, 0o700)
        with open(os.path.join(root, "profiles.toml"), "w") as fh:
            fh.write(tomlkit.dumps(doc))
        env = {"S3ENV_HOME": root, "HOME": tmp, "S3ENV_SECRETS": "file"}
        store = ProfileStore(env=env)
        try:
            data = store.read()
        except S3envError:
            assert quick_profile(name, secrets=False, env=env) is None
            assert not os.path.exists(os.path.join(root, "profiles.cache"))
            return
        assert os.path.exists(os.path.join(root, "profiles.cache"))
        quick = quick_profile(name, secrets=False, env=env)
        wanted = data.profiles.get(name if name is not None else data.settings.get("active", ""))
        assert quick == wanted
        if wanted is not None:
            assert quick == store.get(wanted.name)
