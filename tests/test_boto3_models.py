"""The boto3 backend's cache of botocore's parsed data files (``boto3_backend/models.py``):
what it serves is what botocore's own loader parses, it is used only where that cannot
differ, it is private to the user, and a client made from it works against a real server."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader

from devtools.devserver import MotoServer
from s3env.shim.boto3 import models
from tests.conftest import Sandbox, unique_bucket

# Everything the backend loads to make an S3 client and to paginate a listing.
NAMES = ("endpoints", "sdk-default-configuration", "partitions")
SERVICE_TYPES = ("service-2", "endpoint-rule-set-1", "paginators-1")


class CountingFileLoader:
    """botocore's JSON file loader, counting the files it parses."""

    def __init__(self) -> None:
        self.inner = Loader.FILE_LOADER_CLASS()
        self.loaded: list[str] = []

    def exists(self, path: str) -> bool:
        return self.inner.exists(path)

    def load_file(self, path: str) -> Any:
        found = self.inner.load_file(path)
        if found is not None:
            self.loaded.append(path)
        return found


def cached_loader(cache: Path) -> Any:
    loader = models.make_loader(None, {"XDG_CACHE_HOME": str(cache), "HOME": str(cache)})
    assert type(loader).__name__ == "CachedLoader"
    loader.file_loader = CountingFileLoader()
    return loader


def cached_data(cache_file: Path) -> dict[str, Any]:
    """The data entries in a cache file (its layout: models.write_cache)."""
    import marshal

    data, _services = marshal.loads(marshal.loads(cache_file.read_bytes())["payload"])
    return data


def load_all(loader: Any) -> dict[str, Any]:
    got = {name: loader.load_data(name) for name in NAMES}
    for type_name in SERVICE_TYPES:
        got[type_name] = loader.load_service_model("s3", type_name)
        got[f"list {type_name}"] = loader.list_available_services(type_name)
    return got


def test_cache_serves_what_botocore_parses_without_parsing(tmp_path: Path) -> None:
    expected = load_all(Loader())
    first = cached_loader(tmp_path)
    assert load_all(first) == expected
    assert len(first.file_loader.loaded) >= len(NAMES) + len(SERVICE_TYPES)
    first.save()

    cache_file = tmp_path / "s3env" / models.CACHE_FILE
    assert stat.S_IMODE(cache_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_file.parent.stat().st_mode) == 0o700

    second = cached_loader(tmp_path)
    assert load_all(second) == expected
    assert second.file_loader.loaded == []  # all of it from the cache file
    # A file botocore does not have (S3's rule set has no sdk-extras) is still "not found",
    # now from the cache.
    with pytest.raises(DataNotFoundError):
        Loader().load_data("s3/2006-03-01/endpoint-rule-set-1.sdk-extras")
    with pytest.raises(DataNotFoundError):
        second.load_data("s3/2006-03-01/endpoint-rule-set-1.sdk-extras")
    assert second.file_loader.loaded == []


def test_save_writes_only_when_something_was_parsed(tmp_path: Path) -> None:
    first = cached_loader(tmp_path)
    load_all(first)
    first.save()
    cache_file = tmp_path / "s3env" / models.CACHE_FILE
    before = cache_file.stat().st_mtime_ns, cache_file.stat().st_ino

    second = cached_loader(tmp_path)
    load_all(second)
    second.save()
    assert (cache_file.stat().st_mtime_ns, cache_file.stat().st_ino) == before


@pytest.mark.parametrize(
    "spoil",
    ["garbage", "truncated", "other-botocore", "group-writable", "not-a-dict"],
)
def test_a_cache_file_not_to_trust_is_ignored_and_replaced(tmp_path: Path, spoil: str) -> None:
    first = cached_loader(tmp_path)
    load_all(first)
    first.save()
    cache_file = tmp_path / "s3env" / models.CACHE_FILE
    good = cache_file.read_bytes()
    if spoil == "garbage":
        cache_file.write_bytes(b"\x00not marshal at all\xff" * 10)
    elif spoil == "truncated":
        cache_file.write_bytes(good[: len(good) // 2])
    elif spoil == "other-botocore":
        import marshal

        content = marshal.loads(good)
        content["key"] = (models.FORMAT, "0.0.1", *content["key"][2:])
        cache_file.write_bytes(marshal.dumps(content))
    elif spoil == "group-writable":
        cache_file.chmod(0o620)
    else:
        import marshal

        cache_file.write_bytes(marshal.dumps(["a", "list"]))

    second = cached_loader(tmp_path)
    assert load_all(second) == load_all(Loader())
    assert second.file_loader.loaded, "the spoiled cache must not have been used"
    second.save()
    third = cached_loader(tmp_path)
    load_all(third)
    assert third.file_loader.loaded == []  # replaced by a good one
    assert stat.S_IMODE(cache_file.stat().st_mode) == 0o600


def test_other_model_directories_turn_the_cache_off(tmp_path: Path) -> None:
    """AWS_DATA_PATH (or a profile's data_path) naming a real directory: botocore's own
    loader, since models there can change at any time."""
    data = tmp_path / "models"
    data.mkdir()
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    plain = models.make_loader(str(data), env)
    assert type(plain) is Loader
    assert str(data) in plain.search_paths
    missing = models.make_loader(str(tmp_path / "absent"), env)
    assert type(missing).__name__ == "CachedLoader"
    assert missing.search_paths == Loader(extra_search_paths=[str(tmp_path / "absent")]).search_paths


def test_unwritable_cache_directory_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    loader = models.make_loader(None, {"XDG_CACHE_HOME": str(blocker), "HOME": str(tmp_path)})
    assert loader.load_service_model("s3", "service-2")["metadata"]["serviceId"] == "S3"
    loader.save()  # cannot write under a file: nothing raised, nothing written
    assert blocker.read_text() == "x"


@pytest.mark.parametrize(
    "env",
    [
        {"HOME": "/home/u"},
        {"HOME": "/home/u/"},
        {"HOME": "/home/u", "XDG_CACHE_HOME": "/x/cache"},
        {"HOME": "/home/u", "XDG_CACHE_HOME": ""},
    ],
)
def test_cache_dir_is_platformdirs_answer(env: dict[str, str]) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the plain XDG rule is only used on Linux; elsewhere platformdirs answers")
    base = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME")}
    base.update(env)
    code = "import platformdirs; print(platformdirs.user_cache_dir('s3env', appauthor=False))"
    expected = subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True)
    assert models.cache_dir(env) == os.path.normpath(expected.stdout.strip())


def test_backend_commands_fill_and_use_the_cache(sandbox: Sandbox, moto: MotoServer) -> None:
    """Through the CLI: the first boto3-backend command writes the cache under the sandbox's
    XDG_CACHE_HOME, a listing adds the paginator model at its end, and commands made from the
    cache work against the server.  (On the botocore engine: the CRT engine's uploads and
    listings make no botocore client.)"""

    from tests.conftest import make_shim, s3_client

    shim = make_shim(sandbox, moto)
    bucket = unique_bucket("models")
    s3_client(moto).create_bucket(Bucket=bucket)
    cache_file = Path(sandbox.env["XDG_CACHE_HOME"]) / "s3env" / models.CACHE_FILE
    assert not cache_file.exists()

    (sandbox.root / "f.txt").write_text("hello")
    upload = shim("boto3", "cp", str(sandbox.root / "f.txt"), f"s3://{bucket}/a/f.txt", engine="botocore")
    assert upload.returncode == 0, upload.stderr
    data = cached_data(cache_file)
    assert "s3/2006-03-01/service-2" in data
    assert "s3/2006-03-01/paginators-1" not in data

    listing = shim("boto3", "ls", f"s3://{bucket}/a/*", engine="botocore")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.decode().split()[2:] == ["5", "f.txt"]
    assert "s3/2006-03-01/paginators-1" in cached_data(cache_file)

    again = shim("boto3", "ls", f"s3://{bucket}/a/*", engine="botocore")
    assert again.stdout == listing.stdout
    download = shim("boto3", "cat", f"s3://{bucket}/a/f.txt", engine="botocore")
    assert (download.returncode, download.stdout) == (0, b"hello")


# ---- a cache with the right key but the wrong contents (issue 13, case 14) --------------------


def _good_cache(tmp_path: Path) -> tuple[Path, tuple[Any, ...]]:
    loader = cached_loader(tmp_path)
    load_all(loader)
    loader.save()
    return tmp_path / "s3env" / models.CACHE_FILE, loader.cache_key


@pytest.mark.parametrize(
    "spoil",
    [
        "format-1-wrong-shape",
        "entry-not-a-pair",
        "entry-not-a-document",
        "services-not-lists",
        "bad-crc",
        "cut",
    ],
)
def test_a_cache_with_the_right_key_and_wrong_contents_is_ignored(tmp_path: Path, spoil: str) -> None:
    import marshal

    cache_file, key = _good_cache(tmp_path)
    path = str(cache_file)
    if spoil == "format-1-wrong-shape":  # the layout s3env wrote before, with the key it checks
        cache_file.write_bytes(marshal.dumps({"key": key, "data": {"endpoints": 5}, "services": {}}))
    elif spoil == "entry-not-a-pair":
        models.write_cache(path, key, {"endpoints": ("only one",)}, {})
    elif spoil == "entry-not-a-document":
        models.write_cache(path, key, {"endpoints": (5, "/x/endpoints.json")}, {})
    elif spoil == "services-not-lists":
        models.write_cache(path, key, {}, {"service-2": 5})
    elif spoil == "bad-crc":
        outer = marshal.loads(cache_file.read_bytes())
        outer["payload"] = outer["payload"][:-9] + b"N" + outer["payload"][-8:]
        cache_file.write_bytes(marshal.dumps(outer))
    else:
        good = cache_file.read_bytes()
        cache_file.write_bytes(good[:-1])
    assert models.read_cache(path, key) is None
    second = cached_loader(tmp_path)
    assert load_all(second) == load_all(Loader())
    assert second.file_loader.loaded, "the spoiled cache must not have been used"
    second.save()
    third = cached_loader(tmp_path)
    load_all(third)
    assert third.file_loader.loaded == []  # rebuilt


@pytest.mark.parametrize("spoil", ["wrong-shape", "well-formed-nonsense"])
def test_a_bad_cache_breaks_no_command(sandbox: Sandbox, moto: MotoServer, spoil: str) -> None:
    """Through the CLI: a cache file with the key botocore's version gives but contents that
    break the client (the wrong shape, or well-formed nonsense that passes every check) is
    ignored or dropped: the command works, and the cache is rebuilt.  (On the botocore engine,
    whose commands all make the client.)"""
    import marshal

    from tests.conftest import make_shim, s3_client

    shim = make_shim(sandbox, moto)
    bucket = unique_bucket("badcache")
    s3_client(moto).create_bucket(Bucket=bucket)
    assert shim("boto3", "ls", engine="botocore").returncode == 0  # writes the cache: its key is the CLI's
    cache_file = Path(sandbox.env["XDG_CACHE_HOME"]) / "s3env" / models.CACHE_FILE
    key = marshal.loads(cache_file.read_bytes())["key"]
    service = "s3/2006-03-01/service-2"
    if spoil == "wrong-shape":  # as s3env wrote its cache before: data by name, right key
        cache_file.write_bytes(marshal.dumps({"key": key, "data": {service: 5}, "services": {}}))
    else:
        models.write_cache(str(cache_file), key, {service: ({"metadata": {}}, "/x")}, {})
    (sandbox.root / "f.txt").write_text("hello")
    upload = shim("boto3", "cp", str(sandbox.root / "f.txt"), f"s3://{bucket}/f.txt", engine="botocore")
    assert (upload.returncode, upload.stderr) == (0, b""), upload.stderr
    listing = shim("boto3", "ls", f"s3://{bucket}/*", engine="botocore")
    assert listing.returncode == 0 and listing.stdout.decode().split()[2:] == ["5", "f.txt"]
    data = cached_data(cache_file)
    assert isinstance(data[service][0], dict) and "operations" in data[service][0]  # rebuilt


# ---- a cache others could have planted (issue 13, case 12) -------------------------------------


def _assert_not_used(tmp_path: Path) -> None:
    loader = cached_loader(tmp_path)
    assert load_all(loader) == load_all(Loader())
    assert loader.file_loader.loaded, "a cache that is not safely the user's own was used"


def test_a_cache_file_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    cache_file, _key = _good_cache(tmp_path)
    planted = tmp_path / "planted.marshal"
    planted.write_bytes(cache_file.read_bytes())  # a good cache: only the link is wrong
    planted.chmod(0o600)
    planted_bytes = planted.read_bytes()
    cache_file.unlink()
    cache_file.symlink_to(planted)
    _assert_not_used(tmp_path)
    loader = cached_loader(tmp_path)
    load_all(loader)
    loader.save()  # replaces the link itself, never writes through it
    assert not cache_file.is_symlink() and cache_file.read_bytes() != b""
    assert planted.read_bytes() == planted_bytes


def test_a_cache_directory_that_is_a_link_is_not_used(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    _good_cache(elsewhere)
    (tmp_path / "s3env").symlink_to(elsewhere / "s3env")
    _assert_not_used(tmp_path)
    before = (elsewhere / "s3env" / models.CACHE_FILE).stat().st_mtime_ns
    loader = cached_loader(tmp_path)
    load_all(loader)
    loader.save()  # nothing written through the link
    assert (elsewhere / "s3env" / models.CACHE_FILE).stat().st_mtime_ns == before


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777, 0o1777])
def test_a_cache_directory_others_can_write_is_not_used(tmp_path: Path, mode: int) -> None:
    cache_file, _key = _good_cache(tmp_path)
    cache_file.parent.chmod(mode)
    _assert_not_used(tmp_path)
    before = cache_file.stat().st_mtime_ns
    loader = cached_loader(tmp_path)
    load_all(loader)
    loader.save()  # and nothing is written there
    assert cache_file.stat().st_mtime_ns == before
    assert not [p for p in cache_file.parent.iterdir() if p.name.startswith(".models-")]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_cache_directory_of_another_user_is_not_used(tmp_path: Path) -> None:
    cache_file, _key = _good_cache(tmp_path)
    os.chown(cache_file.parent, 12345, -1)
    _assert_not_used(tmp_path)


def test_a_fifo_planted_as_the_cache_does_not_block(tmp_path: Path) -> None:
    import threading

    cache_file, _key = _good_cache(tmp_path)
    cache_file.unlink()
    os.mkfifo(cache_file, 0o600)
    done = threading.Event()

    def read() -> None:
        models.read_cache(str(cache_file), ())
        done.set()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        assert done.wait(10), "opening the FIFO blocked"
    finally:
        if not done.is_set():  # unblock the reader so that the thread ends
            fd = os.open(cache_file, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)


def test_the_cache_directories_s3env_creates_are_private_under_umask_0(
    sandbox: Sandbox, moto: MotoServer
) -> None:
    """Under umask 000, the cache directory and every parent s3env has to create are 0700
    (``os.makedirs`` made the parents 0777)."""
    from tests.conftest import S3ENV, make_shim

    make_shim(sandbox, moto)
    cache_home = sandbox.root / "xdg" / "deeper" / "cache"
    env = {**sandbox.env, "XDG_CACHE_HOME": str(cache_home)}
    result = subprocess.run(
        [S3ENV, "--backend", "boto3", "-p", "shim", "ls"], env=env, capture_output=True, umask=0, timeout=120
    )
    assert result.returncode == 0, result.stderr
    for directory in (
        sandbox.root / "xdg",
        sandbox.root / "xdg" / "deeper",
        cache_home,
        cache_home / "s3env",
    ):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    cache_file = cache_home / "s3env" / models.CACHE_FILE
    assert stat.S_IMODE(cache_file.stat().st_mode) == 0o600
