"""What choosing the profile costs ``s3env env`` (issue 15): the ``.s3env`` walk.

    .venv/bin/python benchmarks/bench_precedence.py [--runs 40] [--depth 30]

- ``s3env env`` (no NAME: the walk runs) in HOME, at the bottom of a tree ``--depth`` levels deep
  with no ``.s3env`` (the walk goes all the way to /), and with a ``.s3env`` at the top of that
  tree; ``s3env env NAME`` (no walk) and ``python -c pass`` as baselines.  Medians of interleaved
  runs, as ratios to ``python -c pass``.
- ``find_directory_profile`` itself, in-process, per call, from the same directories.

Everything runs in ``devtools.sandbox.sandbox_env`` (a throwaway HOME and store).  Not part of
`make test`: timings belong in docs/performance.md, not in assertions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devtools.sandbox import sandbox_env

BIN = Path(sys.executable).parent
S3ENV = str(BIN / "s3env")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--depth", type=int, default=30)
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(__file__).parents[1] / "s3env")], check=True
    )
    root = Path(tempfile.mkdtemp(prefix="s3env-bench-"))
    try:
        env = sandbox_env(root)
        run = dict(env=env, check=True, capture_output=True, text=True)
        for name in ("bench", "lab"):
            subprocess.run(
                [S3ENV, "profile", "add", name, "--endpoint-url", "http://127.0.0.1:9000",
                 "--access-key-id", "AK", "--secret-stdin"],
                input="secret\n",
                **run,
            )  # fmt: skip
        subprocess.run([S3ENV, "use", "bench"], **run)
        home = Path(env["HOME"])
        bare = home / "bare" / Path(*[f"d{i}" for i in range(args.depth)])
        marked_top = home / "marked"
        marked = marked_top / Path(*[f"d{i}" for i in range(args.depth)])
        bare.mkdir(parents=True)
        marked.mkdir(parents=True)
        (marked_top / ".s3env").write_text("lab\n")
        commands = {
            "python -c pass (baseline)": ([sys.executable, "-c", "pass"], home),
            "s3env env bench (no walk)": ([S3ENV, "env", "bench"], home),
            "s3env env, in HOME": ([S3ENV, "env"], home),
            f"s3env env, {args.depth} levels deep, no .s3env": ([S3ENV, "env"], bare),
            f"s3env env, {args.depth} levels deep, .s3env at the top": ([S3ENV, "env"], marked),
        }
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(args.runs + 3):
            for name, (argv, cwd) in commands.items():
                start = time.perf_counter()
                subprocess.run(
                    argv, env={**env, "PWD": str(cwd)}, cwd=cwd, stdout=subprocess.DEVNULL, check=True
                )
                if round_ >= 3:  # the first rounds warm the page cache
                    samples[name].append(time.perf_counter() - start)
        medians = {name: statistics.median(values) for name, values in samples.items()}
        base = medians["python -c pass (baseline)"]
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.runs} interleaved runs each\n")
        print("| command | median | ratio to `python -c pass` |")
        print("|---|---:|---:|")
        for name, value in medians.items():
            print(f"| `{name}` | {value * 1000:.1f} ms | {value / base:.2f}x |")

        from s3env.store.dirprofile import find_directory_profile

        print("\n| find_directory_profile, in-process | per call |")
        print("|---|---:|")
        for label, cwd in (
            ("HOME", home),
            (f"{args.depth} deep, none", bare),
            (f"{args.depth} deep, at top", marked),
        ):
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                for _ in range(args.calls):
                    find_directory_profile(str(cwd), env)
                best = min(best, (time.perf_counter() - start) / args.calls)
            print(f"| {label} | {best * 1e6:.1f} µs |")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
