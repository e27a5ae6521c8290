"""Conformance of the boto3 backend's ls/du/cat/head/mb/rb with s5cmd v2.3.0.

Every test runs the same command through ``--backend s5cmd`` and ``--backend boto3`` and
asserts identical stdout bytes, stderr and exit status (S3 request/host ids, which differ per
request, are masked), then checks the expected content so both being wrong the same way fails.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from botocore.exceptions import ClientError

from s3env.core.errors import UsageError
from s3env.shim.boto3 import flags, gofmt
from s3env.shim.boto3.commands import cat as cat_command
from s3env.shim.boto3.commands import ls as ls_command
from s3env.shim.boto3.usage import HelpRequested
from tests.conftest import S3ENV, Shim, s3_client, unique_bucket

DATE = r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d"
JSON_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"
HELLO = b"hello\n"
UNICODE_KEY = "a/b c/ü+%.txt"

# Objects of the shared tree: key -> (body, extra put_object arguments)
TREE: dict[str, tuple[bytes, dict]] = {
    "top.txt": (HELLO, {}),
    "a/x.txt": (HELLO, {}),
    "a/sub/f.txt": (b"sub\n", {}),
    UNICODE_KEY: (b"xyz", {"ContentType": "text/plain", "Metadata": {"Foo": "bar", "a-b": "1"}}),
    "kb.bin": (b"k" * 1536, {}),
    "big.bin": (b"0123456789" * 300_000, {}),
    "emptydir/": (b"", {}),
    "glob*name?.txt": (b"glob", {}),
    "plus+sign%20.txt": (b"plus", {}),
}
PAGES = 1005  # objects in the pagination bucket: more than one ListObjectsV2 page

_trees: dict[str, str] = {}
_paged: dict[str, str] = {}


@pytest.fixture
def tree(shim: Shim) -> str:
    """A bucket holding TREE, made once per server."""
    if shim.server.url not in _trees:
        bucket = unique_bucket("tree")
        client = s3_client(shim.server)
        client.create_bucket(Bucket=bucket)
        for key, (body, extra) in TREE.items():
            client.put_object(Bucket=bucket, Key=key, Body=body, **extra)
        _trees[shim.server.url] = bucket
    return _trees[shim.server.url]


@pytest.fixture
def paged(shim: Shim) -> str:
    """A bucket with PAGES one-byte objects under p/ and one at the top, made once per server."""
    if shim.server.url not in _paged:
        bucket = unique_bucket("pages")
        client = s3_client(shim.server)
        client.create_bucket(Bucket=bucket)
        keys = [f"p/{i:04d}" for i in range(PAGES)] + ["z.txt"]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda k: client.put_object(Bucket=bucket, Key=k, Body=b"x"), keys))
        _paged[shim.server.url] = bucket
    return _paged[shim.server.url]


def _mask(text: str) -> str:
    return re.sub(r"request id: [^,]*, host id:[^\"\n]*", "request id: R, host id: H", text)


def both(shim: Shim, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run a read-only command on both backends at once, the boto3 backend on each of its
    engines (the CRT's listing is its own, botocore's is the paginator's); assert identical
    results."""
    with ThreadPoolExecutor(3) as pool:
        ref_f = pool.submit(shim, "s5cmd", *args)
        got_f = [pool.submit(shim, "boto3", *args, engine=engine) for engine in ("crt", "botocore")]
        ref, got = ref_f.result(), [f.result() for f in got_f]
    for one in got:
        assert_same(ref, one)
    return ref


def assert_same(ref: subprocess.CompletedProcess[bytes], got: subprocess.CompletedProcess[bytes]) -> None:
    assert got.stdout == ref.stdout, (ref.args, got.stderr)
    assert _mask(got.stderr.decode()) == _mask(ref.stderr.decode()), ref.args
    assert got.returncode == ref.returncode, (ref.args, ref.stderr, got.stderr)


def lines(result: subprocess.CompletedProcess[bytes]) -> list[str]:
    return result.stdout.decode().splitlines()


def err(result: subprocess.CompletedProcess[bytes]) -> str:
    return _mask(result.stderr.decode())


# ---- ls -------------------------------------------------------------------------------------


def test_ls_buckets(shim: Shim, tree: str) -> None:
    text = both(shim, "ls")
    assert text.returncode == 0
    assert any(re.fullmatch(rf"{DATE}  s3://{tree}", line) for line in lines(text))
    as_json = both(shim, "--json", "ls")
    assert any(
        re.fullmatch(rf'\{{"created_at":"{JSON_TIME}","name":"{tree}"\}}', line) for line in lines(as_json)
    )


def test_ls_bucket_root_one_level(shim: Shim, tree: str) -> None:
    out = both(shim, "ls", f"s3://{tree}")
    assert both(shim, "ls", f"s3://{tree}/").stdout == out.stdout
    got = lines(out)
    assert got[0] == " " * 34 + "DIR  a/"
    assert " " * 34 + "DIR  emptydir/" in got
    assert any(re.fullmatch(rf"{DATE}                 6  top.txt", line) for line in got)
    assert any(re.fullmatch(rf"{DATE}           3000000  big.bin", line) for line in got)
    assert len(got) == 7  # a/, emptydir/ and five top-level objects


def test_ls_wildcard_crosses_slashes(shim: Shim, tree: str) -> None:
    got = [line[19:] for line in lines(both(shim, "ls", f"s3://{tree}/*"))]
    assert "                 4  a/sub/f.txt" in got
    assert f"                 3  {UNICODE_KEY}" in got
    # a key ending in '/' is listed as DIR, with its full relative name
    assert " " * 15 + "DIR  emptydir/" in got
    assert len(got) == len(TREE)
    sub = lines(both(shim, "ls", f"s3://{tree}/a/*.txt"))
    assert [line[19:] for line in sub] == [
        f"                 3  {UNICODE_KEY[2:]}",
        "                 4  sub/f.txt",
        "                 6  x.txt",
    ]
    mid = lines(both(shim, "ls", f"s3://{tree}/*/f.txt"))
    assert [line[19:] for line in mid] == ["                 4  a/sub/f.txt"]
    qmark = lines(both(shim, "ls", f"s3://{tree}/a/?.txt"))
    assert [line[19:] for line in qmark] == ["                 6  x.txt"]


def test_ls_prefix_forms(shim: Shim, tree: str) -> None:
    assert lines(both(shim, "ls", f"s3://{tree}/a")) == [" " * 34 + "DIR  a/"]
    inside = lines(both(shim, "ls", f"s3://{tree}/a/"))
    assert inside[:2] == [" " * 34 + "DIR  b c/", " " * 34 + "DIR  sub/"]
    assert inside[2].endswith("  x.txt") and len(inside) == 3
    assert lines(both(shim, "ls", f"s3://{tree}/to"))[0].endswith("  6  top.txt")
    assert lines(both(shim, "ls", f"s3://{tree}/a/b c/"))[0].endswith(f"  3  {UNICODE_KEY[6:]}")
    assert lines(both(shim, "ls", f"s3://{tree}/plus+sign%20.txt"))[0].endswith("  plus+sign%20.txt")
    assert lines(both(shim, "ls", "--", f"s3://{tree}/top.txt"))[0].endswith("  top.txt")


def test_ls_etag_storage_class_humanize(shim: Shim, tree: str) -> None:
    out = lines(both(shim, "ls", "-e", "-s", "-H", f"s3://{tree}/"))
    assert out[0] == " " * 19 + " " * 4 + " " * 38 + " " * 10 + "DIR  a/"
    etag = "[0-9a-f]{32}      "  # %-38s
    kb = next(line for line in out if line.endswith("kb.bin"))
    assert re.fullmatch(rf"{DATE} STANDARD {etag} {'1.5K':>12}  kb.bin", kb)
    big = next(line for line in out if line.endswith("big.bin"))
    assert re.fullmatch(rf"{DATE} STANDARD {etag} {'2.9M':>12}  big.bin", big)
    hello = next(line for line in out if line.endswith("top.txt"))
    assert re.fullmatch(rf"{DATE} STANDARD b1946ac92492d2347c6235b4d2611184       {'6':>12}  top.txt", hello)
    long_forms = both(shim, "ls", "--etag", "--storage-class", "--humanize", f"s3://{tree}/")
    assert lines(long_forms) == out
    only_e = lines(both(shim, "ls", "--etag=true", "-H=false", f"s3://{tree}/top.txt"))
    assert re.fullmatch(rf"{DATE}    b1946ac92492d2347c6235b4d2611184       {'6':>12}  top.txt", only_e[0])


def test_ls_show_fullpath(shim: Shim, tree: str) -> None:
    out = lines(both(shim, "ls", "--show-fullpath", f"s3://{tree}/a/*"))
    assert out == [
        f"s3://{tree}/{UNICODE_KEY}",
        f"s3://{tree}/a/sub/f.txt",
        f"s3://{tree}/a/x.txt",
    ]
    dirs = lines(both(shim, "ls", "--show-fullpath", f"s3://{tree}/a/"))
    assert dirs == [f"s3://{tree}/a/b c/", f"s3://{tree}/a/sub/", f"s3://{tree}/a/x.txt"]


def test_ls_exclude(shim: Shim, tree: str) -> None:
    out = lines(both(shim, "ls", "--exclude", "*.txt", "--exclude=big*", f"s3://{tree}/*"))
    assert [line.rsplit("  ", 1)[1] for line in out] == ["emptydir/", "kb.bin"]
    # patterns match the key after the URL's prefix
    sub = lines(both(shim, "ls", "--exclude", "sub/*", f"s3://{tree}/a/*"))
    assert len(sub) == 2 and not any("sub/" in line for line in sub)
    dirs = lines(both(shim, "ls", "--exclude", "b c/", f"s3://{tree}/a/"))
    assert " " * 34 + "DIR  b c/" not in dirs and len(dirs) == 2
    # in an error, flags appear in s5cmd's declaration order, not in the order given
    r = both(shim, "ls", "--exclude", "a", "-s", "--exclude=b", f"s3://{tree}/nokey")
    assert (
        err(r)
        == f'ERROR "ls --storage-class=true --exclude=a --exclude=b s3://{tree}/nokey": no object found\n'
    )


def test_ls_json(shim: Shim, tree: str) -> None:
    out = lines(both(shim, "--json", "ls", f"s3://{tree}/*"))
    top = next(line for line in out if '"s3://' + tree + '/top.txt"' in line)
    assert re.fullmatch(
        rf'\{{"key":"s3://{tree}/top.txt","etag":"b1946ac92492d2347c6235b4d2611184",'
        rf'"last_modified":"{JSON_TIME}","type":"file","size":6,"storage_class":"STANDARD"\}}',
        top,
    )
    empty = next(line for line in out if "emptydir/" in line)
    assert '"type":"directory"' in empty and '"size"' not in empty
    assert any(f'"key":"s3://{tree}/{UNICODE_KEY}"' in line for line in out)
    prefix = lines(both(shim, "--json", "ls", f"s3://{tree}/a/"))
    assert prefix[0] == f'{{"key":"s3://{tree}/a/b c/","type":"directory"}}'


def test_ls_errors(shim: Shim, tree: str) -> None:
    missing = unique_bucket("nob")
    r = both(shim, "ls", f"s3://{missing}/")
    assert r.returncode == 1 and r.stdout == b""
    assert err(r) == (
        f'ERROR "ls s3://{missing}/": NoSuchBucket: The specified bucket does not exist '
        "status code: 404, request id: R, host id: H\n"
    )
    r = both(shim, "ls", f"s3://{tree}/nokey")
    assert (r.returncode, err(r)) == (1, f'ERROR "ls s3://{tree}/nokey": no object found\n')
    r = both(shim, "--json", "ls", "-e", f"s3://{tree}/no*")
    assert (
        err(r)
        == f'{{"operation":"ls","command":"ls --etag=true s3://{tree}/no*","error":"no object found"}}\n'
    )
    r = both(shim, "ls", f"s3://{tree}", f"s3://{tree}")
    assert err(r) == f'ERROR "ls s3://{tree} s3://{tree}": expected only 1 argument\n'
    r = both(shim, "ls", f"s3://{tree}/", "-e")  # flags after the argument are arguments
    assert r.returncode == 1
    r = both(shim, "ls", "ftp://x")
    assert err(r) == 'ERROR "ls ftp://x": s3 url should start with "s3://"\n'
    r = both(shim, "ls", "s3://")
    assert err(r) == 'ERROR "ls s3://": s3 url should have a bucket\n'
    r = both(shim, "ls", "s3://b*/")
    assert err(r) == 'ERROR "ls s3://b*/": bucket name cannot contain wildcards\n'


def test_ls_special_characters(shim: Shim) -> None:
    bucket = unique_bucket("chars")
    client = s3_client(shim.server)
    client.create_bucket(Bucket=bucket)
    for key in ("amp&<gt>.txt", "tab\there.txt", 'quote".txt'):
        client.put_object(Bucket=bucket, Key=key, Body=b"1")
    text = lines(both(shim, "ls", f"s3://{bucket}/*"))
    assert [line.rsplit("  ", 1)[1] for line in text] == [
        "amp&<gt>.txt",
        'quote".txt',
        "tab\there.txt",
    ]
    # Go's json.Marshal escapes <, > and & and writes \t, \" and \\
    out = both(shim, "--json", "ls", f"s3://{bucket}/*").stdout.decode()
    assert f'"key":"s3://{bucket}/amp\\u0026\\u003cgt\\u003e.txt"' in out
    assert f'"key":"s3://{bucket}/tab\\there.txt"' in out
    assert f'"key":"s3://{bucket}/quote\\".txt"' in out
    # the command in an error is quoted as Go's %q does
    r = both(shim, "ls", f's3://{bucket}/nö"pe\\x')
    assert err(r) == f'ERROR "ls s3://{bucket}/nö\\"pe\\\\x": no object found\n'


def test_ls_dot_dot_keys(shim: Shim) -> None:
    bucket = unique_bucket("dots")
    client = s3_client(shim.server)
    client.create_bucket(Bucket=bucket)
    try:
        client.put_object(Bucket=bucket, Key="a/../dd.txt", Body=b"dots")
    except ClientError:
        pytest.skip("this server refuses keys with '..' (SeaweedFS does)")
    client.put_object(Bucket=bucket, Key="a/x", Body=b"x")
    inside = lines(both(shim, "ls", f"s3://{bucket}/a/"))
    assert inside[0] == " " * 34 + "DIR  ../" and inside[1].endswith("  1  x")
    assert lines(both(shim, "ls", f"s3://{bucket}/a/*"))[0].endswith("  4  ../dd.txt")
    assert both(shim, "cat", f"s3://{bucket}/a/../dd.txt").stdout == b"dots"


def test_ls_empty_bucket(shim: Shim) -> None:
    bucket = unique_bucket("empty")
    s3_client(shim.server).create_bucket(Bucket=bucket)
    r = both(shim, "ls", f"s3://{bucket}")
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")
    r = both(shim, "ls", f"s3://{bucket}/*")
    assert (r.returncode, err(r)) == (1, f'ERROR "ls s3://{bucket}/*": no object found\n')


def test_ls_unknown_flag_fails(shim: Shim, tree: str) -> None:
    # s5cmd prints "Incorrect Usage: …" and the command's help on stdout; so does the boto3 backend.
    r = both(shim, "ls", "-x", f"s3://{tree}/")
    assert r.returncode == 1
    assert r.stdout.startswith(b"Incorrect Usage: flag provided but not defined: -x\n\nName:\n  ls - ")


_versioned: dict[str, tuple[str, dict[str, list[str]]]] = {}


@pytest.fixture
def versioned(shim: Shim) -> tuple[str, dict[str, list[str]]]:
    """A versioned bucket, made once per server: v.txt in three versions (1, 2 and 3 bytes),
    gone.txt in two versions and then deleted (a delete marker), d/in.txt, and v.txt.bak (which
    a non-wildcard ``s3://bucket/v.txt`` also matches, as a prefix).  Returns the bucket and the
    version ids by key, oldest first."""
    if shim.server.url not in _versioned:
        bucket = unique_bucket("versions")
        client = s3_client(shim.server)
        client.create_bucket(Bucket=bucket)
        try:
            client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        except ClientError as exc:
            pytest.skip(f"this server does not do versioning: {exc}")
        ids: dict[str, list[str]] = {}
        bodies = {"v.txt": [b"1", b"22", b"333"], "gone.txt": [b"g", b"gg"], "d/in.txt": [b"in"]}
        for key, versions in bodies.items():
            for body in versions:
                put = client.put_object(Bucket=bucket, Key=key, Body=body)
                ids.setdefault(key, []).append(put["VersionId"])
        ids["v.txt.bak"] = [client.put_object(Bucket=bucket, Key="v.txt.bak", Body=b"bak")["VersionId"]]
        marker = client.delete_object(Bucket=bucket, Key="gone.txt")
        if not marker.get("DeleteMarker"):
            pytest.skip("this server made no delete marker")
        ids["gone.txt (marker)"] = [marker["VersionId"]]
        if len(all_ids(ids)) != 8:
            pytest.skip("this server does not give every version its own id")
        _versioned[shim.server.url] = (bucket, ids)
    return _versioned[shim.server.url]


def all_ids(ids: dict[str, list[str]]) -> set[str]:
    return {version for versions in ids.values() for version in versions}


Versioned = tuple[str, dict[str, list[str]]]


def test_ls_all_versions(shim: Shim, versioned: Versioned) -> None:
    bucket, ids = versioned
    every = both(shim, "ls", "--all-versions", f"s3://{bucket}/*")
    assert every.returncode == 0 and every.stderr == b""
    out = lines(every)
    assert len(out) == 8  # 3 + 2 versions, 1 delete marker, d/in.txt, v.txt.bak
    for key, versions in ids.items():
        for version in versions:
            [line] = [line for line in out if line.endswith(" " + version)]
            assert line.split()[3] == key.split(" ")[0]  # date, time, size, key, version id
    marker_line = next(line for line in out if line.endswith(ids["gone.txt (marker)"][0]))
    assert marker_line.split()[2] == "0"
    # One level, no wildcard: v.txt and v.txt.bak (a prefix match, as s5cmd does), d/ as DIR.
    assert len(lines(both(shim, "ls", "--all-versions", f"s3://{bucket}/v.txt"))) == 4
    top = lines(both(shim, "ls", "--all-versions", f"s3://{bucket}"))
    assert any(line.split() == ["DIR", "d/"] for line in top) and len(top) == 8
    for options in (["-e", "-s"], ["-H"], ["--show-fullpath"], ["--exclude", "*.bak"]):
        assert both(shim, "ls", "--all-versions", *options, f"s3://{bucket}/*").returncode == 0
    listed = both(shim, "--json", "ls", "--all-versions", f"s3://{bucket}/*")
    as_json = [json.loads(line) for line in lines(listed)]
    # s5cmd's JSON leaves the version id out (its text shows it): one object a version.
    assert len(as_json) == 8 and not any("version_id" in obj for obj in as_json)
    gone = [obj for obj in as_json if obj["key"] == f"s3://{bucket}/gone.txt"]
    assert sorted(obj.get("size", 0) for obj in gone) == [0, 1, 2]  # the marker: no size
    assert sum("etag" in obj for obj in gone) == 2


def test_ls_all_versions_errors(shim: Shim, versioned: Versioned) -> None:
    bucket, _ids = versioned
    missing = both(shim, "ls", "--all-versions", f"s3://{bucket}/nothing*")
    assert missing.returncode == 1
    assert err(missing).endswith(": no object found\n")
    for args in (["ls", "--all-versions", "localdir"], ["ls", "--all-versions"]):
        r = both(shim, *args)
        assert r.returncode == 1
        assert err(r).endswith(
            '"all-versions", and "version-id" flags can only be used with remote objects\n'
        )


def test_du_versions(shim: Shim, versioned: Versioned) -> None:
    bucket, ids = versioned
    every = both(shim, "du", "--all-versions", f"s3://{bucket}/*")
    assert lines(every) == [f"14 bytes in 8 objects: s3://{bucket}/*"]  # 1+2+3 + 1+2 + 0 + 2 + 3
    one = both(shim, "du", "--version-id", ids["v.txt"][1], f"s3://{bucket}/v.txt")
    assert lines(one) == [f"2 bytes in 1 objects: s3://{bucket}/v.txt"]
    assert both(shim, "--json", "du", "-g", "--all-versions", f"s3://{bucket}/v*").returncode == 0
    combined = both(shim, "du", "--all-versions", "--version-id", "x", f"s3://{bucket}/*")
    assert combined.returncode == 1
    assert err(combined).endswith('it is not allowed to combine "all-versions" and "version-id" flags\n')
    local = both(shim, "du", "--all-versions", "localdir")
    assert local.returncode == 1 and "can only be used with remote objects" in err(local)


def local_tree(shim: Shim) -> Path:
    """loc/ in the sandbox (the shim's working directory), with fixed nanosecond mtimes."""
    root = shim.sandbox.root / "loc"
    files = {
        "a.txt": b"hi\n",
        "b.bin": b"x" * 1536,
        "sub/c.txt": b"hello\n",
        "sub/deep/d.txt": b"",
        "é +.txt": b"u",
    }
    for number, (rel, data) in enumerate(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stamp = 1_700_000_000_123_456_789 + number * 86_400_000_000_000  # one day apart
        os.utime(path, ns=(stamp, stamp))
    (root / "emptydir").mkdir()
    return root


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata"])
def test_ls_and_du_of_local_paths(shim: Shim, tz: str) -> None:
    """s5cmd lists local files too: a glob (whose directories are walked), a directory, one file;
    times in local time to the nanosecond (unlike objects' UTC)."""
    local_tree(shim)
    shim.sandbox.env["TZ"] = tz
    for args in (
        ["ls", "loc"],
        ["ls", "loc/"],
        ["ls", "loc/*"],
        ["ls", "loc/*.txt"],
        ["ls", "loc/sub/c.txt"],
        ["ls", "-e", "-s", "-H", "loc/*"],
        ["ls", "--show-fullpath", "loc"],
        ["ls", "--exclude", "*.bin", "loc/*"],
        ["--json", "ls", "loc/*"],
        ["du", "loc"],
        ["du", "-H", "loc/*"],
        ["du", "-g", "loc/sub"],
        ["--json", "du", "loc/*"],
        ["du", "--version-id", "v1", "loc"],  # ignored for local paths, as by s5cmd
    ):
        r = both(shim, *args)
        assert r.returncode == 0 and r.stderr == b"", (args, r.stderr)
    walked = [line[39:] for line in lines(both(shim, "ls", "loc/"))]  # the path column
    assert walked == ["a.txt", "b.bin", "sub/c.txt", "sub/deep/d.txt", "é +.txt"]
    stamp = dt.datetime.fromtimestamp(1_700_000_000, dt.UTC).astimezone(ZoneInfo(tz))
    first = next(line for line in lines(both(shim, "ls", "loc/a.txt")))
    assert first.startswith(stamp.strftime("%Y/%m/%d %H:%M:%S"))
    as_json = json.loads(lines(both(shim, "--json", "ls", "loc/a.txt"))[0])
    suffix = "Z" if tz == "UTC" else "+05:30"
    assert as_json == {
        "key": "loc/a.txt",
        "last_modified": stamp.strftime("%Y-%m-%dT%H:%M:%S") + ".123456789" + suffix,
        "type": "file",
        "size": 3,
    }
    assert lines(both(shim, "du", "loc")) == ["1546 bytes in 5 objects: loc"]


def test_ls_and_du_of_local_paths_errors(shim: Shim) -> None:
    local_tree(shim)
    for args, message in (
        (["ls", "nothing-here"], "given object nothing-here not found"),
        (["ls", "loc/zz*"], 'no match found for "loc/zz*"'),
        (["du", "nothing-here"], "given object nothing-here not found"),
    ):
        r = both(shim, *args)
        assert err(r).endswith(f": {message}\n"), (args, err(r))
        assert r.returncode == (0 if args[0] == "du" else 1)  # du without -g: 0, as for objects


def test_ls_pagination(shim: Shim, paged: str) -> None:
    out = lines(both(shim, "ls", f"s3://{paged}/*"))
    assert len(out) == PAGES + 1
    assert out[0].endswith("  p/0000") and out[-2].endswith(f"  p/{PAGES - 1:04d}")
    assert out[-1].endswith("  z.txt")
    inside = lines(both(shim, "ls", f"s3://{paged}/p/"))
    assert len(inside) == PAGES and inside[1000].endswith("  1000")


# ---- du -------------------------------------------------------------------------------------


def test_du(shim: Shim, tree: str) -> None:
    total = sum(len(body) for body, _ in TREE.values())
    top = sum(len(TREE[k][0]) for k in TREE if "/" not in k)
    # s5cmd quirk: without a wildcard du lists one level only (like ls), so nested keys are not counted
    assert lines(both(shim, "du", f"s3://{tree}")) == [f"{top} bytes in 5 objects: s3://{tree}"]
    assert lines(both(shim, "du", f"s3://{tree}/")) == [f"{top} bytes in 5 objects: s3://{tree}"]
    # a key ending in '/' is a directory to s5cmd and is not counted
    assert lines(both(shim, "du", f"s3://{tree}/*")) == [
        f"{total} bytes in {len(TREE) - 1} objects: s3://{tree}/*"
    ]
    assert lines(both(shim, "du", "-H", f"s3://{tree}/*")) == [
        f"2.9M bytes in {len(TREE) - 1} objects: s3://{tree}/*"
    ]
    assert lines(both(shim, "du", f"s3://{tree}/a/")) == [f"6 bytes in 1 objects: s3://{tree}/a/"]
    excluded = lines(both(shim, "du", "--exclude", "*.bin", "--exclude", "a/*", f"s3://{tree}/*"))
    assert excluded == [f"{len(HELLO) + 4 + 4} bytes in 3 objects: s3://{tree}/*"]


def test_du_group_and_json(shim: Shim, tree: str) -> None:
    total = sum(len(body) for body, _ in TREE.values())
    n = len(TREE) - 1
    assert lines(both(shim, "du", "-g", f"s3://{tree}/*")) == [
        f"{total} bytes in {n} objects: s3://{tree}/* [STANDARD]"
    ]
    assert lines(both(shim, "du", "--group", "--humanize", f"s3://{tree}/a/*")) == [
        f"13 bytes in 3 objects: s3://{tree}/a/* [STANDARD]"
    ]
    assert lines(both(shim, "--json", "du", f"s3://{tree}/*")) == [
        f'{{"source":"s3://{tree}/*","count":{n},"size":{total}}}'
    ]
    assert lines(both(shim, "--json", "du", "-g", f"s3://{tree}/a/*")) == [
        f'{{"source":"s3://{tree}/a/*","storage_class":"STANDARD","count":3,"size":13}}'
    ]


def test_du_several_storage_classes(shim: Shim) -> None:
    bucket = unique_bucket("classes")
    client = s3_client(shim.server)
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="s", Body=b"12")
    try:
        client.put_object(Bucket=bucket, Key="ia", Body=b"123", StorageClass="STANDARD_IA")
    except ClientError:
        pytest.skip("server does not take StorageClass")
    ref, got = shim("s5cmd", "du", "-g", f"s3://{bucket}/*"), shim("boto3", "du", "-g", f"s3://{bucket}/*")
    # s5cmd iterates a Go map for --group: the order of the lines is random
    assert sorted(lines(ref)) == sorted(lines(got))
    assert (ref.returncode, got.returncode, ref.stderr, got.stderr) == (0, 0, b"", b"")
    classes = {line.rsplit(" ", 1)[1] for line in lines(got)}
    assert "[STANDARD]" in classes and len(lines(got)) in (1, 2)
    ls = lines(both(shim, "ls", "-s", f"s3://{bucket}/*"))
    assert len(ls) == 2


def test_du_errors(shim: Shim, tree: str) -> None:
    # s5cmd quirk: du without --group prints the error *and* a zero summary, and exits 0
    r = both(shim, "du", f"s3://{tree}/nokey")
    assert (r.returncode, lines(r)) == (0, [f"0 bytes in 0 objects: s3://{tree}/nokey"])
    assert err(r) == f'ERROR "du s3://{tree}/nokey": no object found\n'
    missing = unique_bucket("nob")
    r = both(shim, "du", f"s3://{missing}/")
    assert r.returncode == 0 and "NoSuchBucket" in err(r)
    assert lines(r) == [f"0 bytes in 0 objects: s3://{missing}"]
    # with --group the error does set the exit status (and no line is printed)
    r = both(shim, "du", "-g", f"s3://{tree}/nokey*")
    assert (r.returncode, r.stdout) == (1, b"")
    assert err(r) == f'ERROR "du --group=true s3://{tree}/nokey*": no object found\n'
    r = both(shim, "du")
    assert (r.returncode, err(r)) == (1, 'ERROR "du": expected only 1 argument\n')


def test_du_pagination(shim: Shim, paged: str) -> None:
    assert lines(both(shim, "du", f"s3://{paged}/*")) == [
        f"{PAGES + 1} bytes in {PAGES + 1} objects: s3://{paged}/*"
    ]


# ---- cat ------------------------------------------------------------------------------------


def test_cat_object(shim: Shim, tree: str) -> None:
    assert both(shim, "cat", f"s3://{tree}/top.txt").stdout == HELLO
    assert both(shim, "cat", f"s3://{tree}/{UNICODE_KEY}").stdout == b"xyz"
    assert both(shim, "cat", f"s3://{tree}/plus+sign%20.txt").stdout == b"plus"
    big = both(shim, "cat", f"s3://{tree}/big.bin")
    assert big.stdout == TREE["big.bin"][0]


def test_cat_many(shim: Shim, tree: str) -> None:
    # wildcard: every match in key order; a prefix: one level; directories skipped
    assert both(shim, "cat", f"s3://{tree}/a/*").stdout == b"xyz" + b"sub\n" + HELLO
    assert both(shim, "cat", f"s3://{tree}/a/").stdout == HELLO
    assert (
        both(shim, "cat", f"s3://{tree}/*.txt").stdout
        == b"xyz" + b"sub\n" + HELLO + b"glob" + b"plus" + HELLO
    )


def _reader_goes_away(shim: Shim, backend: str, *args: str) -> tuple[int, bytes, bytes]:
    """Run with stdout on a pipe, read its first 100 bytes, close it, wait: (status, the bytes
    read, stderr).  Every command here writes well over a pipe's 64 KiB buffer (the listings as
    JSON: plain lines of the paged bucket come to ~47 KiB, and a fast s5cmd sometimes wrote them
    all before the reader left), so it is still writing when the reader goes away."""
    with subprocess.Popen(
        [S3ENV, "--backend", backend, "--profile", shim.profile, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=shim.sandbox.env,
        cwd=shim.sandbox.root,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        head = process.stdout.read(100)
        process.stdout.close()
        stderr = process.stderr.read()
        return process.wait(timeout=120), head, stderr


def test_a_reader_that_goes_away_kills_with_sigpipe(shim: Shim, tree: str, paged: str) -> None:
    """`s3env cat … | head`: s5cmd dies of SIGPIPE (a shell shows 141); so does the boto3 backend,
    with nothing on stderr."""
    (shim.sandbox.root / "down").mkdir()
    for args in (
        ["cat", f"s3://{tree}/big.bin"],
        ["--json", "ls", f"s3://{paged}/*"],
        ["--json", "cp", f"s3://{paged}/p/*", "down/"],
    ):
        ref, got = _reader_goes_away(shim, "s5cmd", *args), _reader_goes_away(shim, "boto3", *args)
        assert ref[0] == got[0] == -signal.SIGPIPE, (args, ref, got)
        assert ref[1] == got[1] or "cp" in args, args  # cp: lines in completion order
        assert got[2] == b"", (args, got[2])


def test_cat_raw(shim: Shim, tree: str) -> None:
    assert both(shim, "cat", "--raw", f"s3://{tree}/glob*name?.txt").stdout == b"glob"
    # without --raw the same text is a pattern, and matches the same key
    assert both(shim, "cat", f"s3://{tree}/glob*name?.txt").stdout == b"glob"


def test_cat_errors(shim: Shim, tree: str) -> None:
    r = both(shim, "cat", f"s3://{tree}/nokey")
    assert (r.returncode, err(r)) == (
        1,
        f'ERROR "cat s3://{tree}/nokey": given object s3://{tree}/nokey not found\n',
    )
    missing = unique_bucket("nob")
    r = both(shim, "cat", f"s3://{missing}/x")
    assert err(r) == f'ERROR "cat s3://{missing}/x": given object s3://{missing}/x not found\n'
    r = both(shim, "cat", f"s3://{tree}/zz*")
    assert (r.returncode, err(r)) == (1, f'ERROR "cat s3://{tree}/zz*": no object found\n')
    r = both(shim, "cat", "local.txt")
    assert err(r) == 'ERROR "cat local.txt": source must be a remote object\n'
    r = both(shim, "cat")
    assert err(r) == 'ERROR "cat": expected only one argument\n'
    r = both(shim, "cat", "--version-id", "v1", f"s3://{tree}/*")
    assert err(r) == (
        f'ERROR "cat --version-id=v1 s3://{tree}/*": '
        "wildcard/prefix operations are disabled with --version-id flag\n"
    )


# ---- head -----------------------------------------------------------------------------------


def test_head_object(shim: Shim, tree: str) -> None:
    out = lines(both(shim, "head", f"s3://{tree}/{UNICODE_KEY}"))
    assert re.fullmatch(
        rf'\{{"key":"s3://{tree}/{re.escape(UNICODE_KEY)}","content_type":"text/plain",'
        rf'"last_modified":"{JSON_TIME}","size":3,"storage_class":"STANDARD",'
        r'"etag":"[0-9a-f]{32}","metadata":\{"a-b":"1","foo":"bar"\}\}',
        out[0],
    ), out
    assert (
        both(shim, "--json", "head", f"s3://{tree}/{UNICODE_KEY}").stdout == "\n".join(out).encode() + b"\n"
    )
    raw = lines(both(shim, "head", "--raw", f"s3://{tree}/glob*name?.txt"))
    assert raw[0].startswith(f'{{"key":"s3://{tree}/glob*name?.txt",') and raw[0].endswith('"metadata":{}}')


def test_head_encrypted_and_empty_objects(shim: Shim) -> None:
    bucket = unique_bucket("head")
    client = s3_client(shim.server)
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="zero", Body=b"")
    zero = lines(both(shim, "head", f"s3://{bucket}/zero"))[0]
    assert '"size"' not in zero and '"etag":"d41d8cd98f00b204e9800998ecf8427e"' in zero  # size 0 is omitted
    try:
        client.put_object(Bucket=bucket, Key="enc", Body=b"secret", ServerSideEncryption="AES256")
    except ClientError:
        pytest.skip("this server does not take SSE-S3")
    enc = lines(both(shim, "head", f"s3://{bucket}/enc"))[0]
    if client.head_object(Bucket=bucket, Key="enc").get("ServerSideEncryption"):
        assert '"server_side_encryption":"AES256",' in enc


def test_head_bucket(shim: Shim, tree: str) -> None:
    assert lines(both(shim, "head", f"s3://{tree}")) == [f'{{"bucket":"s3://{tree}"}}']
    # s3://bucket/ has an empty key, so it is the bucket, not a prefix
    assert lines(both(shim, "head", f"s3://{tree}/")) == [f'{{"bucket":"s3://{tree}"}}']
    missing = unique_bucket("nob")
    r = both(shim, "head", f"s3://{missing}")
    assert r.returncode == 1
    assert (
        err(r)
        == f'ERROR "head s3://{missing}": NotFound: Not Found status code: 404, request id: R, host id: H\n'
    )


def test_head_errors(shim: Shim, tree: str) -> None:
    r = both(shim, "head", f"s3://{tree}/nokey")
    assert (r.returncode, err(r)) == (
        1,
        f'ERROR "head s3://{tree}/nokey": given object s3://{tree}/nokey not found\n',
    )
    r = both(shim, "head", f"s3://{tree}/a*")
    assert (
        err(r)
        == f'ERROR "head s3://{tree}/a*": remote source "s3://{tree}/a*" can not contain glob characters\n'
    )
    r = both(shim, "head", f"s3://{tree}/a/")
    assert err(r) == f'ERROR "head s3://{tree}/a/": target have to be a object or a bucket\n'
    r = both(shim, "head", "local")
    assert err(r) == 'ERROR "head local": target should be remote object or bucket\n'
    r = both(shim, "head", "a", "b")
    assert err(r) == 'ERROR "head a b": object or bucket name is required\n'
    r = both(shim, "--json", "head", f"s3://{tree}/nokey")
    assert err(r) == (
        f'{{"operation":"head","command":"head s3://{tree}/nokey",'
        f'"error":"given object s3://{tree}/nokey not found"}}\n'
    )


# ---- mb / rb --------------------------------------------------------------------------------


def _pair(shim: Shim, make: bool) -> tuple[str, str]:
    """Two fresh bucket names, one per backend (created first unless ``make`` is False)."""
    names = (unique_bucket("mbs"), unique_bucket("mbb"))
    if make:
        for name in names:
            s3_client(shim.server).create_bucket(Bucket=name)
    return names


def _run_pair(shim: Shim, names: tuple[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    """``args`` with BUCKET replaced per backend; the results must agree up to the name."""
    ref = shim("s5cmd", *[a.replace("BUCKET", names[0]) for a in args])
    got = shim("boto3", *[a.replace("BUCKET", names[1]) for a in args])
    assert got.stdout.replace(names[1].encode(), b"BUCKET") == ref.stdout.replace(
        names[0].encode(), b"BUCKET"
    )
    assert _mask(got.stderr.decode()).replace(names[1], "BUCKET") == _mask(ref.stderr.decode()).replace(
        names[0], "BUCKET"
    )
    assert got.returncode == ref.returncode
    return subprocess.CompletedProcess(
        ref.args,
        ref.returncode,
        ref.stdout.replace(names[0].encode(), b"BUCKET"),
        ref.stderr.replace(names[0].encode(), b"BUCKET"),
    )


def _exists(shim: Shim, name: str) -> bool:
    return name in [b["Name"] for b in s3_client(shim.server).list_buckets()["Buckets"]]


def test_mb_rb(shim: Shim) -> None:
    names = _pair(shim, False)
    r = _run_pair(shim, names, "mb", "s3://BUCKET")
    assert (r.returncode, r.stdout, r.stderr) == (0, b"mb s3://BUCKET\n", b"")
    assert all(_exists(shim, n) for n in names)
    r = _run_pair(shim, names, "--json", "rb", "s3://BUCKET/")
    assert r.stdout == b'{"operation":"rb","success":true,"source":"s3://BUCKET"}\n'
    assert not any(_exists(shim, n) for n in names)
    r = _run_pair(shim, names, "--json", "mb", "s3://BUCKET")
    assert r.stdout == b'{"operation":"mb","success":true,"source":"s3://BUCKET"}\n'
    r = _run_pair(shim, names, "rb", "s3://BUCKET")
    assert (r.returncode, r.stdout) == (0, b"rb s3://BUCKET\n")


def test_mb_rb_dry_run(shim: Shim) -> None:
    names = _pair(shim, False)
    r = _run_pair(shim, names, "--dry-run", "mb", "s3://BUCKET")
    assert (r.returncode, r.stdout) == (0, b"mb s3://BUCKET\n")
    assert not any(_exists(shim, n) for n in names)
    # s5cmd quirk: --dry-run rb reports success even for a bucket that does not exist
    r = _run_pair(shim, names, "--dry-run", "rb", "s3://BUCKET")
    assert (r.returncode, r.stdout) == (0, b"rb s3://BUCKET\n")


def test_rb_refuses_non_empty_bucket(shim: Shim) -> None:
    names = _pair(shim, True)
    for name in names:
        s3_client(shim.server).put_object(Bucket=name, Key="k", Body=b"1")
    r = _run_pair(shim, names, "rb", "s3://BUCKET")
    assert r.returncode == 1 and r.stdout == b""
    assert _mask(r.stderr.decode()) == (
        'ERROR "rb s3://BUCKET": BucketNotEmpty: The bucket you tried to delete is not empty '
        "status code: 409, request id: R, host id: H\n"
    )
    assert all(_exists(shim, n) for n in names)


def test_mb_rb_errors(shim: Shim, tree: str) -> None:
    missing = unique_bucket("nob")
    r = both(shim, "rb", f"s3://{missing}")
    assert r.returncode == 1
    assert err(r) == (
        f'ERROR "rb s3://{missing}": NoSuchBucket: The specified bucket does not exist '
        "status code: 404, request id: R, host id: H\n"
    )
    for op in ("mb", "rb"):
        r = both(shim, op, f"s3://{tree}/key")
        assert (r.returncode, err(r)) == (1, f'ERROR "{op} s3://{tree}/key": invalid s3 bucket\n')
        r = both(shim, op)
        assert err(r) == f'ERROR "{op}": expected only 1 argument\n'
    r = both(shim, "mb", "s3://ab")
    assert r.returncode == 1 and err(r).startswith('ERROR "mb s3://ab": InvalidBucketName: ')


def test_times_are_utc_whatever_the_time_zone(shim: Shim, tree: str) -> None:
    # s5cmd formats object times after .UTC(), so TZ does not change them
    shim.sandbox.env["TZ"] = "Asia/Tokyo"
    out = lines(both(shim, "ls", f"s3://{tree}/top.txt"))
    modified = s3_client(shim.server).head_object(Bucket=tree, Key="top.txt")["LastModified"]
    assert out[0].startswith(modified.astimezone(dt.UTC).strftime("%Y/%m/%d %H:%M:%S "))


# ---- the format helpers, in process ---------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0"),
        (1024, "1024"),  # s5cmd switches unit only above the divisor
        (1025, "1.0K"),
        (1536, "1.5K"),
        (1 << 20, "1024.0K"),
        (3_000_000, "2.9M"),
        (5 * (1 << 30) + 1, "5.0G"),
        (3 * (1 << 40) + 1, "3.0T"),
        (1 << 52, "4096.0T"),
    ],
)
def test_humanize_bytes(size: int, text: str) -> None:
    assert gofmt.humanize_bytes(size) == text


def test_go_quote_and_json() -> None:
    assert gofmt.go_quote('ls s3://b/ü "x"\\\t\x01') == '"ls s3://b/ü \\"x\\"\\\\\\t\\x01"'
    assert (
        gofmt.go_json({"k": "<&>\u2028\b\f\n", "n": 1})
        == '{"k":"\\u003c\\u0026\\u003e\\u2028\\u0008\\u000c\\n","n":1}'
    )
    assert gofmt.go_json({"k": "\\b"}) == '{"k":"\\\\b"}'
    moment = dt.datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=dt.UTC)
    assert gofmt.go_time_json(moment) == "2024-01-02T03:04:05.12Z"
    assert gofmt.go_time_json(moment.replace(microsecond=0)) == "2024-01-02T03:04:05Z"


def test_parse_flags_like_go() -> None:
    options, rest = flags.parse_flags(
        ls_command.FLAGS, ["-exclude", "a", "--etag=false", "-H", "--exclude=b", "s3://x", "-s"]
    )
    assert options.values == {"exclude": ["a", "b"], "etag": ["false"], "humanize": ["true"]}
    assert not options.bool("etag") and options.bool("humanize") and options.list("exclude") == ["a", "b"]
    assert rest == ["s3://x", "-s"]  # flags stop at the first argument
    assert (
        flags.full_command("ls", options, rest)
        == "ls --etag=false --humanize=true --exclude=a --exclude=b s3://x -s"
    )
    assert flags.parse_flags(ls_command.FLAGS, ["--", "-e"])[1] == ["-e"]
    with pytest.raises(UsageError, match="flag provided but not defined: -eH"):
        flags.parse_flags(ls_command.FLAGS, ["-eH"])
    with pytest.raises(UsageError, match="flag needs an argument: -exclude"):
        flags.parse_flags(ls_command.FLAGS, ["--exclude"])
    with pytest.raises(HelpRequested):
        flags.parse_flags(ls_command.FLAGS, ["-e", "--help"])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5", 5),
        ("+5", 5),
        ("-5", -5),
        ("010", 8),
        ("0x1F", 31),
        ("0b101", 5),
        ("0o17", 15),
        ("1_000", 1000),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        ("08", None),
        ("", None),
        ("+-5", None),
        (" 5", None),
        ("_1", None),
        ("1__0", None),
        ("\u0665", None),
        ("0x", None),
    ],
)
def test_integers_like_strconv_parse_int(text: str, value: int | None) -> None:
    # strconv.ParseInt(text, 0, 64); the flag then shows the parsed value, as Go prints it.
    assert flags.go_parse_int(text.encode().decode("unicode_escape")) == value
    if value is not None:
        options, _ = flags.parse_flags(cat_command.FLAGS, ["-c", text])
        assert options.int("concurrency", 0) == value
        assert flags.full_command("cat", options, []) == f"cat --concurrency={value}"
