"""Speed of the shell start-up paths, as ratios against a baseline measured in the same run.

    .venv/bin/python benchmarks/bench_env.py [--runs 40]

- ``s3env env NAME`` (and friends) against ``python -c pass`` with the same interpreter:
  ratio of medians, runs interleaved so machine noise hits both alike.  Target: <= 2x.
- the idle prompt hook of ``s3env shell-init bash|zsh|fish`` (nothing changed), per call,
  minus the cost of calling an empty function the same number of times.  Target: < 1 ms.

Everything runs in ``devtools.sandbox.sandbox_env``: a throwaway HOME, XDG_* and S3ENV_HOME, none
of the caller's S3 or proxy settings; the real ~/.aws is never touched.
Not part of `make test`: timings belong in docs/performance.md, not in assertions.
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


def sandbox(root: Path) -> dict[str, str]:
    env = sandbox_env(root)  # HOME, XDG_*, S3ENV_HOME and the AWS files inside root
    run = dict(env=env, check=True, capture_output=True, text=True)
    subprocess.run(
        [
            S3ENV,
            "profile",
            "add",
            "bench",
            "--endpoint-url",
            "http://127.0.0.1:9000",
            "--region",
            "us-east-1",
            "--access-key-id",
            "AKBENCH",
            "--secret-stdin",
        ],
        input="bench-secret-0123456789\n",
        **run,
    )
    subprocess.run([S3ENV, "use", "bench"], **run)
    return env


def time_commands(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(3):  # warm the page cache
        for argv in commands.values():
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


HOOK_LOOPS = {
    "bash": (
        ["bash", "--norc", "--noprofile", "-c"],
        'eval "$({s3env} shell-init bash)"; _noop() {{ :; }}; '
        "a=$EPOCHREALTIME; for ((i=0;i<{n};i++)); do _noop; done; b=$EPOCHREALTIME; "
        "for ((i=0;i<{n};i++)); do _s3env_hook; done; c=$EPOCHREALTIME; echo $a $b $c",
    ),
    "zsh": (
        ["zsh", "-f", "-c"],
        'zmodload zsh/datetime; eval "$({s3env} shell-init zsh)"; _noop() {{ : }}; '
        "a=$EPOCHREALTIME; for ((i=0;i<{n};i++)); do _noop; done; b=$EPOCHREALTIME; "
        "for ((i=0;i<{n};i++)); do _s3env_hook; done; c=$EPOCHREALTIME; echo $a $b $c",
    ),
    "fish": (
        ["fish", "--no-config", "-c"],
        "{s3env} shell-init fish | source; function _noop; end; "
        "set a (date +%s.%N); for i in (seq {n}); _noop; end; set b (date +%s.%N); "
        "for i in (seq {n}); __s3env_hook; end; set c (date +%s.%N); echo $a $b $c",
    ),
}


def time_hooks(env: dict[str, str], loops: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for shell, (argv, template) in HOOK_LOOPS.items():
        if shutil.which(argv[0]) is None:
            continue
        script = template.format(s3env=S3ENV, n=loops)
        best = float("inf")
        for _ in range(3):
            result = subprocess.run([*argv, script], env=env, capture_output=True, text=True, check=True)
            a, b, c = (float(x.replace(",", ".")) for x in result.stdout.split()[-3:])
            best = min(best, ((c - b) - (b - a)) / loops)
        out[shell] = best
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--hook-loops", type=int, default=2000)
    args = parser.parse_args()
    # Bytecode as an installed package has it (see bench_shim.py).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(__file__).parents[1] / "s3env")], check=True
    )
    root = Path(tempfile.mkdtemp(prefix="s3env-bench-"))
    try:
        env = sandbox(root)
        commands = {
            "python -c pass (baseline)": [sys.executable, "-c", "pass"],
            "s3env env bench": [S3ENV, "env", "bench"],
            "s3env env (active profile)": [S3ENV, "env"],
            "s3env env bench --shell fish": [S3ENV, "env", "bench", "--shell", "fish"],
            "s3env env bench --with-keys (file store)": [S3ENV, "env", "bench", "--with-keys"],
            "s3env shell-init bash": [S3ENV, "shell-init", "bash"],
            "s3env profile list (typer, for scale)": [S3ENV, "profile", "list"],
        }
        medians = time_commands(commands, env, args.runs)
        base = medians["python -c pass (baseline)"]
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.runs} interleaved runs each\n")
        print("| command | median | ratio to `python -c pass` |")
        print("|---|---:|---:|")
        for name, value in medians.items():
            print(f"| `{name}` | {value * 1000:.1f} ms | {value / base:.2f}x |")
        hooks = time_hooks(env, args.hook_loops)
        print("\n| idle prompt hook (nothing changed) | per prompt |")
        print("|---|---:|")
        for shell, seconds in hooks.items():
            print(f"| {shell} | {seconds * 1e6:.1f} µs |")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
