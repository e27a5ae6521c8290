"""Conformance of the boto3 backend's ``rm``, ``cp`` and ``mv`` with ``--all-versions`` and
``--version-id`` against s5cmd v2.3.0, on a versioned bucket (moto and SeaweedFS).

Each side gets its own bucket seeded with the same versions; version ids differ between them,
so every id is replaced by a name (``v.txt@2``, ``gone.txt@marker``) before stdout, stderr,
exit status, the versions left in the bucket and the local files are compared.  Bucket names
have the same length on both sides, so s5cmd's ``%-50v`` padding compares too.
"""

from __future__ import annotations

import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Shim, s3_client, unique_bucket

BODIES = {
    "v.txt": [b"1", b"22", b"333"],
    "gone.txt": [b"g", b"gg"],  # then deleted: a delete marker on top
    "d/in.txt": [b"in"],
    "v.txt.bak": [b"bak"],
}


@dataclass
class Side:
    backend: str
    bucket: str
    cwd: Path
    names: dict[str, str] = field(default_factory=dict)  # version id -> name
    result: subprocess.CompletedProcess[bytes] | None = None

    def ids(self) -> dict[str, str]:
        return {name: version for version, name in self.names.items()}

    def normalise(self, text: bytes) -> list[str]:
        out = text.decode().replace(self.bucket, "B")
        for version, name in self.names.items():
            out = out.replace(version, name)
        out = re.sub(r"request id: [^,]*, host id:[^\"\n]*", "request id: R, host id: H", out)
        return sorted(out.splitlines())


def seed(client, bucket: str) -> dict[str, str]:
    client.create_bucket(Bucket=bucket)
    try:
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    except ClientError as exc:
        pytest.skip(f"this server does not do versioning: {exc}")
    names: dict[str, str] = {}
    for key, bodies in BODIES.items():
        for number, body in enumerate(bodies, 1):
            names[client.put_object(Bucket=bucket, Key=key, Body=body)["VersionId"]] = f"{key}@{number}"
    names[client.delete_object(Bucket=bucket, Key="gone.txt")["VersionId"]] = "gone.txt@marker"
    return names


def versions_left(client, bucket: str, names: dict[str, str]) -> list[tuple[str, str, int]]:
    """(key, version name, size; -1 for a delete marker) of everything in the bucket."""
    out = []
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for item in page.get("Versions") or []:
            out.append((item["Key"], names.get(item["VersionId"], "new"), item["Size"]))
        for item in page.get("DeleteMarkers") or []:
            out.append((item["Key"], names.get(item["VersionId"], "new marker"), -1))
    return sorted(out)


@dataclass
class Pair:
    shim: Shim
    client: object
    sides: list[Side]

    def run(self, *argv: str) -> Side:
        """Run on both sides (``{B}`` is the bucket, ``{v.txt@2}`` a version id); assert the
        same output, status, versions left and files; return the boto3 side."""

        def one(side: Side) -> None:
            ids = side.ids()
            args = [re.sub(r"\{([^{}]+@[^{}]+)\}", lambda m: ids[m.group(1)], a) for a in argv]
            args = [a.replace("{B}", side.bucket) for a in args]
            side.result = self.shim(side.backend, *args, cwd=side.cwd)

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(one, self.sides))
        s5, b3 = self.sides
        assert s5.result is not None and b3.result is not None
        assert b3.normalise(b3.result.stdout) == s5.normalise(s5.result.stdout), argv
        assert b3.normalise(b3.result.stderr) == s5.normalise(s5.result.stderr), argv
        assert b3.result.returncode == s5.result.returncode, (argv, s5.result.stderr, b3.result.stderr)
        left = [versions_left(self.client, side.bucket, side.names) for side in self.sides]
        assert left[0] == left[1], argv
        files = [{p.name: p.read_bytes() for p in side.cwd.rglob("*") if p.is_file()} for side in self.sides]
        assert files[0] == files[1], argv
        return b3

    def left(self) -> list[tuple[str, str, int]]:
        side = self.sides[1]
        return versions_left(self.client, side.bucket, side.names)


@pytest.fixture
def pair(shim: Shim, tmp_path: Path) -> Pair:
    client = s3_client(shim.server)
    sides = []
    for backend in ("s5cmd", "boto3"):
        bucket = unique_bucket("ver") + ("-s" if backend == "s5cmd" else "-b")
        cwd = tmp_path / backend
        cwd.mkdir()
        (cwd / "local.txt").write_bytes(b"local")
        sides.append(Side(backend, bucket, cwd, seed(client, bucket)))
    return Pair(shim, client, sides)


def lines(side: Side) -> list[str]:
    assert side.result is not None
    return side.normalise(side.result.stdout)


def test_rm_one_version(pair: Pair) -> None:
    b3 = pair.run("rm", "--version-id", "{v.txt@2}", "s3://{B}/v.txt")
    assert lines(b3) == [f"rm {'s3://' + b3.bucket + '/v.txt':<50} v.txt@2".replace(b3.bucket, "B")]
    assert ("v.txt", "v.txt@2", 2) not in pair.left() and ("v.txt", "v.txt@1", 1) in pair.left()


def test_rm_all_versions_of_a_key_and_its_prefix_matches(pair: Pair) -> None:
    # No wildcard: like ls, every key starting with v.txt at that level (v.txt.bak too).
    b3 = pair.run("rm", "--all-versions", "s3://{B}/v.txt")
    assert sorted(line.split()[-1] for line in lines(b3)) == ["v.txt.bak@1", "v.txt@1", "v.txt@2", "v.txt@3"]
    assert {key for key, _name, _size in pair.left()} == {"gone.txt", "d/in.txt"}


def test_rm_all_versions_everything_including_delete_markers(pair: Pair) -> None:
    b3 = pair.run("rm", "--all-versions", "s3://{B}/*")
    assert len(lines(b3)) == 8 and pair.left() == []


def test_rm_versions_json_dry_run_and_filters(pair: Pair) -> None:
    b3 = pair.run("--json", "rm", "--version-id", "{gone.txt@marker}", "s3://{B}/gone.txt")
    [line] = lines(b3)
    message = json.loads(line)
    # version_id is the one DeleteObjects reports; for a delete marker SeaweedFS reports none.
    assert message.pop("version_id", "gone.txt@marker") == "gone.txt@marker"
    assert message == {"operation": "rm", "success": True, "source": "s3://B/gone.txt"}
    assert ("gone.txt", "gone.txt@2", 2) in pair.left()  # the marker is gone: gone.txt is back
    before = pair.left()
    b3 = pair.run("--dry-run", "rm", "--all-versions", "s3://{B}/*")
    assert len(lines(b3)) == 7 and pair.left() == before
    b3 = pair.run("rm", "--all-versions", "--exclude", "*.bak", "--exclude", "d/*", "s3://{B}/*")
    assert {key for key, _name, _size in pair.left()} == {"v.txt.bak", "d/in.txt"}


def test_plain_rm_in_a_versioned_bucket_leaves_a_marker(pair: Pair) -> None:
    b3 = pair.run("rm", "s3://{B}/d/in.txt")
    assert lines(b3)[0].startswith("rm s3://B/d/in.txt")
    assert ("d/in.txt", "new marker", -1) in pair.left()


def test_cp_a_version(pair: Pair) -> None:
    b3 = pair.run("cp", "--version-id", "{v.txt@1}", "s3://{B}/v.txt", "old.txt")
    assert lines(b3) == ["cp s3://B/v.txt old.txt"]
    assert (b3.cwd / "old.txt").read_bytes() == b"1"
    b3 = pair.run("cp", "--version-id", "{v.txt@2}", "s3://{B}/v.txt", "s3://{B}/copy.txt")
    assert lines(b3) == ["cp s3://B/v.txt s3://B/copy.txt"]
    assert ("copy.txt", "new", 2) in pair.left()
    b3 = pair.run("cp", "--version-id", "{gone.txt@1}", "s3://{B}/gone.txt", "back.txt")
    assert (b3.cwd / "back.txt").read_bytes() == b"g"
    # -n: the local file exists, nothing is fetched (the source is stat'ed at its version)
    pair.run("cp", "-n", "--version-id", "{v.txt@3}", "s3://{B}/v.txt", "old.txt")
    assert (b3.cwd / "old.txt").read_bytes() == b"1"


def test_mv_a_version_deletes_the_key_not_the_version(pair: Pair) -> None:
    # ODDITY: s5cmd's mv copies the version asked for, then deletes the *key* (no version id):
    # on a versioned bucket that adds a delete marker and the version stays.
    b3 = pair.run("mv", "--version-id", "{v.txt@1}", "s3://{B}/v.txt", "moved.txt")
    assert (b3.cwd / "moved.txt").read_bytes() == b"1"
    assert ("v.txt", "v.txt@1", 1) in pair.left() and ("v.txt", "new marker", -1) in pair.left()


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["rm", "--all-versions", "--version-id", "{v.txt@1}", "s3://{B}/v.txt"], id="rm-both"),
        pytest.param(["rm", "--all-versions", "local.txt"], id="rm-local"),
        pytest.param(["rm", "--version-id", "{v.txt@1}", "s3://{B}/v.txt", "s3://{B}/d/in.txt"], id="rm-two"),
        pytest.param(["cp", "--version-id", "{v.txt@1}", "local.txt", "s3://{B}/x.txt"], id="cp-local"),
        pytest.param(["cp", "--version-id", "{d/in.txt@1}", "s3://{B}/v.txt", "x.txt"], id="cp-other-key"),
        pytest.param(["rm", "--all-versions", "s3://{B}/nothing*"], id="rm-no-object"),
    ],
)
def test_version_errors(pair: Pair, argv: list[str]) -> None:
    b3 = pair.run(*argv)
    assert b3.result is not None and b3.result.returncode == 1
    assert b3.result.stderr.count(b"\n") == 1 and b3.result.stderr.startswith(b"ERROR ")
