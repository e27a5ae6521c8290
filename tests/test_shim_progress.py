"""The boto3 backend's progress bar: s5cmd's layout, on stderr, on a terminal only.

``render_bar`` (counts, elapsed time, width -> text) is checked directly, with hypothesis for
the edges: totals unknown, zero, done, huge, terminals too narrow.  The bar itself runs on a
real pty (pexpect) against a moto server, through ``FaultProxy``, which holds an upload half-way
so that the bar is on screen while the transfer is in flight: a local file's total and a
percentage show; every result and error line starts a row of its own, with nothing of the bar
before or after it, and the bar is gone at the end.  On pipes and with --json: no bar byte.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devtools.devserver import MotoServer
from s3env.shim.boto3.progress import TransferProgress, format_bytes, format_duration, render_bar
from tests.conftest import ENGINES, S3ENV, Sandbox, engine_env, make_shim, s3_client, unique_bucket
from tests.faultproxy import FaultProxy

pexpect = pytest.importorskip("pexpect")

MIB = 1024 * 1024
BOTO3 = ("--backend", "boto3")
BAR_CHARS = ("━", "─")
# s5cmd's bar: percent, bar, counters, (speed), time left, (objects)
S5CMD_LAYOUT = re.compile(
    r"(?P<percent>\d{1,3}\.\d\d%|\?%) [━─]+"
    r" (?P<done>\d+(\.\d\d)? [kMGTPE]?B) / (?P<total>\d+(\.\d\d)? [kMGTPE]?B|\?)"
    r" \((?P<speed>\d+(\.\d\d)? [kMGTPE]?B)/s\) (?P<eta>(\d+h)?(\d+m)?\d+s left|\? left|(\d+h)?(\d+m)?\d+s)"
    r" \((?P<files>\d+)/(?P<total_files>\d+|\?)\)"
)

# ---- the pure part ---------------------------------------------------------------------------


def test_s5cmd_layout_for_one_file_of_known_size() -> None:
    text = render_bar(95_440_000, 211_000_000, 0, 1, elapsed=8.0, width=128)
    match = S5CMD_LAYOUT.fullmatch(text)
    assert match, text
    assert match["percent"] == "45.23%"
    assert (match["done"], match["total"]) == ("95.44 MB", "211.00 MB")
    assert match["speed"] == "11.93 MB"
    assert match["eta"] == "9s left"  # (211 - 95.44) MB at 11.93 MB/s
    assert (match["files"], match["total_files"]) == ("0", "1")
    assert len(text) == 128  # pb's width for s5cmd: the bar takes what the figures leave
    filled = text.count("━")
    assert filled / (filled + text.count("─")) == pytest.approx(0.4523, abs=0.02)


def test_totals_not_known_yet() -> None:
    text = render_bar(3_000_000, None, 2, None, elapsed=1.0, width=100)
    match = S5CMD_LAYOUT.fullmatch(text)
    assert match, text
    assert (match["percent"], match["total"], match["eta"], match["total_files"]) == (
        "?%",
        "?",
        "? left",
        "?",
    )
    assert "━" not in text  # no fill for an unknown fraction


def test_finished_shows_the_time_taken() -> None:
    text = render_bar(211_000_000, 211_000_000, 3, 3, elapsed=125.0, width=128, finished=True)
    match = S5CMD_LAYOUT.fullmatch(text)
    assert match, text
    assert (match["percent"], match["eta"], match["files"]) == ("100.00%", "2m5s", "3")
    assert "─" not in text


def test_units_and_durations_as_pb_and_go() -> None:
    assert [format_bytes(n) for n in (0, 999, 1000, 1_234_567, 10**12, 3 * 10**18)] == [
        "0 B",
        "999 B",
        "1.00 kB",
        "1.23 MB",
        "1.00 TB",
        "3.00 EB",
    ]
    assert [format_duration(s) for s in (0, 0.9, 59, 60, 3599, 3600, 7384)] == [
        "0s",
        "0s",
        "59s",
        "1m0s",
        "59m59s",
        "1h0m0s",
        "2h3m4s",
    ]


counts = st.integers(min_value=0, max_value=2**64)
maybe_total = st.none() | counts


@given(
    done_bytes=counts,
    total_bytes=maybe_total,
    done_files=st.integers(0, 10**9),
    total_files=st.integers(0, 10**9),
    elapsed=st.floats(min_value=0, max_value=10**6, allow_nan=False),
    width=st.integers(min_value=-5, max_value=300),
    finished=st.booleans(),
)
def test_any_counts_fit_the_width_on_one_line(
    done_bytes: int,
    total_bytes: int | None,
    done_files: int,
    total_files: int,
    elapsed: float,
    width: int,
    finished: bool,
) -> None:
    files_total = None if total_bytes is None else total_files
    text = render_bar(done_bytes, total_bytes, done_files, files_total, elapsed, width, finished)
    assert len(text) <= max(0, width)
    assert text.isprintable()  # no \r, \n, escape: the caller returns and erases
    if width >= 128:  # room for everything: s5cmd's whole layout
        match = S5CMD_LAYOUT.fullmatch(text)
        assert match, text
        if total_bytes is None:
            assert match["percent"] == "?%" and match["total"] == "?"
        else:
            percent = float(match["percent"].rstrip("%"))
            assert 0 <= percent <= 100
            assert match["total"] == format_bytes(total_bytes)
            if total_bytes and done_bytes >= total_bytes:
                assert match["percent"] == "100.00%"


@given(total=st.integers(1, 10**15), width=st.integers(100, 200))
def test_the_fill_follows_the_fraction(total: int, width: int) -> None:
    previous = -1
    for done in (0, total // 4, total // 2, total):
        text = render_bar(done, total, 0, 1, 1.0, width)
        filled = text.count("━")
        assert filled >= previous
        previous = filled
    assert "─" not in render_bar(total, total, 1, 1, 1.0, width)


def test_zero_bytes_in_total() -> None:
    """Empty files: the fraction is the files'; nothing at all: 0% until finished."""
    assert render_bar(0, 0, 1, 2, 1.0, 128).startswith("50.00% ")
    assert render_bar(0, 0, 0, 0, 1.0, 128).startswith("0.00% ")
    assert render_bar(0, 0, 0, 0, 1.0, 128, finished=True).startswith("100.00% ")


def test_the_counts_follow_each_object_to_its_end() -> None:
    """Totals while walking, an object of unknown size, a retried part taken back, a skip and a
    failure out of the totals, a server-side copy counted whole when done."""
    progress = TransferProgress(enabled=True, stream=io.BytesIO())
    upload, copy, skipped, failed = (progress.found(n) for n in (1000, 500, 300, 200))
    download = progress.found(None)
    assert progress.snapshot() == (0, None, 0, None)  # still walking
    progress.walked()
    assert progress.snapshot() == (0, None, 0, None)  # one size not known yet
    download.sized(4000)
    assert progress.snapshot() == (0, 6000, 0, 5)
    upload.sent(600)
    upload.sent(-600)  # rewound for a retry
    upload.sent(1000)
    upload.done()
    failed.sent(150)
    failed.dropped()
    skipped.dropped()
    copy.done()
    download.sent(4000)
    download.done()
    download.dropped()  # an object ends once
    assert progress.snapshot() == (5500, 5500, 3, 3)
    assert render_bar(*progress.snapshot(), 2.0, 128).startswith("100.00% ")


# ---- on a terminal ---------------------------------------------------------------------------


def screen_rows(raw: str) -> list[str]:
    """What a terminal shows for ``raw``: ``\\r`` returns to column 0, characters overwrite,
    ``\\n`` ends the row (enough for the bar, which uses nothing else)."""
    rows: list[str] = []
    row: list[str] = []
    column = 0
    for char in raw:
        if char == "\n":
            rows.append("".join(row).rstrip())
            row, column = [], 0
        elif char == "\r":
            column = 0
        else:
            if column < len(row):
                row[column] = char
            else:
                row.extend(" " * (column - len(row)))
                row.append(char)
            column += 1
    rows.append("".join(row).rstrip())
    return rows


def spawn(sandbox: Sandbox, argv: list[str], cwd: Path, engine: str = "") -> Any:
    """``s3env ARGV`` on a pty 150 columns wide; ``child.logfile_read`` keeps all it wrote."""
    environment = {**engine_env(sandbox.env, engine), "TERM": "xterm-256color", "S3ENV_PROGRESS_DELAY": "0"}
    child = pexpect.spawn(
        S3ENV, argv, env=environment, cwd=str(cwd), timeout=60, encoding="utf-8", dimensions=(40, 150)
    )
    child.logfile_read = io.StringIO()
    return child


def screen_of(child: Any) -> list[str]:
    """The non-empty rows the terminal shows once ``child`` has ended."""
    raw = child.logfile_read.getvalue().replace("\r\n", "\n")
    return [row for row in screen_rows(raw) if row]


@pytest.fixture
def held_upload(sandbox: Sandbox, moto: MotoServer) -> Iterator[tuple[str, FaultProxy, str]]:
    """(profile, proxy, bucket): the proxy holds the first connection past 8 MiB upstream."""
    bucket = unique_bucket("progress")
    s3_client(moto).create_bucket(Bucket=bucket)
    proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, pause_up_after=8 * MIB)
    profile = make_shim(sandbox, proxy, profile="held").profile  # type: ignore[arg-type]
    yield profile, proxy, bucket
    proxy.resume.set()
    proxy.close()


def test_one_local_file_shows_its_total_and_a_percentage(
    sandbox: Sandbox, moto: MotoServer, tmp_path: Path, held_upload: tuple[str, FaultProxy, str]
) -> None:
    profile, proxy, bucket = held_upload
    data = os.urandom(40 * MIB)
    (tmp_path / "big.bin").write_bytes(data)
    child = spawn(sandbox, [*BOTO3, "-p", profile, "cp", "big.bin", f"s3://{bucket}/"], tmp_path)
    # held mid-upload: the bar is redrawn with the file's size as its total (frames drawn
    # before the first byte left, while the engine gets ready, show 0.00%)
    bar = r"(\d{1,3}\.\d\d)% [━─]+ \d+(\.\d\d)? [kM]?B / 41\.94 MB \(.*?/s\) (\?|\d+s|\d+m\d+s) left \(0/1\)"
    child.expect(bar)
    while float(child.match.group(1)) == 0:
        child.expect(bar)
    assert 0 < float(child.match.group(1)) < 100
    proxy.resume.set()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    rows = screen_of(child)
    assert rows == [f"cp big.bin s3://{bucket}/big.bin"], rows  # the bar is gone
    assert s3_client(moto).get_object(Bucket=bucket, Key="big.bin")["Body"].read() == data


def test_lines_never_share_a_row_with_the_bar(
    sandbox: Sandbox, tmp_path: Path, held_upload: tuple[str, FaultProxy, str]
) -> None:
    """Small files finish (and print) while a big one is held with the bar on screen; a FIFO
    adds an error line.  On the terminal, every row is one line of s5cmd's, whole."""
    profile, proxy, bucket = held_upload
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "big.bin").write_bytes(os.urandom(24 * MIB))
    names = [f"small{i}.txt" for i in range(6)]
    for name in names:
        (tree / name).write_bytes(os.urandom(1000))
    os.mkfifo(tree / "pipe")
    child = spawn(sandbox, [*BOTO3, "-p", profile, "cp", "tree/", f"s3://{bucket}/t/"], tmp_path)
    child.expect(r"\d{1,3}\.\d\d% [━─]+ .* / 25\.17 MB .*\(6/7\)")  # the small ones done, the big one held
    proxy.resume.set()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1, child.before  # the FIFO
    assert any(char in child.logfile_read.getvalue() for char in BAR_CHARS)  # the bar was there
    rows = screen_of(child)
    expected = {f"cp tree/{name} s3://{bucket}/t/{name}" for name in [*names, "big.bin"]}
    error = f"ERROR \"cp tree/ s3://{bucket}/t/\": object 'tree/pipe' is not a regular file"
    assert sorted(rows) == sorted([*expected, error]), rows


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("size", "flags", "total"), [(3 * MIB, [], "3.15 MB"), (11 * MIB, ["-p", "5"], "11.53 MB")]
)
def test_show_progress_keeps_the_final_bar_as_s5cmd(
    sandbox: Sandbox, moto: MotoServer, tmp_path: Path, engine: str, size: int, flags: list[str], total: str
) -> None:
    """``--show-progress`` prints no line per object: the bar's last state stays, as s5cmd's
    (one PUT, and a multipart upload: every byte counted once)."""
    bucket = unique_bucket("progress")
    s3_client(moto).create_bucket(Bucket=bucket)
    profile = make_shim(sandbox, moto, profile="sp").profile
    (tmp_path / "a.bin").write_bytes(os.urandom(size))
    child = spawn(
        sandbox,
        [*BOTO3, "-p", profile, "cp", *flags, "--show-progress", "a.bin", f"s3://{bucket}/"],
        tmp_path,
        engine,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    rows = screen_of(child)
    assert len(rows) == 1, rows
    match = S5CMD_LAYOUT.fullmatch(rows[0])
    assert match, rows
    assert (match["percent"], match["done"], match["total"], match["files"], match["total_files"]) == (
        "100.00%",
        total,
        total,
        "1",
        "1",
    )


def test_downloads_learn_their_totals(sandbox: Sandbox, moto: MotoServer, tmp_path: Path) -> None:
    """One object named without a wildcard: its size comes with its first GET; a listing's
    objects: their sizes once listed.  ``--show-progress`` leaves the final state to read."""
    bucket = unique_bucket("progress")
    client = s3_client(moto)
    client.create_bucket(Bucket=bucket)
    for key, size in (("d/one.bin", 2 * MIB), ("d/two.bin", 1000), ("d/three.bin", 0)):
        client.put_object(Bucket=bucket, Key=key, Body=os.urandom(size))
    profile = make_shim(sandbox, moto, profile="down").profile
    for source, total, files in (
        (f"s3://{bucket}/d/one.bin", "2.10 MB", "1"),
        (f"s3://{bucket}/d/*", "2.10 MB", "3"),
    ):
        child = spawn(sandbox, [*BOTO3, "-p", profile, "cp", "--show-progress", source, "out/"], tmp_path)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.logfile_read.getvalue()
        rows = screen_of(child)
        match = S5CMD_LAYOUT.fullmatch(rows[-1]) if len(rows) == 1 else None
        assert match, rows
        assert (match["percent"], match["total"], match["files"], match["total_files"]) == (
            "100.00%",
            total if files == "1" else "2.10 MB",
            files,
            files,
        )
    assert (tmp_path / "out" / "one.bin").stat().st_size == 2 * MIB


@pytest.mark.parametrize("engine", ENGINES)
def test_sync_lines_stand_alone(sandbox: Sandbox, moto: MotoServer, tmp_path: Path, engine: str) -> None:
    bucket = unique_bucket("progress")
    s3_client(moto).create_bucket(Bucket=bucket)
    profile = make_shim(sandbox, moto, profile="sync").profile
    tree = tmp_path / "tree"
    tree.mkdir()
    for i in range(4):
        (tree / f"f{i}.bin").write_bytes(os.urandom(MIB))
    child = spawn(sandbox, [*BOTO3, "-p", profile, "sync", "tree/", f"s3://{bucket}/s/"], tmp_path, engine)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.logfile_read.getvalue()
    assert sorted(screen_of(child)) == [f"cp tree/f{i}.bin s3://{bucket}/s/f{i}.bin" for i in range(4)]


def test_no_bar_on_pipes_or_with_json(sandbox: Sandbox, moto: MotoServer, tmp_path: Path) -> None:
    bucket = unique_bucket("progress")
    s3_client(moto).create_bucket(Bucket=bucket)
    profile = make_shim(sandbox, moto, profile="quiet").profile
    data = os.urandom(6 * MIB)
    (tmp_path / "f.bin").write_bytes(data)
    env = {**sandbox.env, "S3ENV_PROGRESS_DELAY": "0"}
    base = [*BOTO3, "-p", profile]
    upload = ["cp", "f.bin", f"s3://{bucket}/f.bin"]
    download = ["cp", f"s3://{bucket}/f.bin", "back.bin"]
    # stdout and stderr on pipes: s5cmd's lines and nothing else
    for args in (upload, download, ["--json", *upload]):
        r = subprocess.run([S3ENV, *base, *args], env=env, cwd=tmp_path, capture_output=True, timeout=60)
        assert r.returncode == 0 and r.stderr == b"", r.stderr
        assert r.stdout.startswith(b"cp " if "--json" not in args else b'{"operation":"cp"'), r.stdout
        assert b"\r" not in r.stdout and not any(c.encode() in r.stdout for c in BAR_CHARS)
    assert (tmp_path / "back.bin").read_bytes() == data
    # --json on a terminal: no bar either
    child = spawn(sandbox, [*base, "--json", *upload], tmp_path)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert child.before.startswith('{"operation":"cp"') and child.before.count("\r\n") == 1, child.before
    assert "\r" not in child.before.replace("\r\n", "") and not any(c in child.before for c in BAR_CHARS)
    # stdout piped, stderr the terminal: the bar (on stderr) stays out of the pipe
    out = tmp_path / "stdout.txt"
    child = pexpect.spawn(
        "sh",
        ["-c", f'"$0" "$@" > {out}', S3ENV, *base, *upload],
        env={**env, "TERM": "xterm-256color"},
        cwd=str(tmp_path),
        timeout=60,
        encoding="utf-8",
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert out.read_text() == f"cp f.bin s3://{bucket}/f.bin\n"
