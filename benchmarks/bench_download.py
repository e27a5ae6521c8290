"""Downloads only: plain s5cmd against the boto3 backend on each engine, interleaved runs.

    .venv/bin/python benchmarks/bench_download.py                  # 1000 x 4 KiB, 1 x 256 MiB
    .venv/bin/python benchmarks/bench_download.py --large-mib 1024 --repeats 1 --no-small

The objects are uploaded once (by s5cmd) to a SeaweedFS server (``weed mini``, as in
bench_shim.py); each run downloads them into an empty directory: the wildcard ``small/*`` (a
listing, then one GET each) and the one large object named as it is.  Reported per tool: the
wall time of each run, the median and its ratio to s5cmd's in the same round, and the peak RSS.
``--large-mib 10240`` measures the 10 GiB case (the source is a sparse file: zeros, uploaded
once; needs twice that on the disk of ``--tmpdir``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_shim import S3ENV, make_files, real_s5cmd, run_measured, sandbox
from devtools.devserver import start_seaweedfs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--file-size", type=int, default=4096)
    parser.add_argument("--large-mib", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-small", action="store_true")
    parser.add_argument("--no-large", action="store_true")
    parser.add_argument("--engines", default="crt,botocore")
    parser.add_argument("--tmpdir", type=Path, default=None)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-down-", dir=args.tmpdir))
    (root / "server").mkdir()
    server = start_seaweedfs(root / "server")
    try:
        env, plain = sandbox(root / "sandbox", server.url)
        s5cmd = real_s5cmd()
        subprocess.run([s5cmd, "mb", "s3://bench"], env=plain, check=True, capture_output=True)
        cases: list[tuple[str, str]] = []
        if not args.no_small:
            make_files(root / "small", args.files, args.file_size)
            subprocess.run(
                [s5cmd, "cp", f"{root / 'small'}/", "s3://bench/small/"],
                env=plain,
                check=True,
                capture_output=True,
            )
            shutil.rmtree(root / "small")
            cases.append((f"{args.files} x {args.file_size} B", "s3://bench/small/*"))
        if not args.no_large:
            large = root / "large.bin"
            if args.large_mib > 1024:  # a sparse file: zeros, no disk, the same bytes on the wire
                os.truncate(os.open(large, os.O_CREAT | os.O_WRONLY, 0o600), args.large_mib << 20)
            else:
                make_files(root / "l", 1, args.large_mib << 20)
                (root / "l" / "f000000.bin").rename(large)
            subprocess.run(
                [s5cmd, "cp", str(large), "s3://bench/large.bin"], env=plain, check=True, capture_output=True
            )
            large.unlink()
            cases.append((f"1 x {args.large_mib} MiB", "s3://bench/large.bin"))
        tools: list[tuple[str, list[str], dict[str, str]]] = [("s5cmd", [s5cmd, "cp"], plain)]
        for engine in args.engines.split(","):
            tool_env = {**env, "S3ENV_ENGINE": engine}
            tools.append(
                (f"boto3/{engine}", [S3ENV, "--profile", "bench", "--backend", "boto3", "cp"], tool_env)
            )
        for case, source in cases:
            times: dict[str, list[float]] = {name: [] for name, _, _ in tools}
            ratios: dict[str, list[float]] = {name: [] for name, _, _ in tools}
            rss: dict[str, float] = {name: 0.0 for name, _, _ in tools}
            for _ in range(args.repeats):
                base = 0.0
                for name, argv, tool_env in tools:
                    out = root / "out"
                    out.mkdir()
                    run = run_measured([*argv, source, "out/"], tool_env, root)
                    shutil.rmtree(out)
                    if run.returncode != 0:
                        sys.exit(f"{name} failed: {run.stderr[-500:]}")
                    times[name].append(run.seconds)
                    rss[name] = max(rss[name], run.max_rss_kib / 1024)
                    base = base or run.seconds
                    ratios[name].append(run.seconds / base)
            print(f"\n{case}")
            for name, _, _ in tools:
                runs = " ".join(f"{t:.2f}" for t in times[name])
                ratio = " ".join(f"{r:.2f}" for r in ratios[name])
                print(
                    f"  {name:14} median {statistics.median(times[name]):.2f} s  runs {runs}  "
                    f"x s5cmd {ratio}  peak RSS {rss[name]:.0f} MiB"
                )
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
