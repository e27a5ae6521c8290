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

from s3env.backends.boto3_backend import models
from s3env.devserver import MotoServer
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
    cache work against the server."""
    import marshal

    from tests.conftest import make_shim, s3_client

    shim = make_shim(sandbox, moto)
    bucket = unique_bucket("models")
    s3_client(moto).create_bucket(Bucket=bucket)
    cache_file = Path(sandbox.env["XDG_CACHE_HOME"]) / "s3env" / models.CACHE_FILE
    assert not cache_file.exists()

    (sandbox.root / "f.txt").write_text("hello")
    upload = shim("boto3", "cp", str(sandbox.root / "f.txt"), f"s3://{bucket}/a/f.txt")
    assert upload.returncode == 0, upload.stderr
    data = marshal.loads(cache_file.read_bytes())["data"]
    assert "s3/2006-03-01/service-2" in data
    assert "s3/2006-03-01/paginators-1" not in data

    listing = shim("boto3", "ls", f"s3://{bucket}/a/*")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.decode().split()[2:] == ["5", "f.txt"]
    assert "s3/2006-03-01/paginators-1" in marshal.loads(cache_file.read_bytes())["data"]

    again = shim("boto3", "ls", f"s3://{bucket}/a/*")
    assert again.stdout == listing.stdout
    download = shim("boto3", "cat", f"s3://{bucket}/a/f.txt")
    assert (download.returncode, download.stdout) == (0, b"hello")
