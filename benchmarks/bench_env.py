"""Speed of the shell start-up paths, as ratios against a baseline measured in the same run.

    .venv/bin/python benchmarks/bench_env.py [--runs 40]

- ``s3env env NAME`` (and friends) against ``python -c pass`` with the same interpreter:
  ratio of medians, runs interleaved so machine noise hits both alike.  Target: <= 2x.
- the idle hook of ``s3env shell-init bash|zsh|fish`` (nothing changed), per run and per command
  line (it runs at the prompt and again right before the command), minus the cost of calling an
  empty function as often; in a shallow directory, 30 levels down with no ``.s3env`` above, and
  30 levels below a ``.s3env`` (the walk up to the nearest one).  Target: < 1 ms per command.
  ``--hooks-only`` runs just these.

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


# Each loop times `{call}` n times against an empty function called as often, in `{cwd}`.  The DEBUG
# trap that shell-init sets in bash is removed first (it would fire in both loops); its own cost
# is timed on its own (`debug trap`).
HOOK_LOOPS = {
    "bash": (
        ["bash", "--norc", "--noprofile", "-c"],
        'eval "$({s3env} shell-init bash)"; trap - DEBUG; cd {cwd}; _noop() {{ :; }}; '
        "a=$EPOCHREALTIME; for ((i=0;i<{n};i++)); do _noop; done; b=$EPOCHREALTIME; "
        "for ((i=0;i<{n};i++)); do {call}; done; c=$EPOCHREALTIME; echo $a $b $c",
    ),
    "zsh": (
        ["zsh", "-f", "-c"],
        'zmodload zsh/datetime; eval "$({s3env} shell-init zsh)"; cd {cwd}; _noop() {{ : }}; '
        "a=$EPOCHREALTIME; for ((i=0;i<{n};i++)); do _noop; done; b=$EPOCHREALTIME; "
        "for ((i=0;i<{n};i++)); do {call}; done; c=$EPOCHREALTIME; echo $a $b $c",
    ),
    "fish": (
        ["fish", "--no-config", "-c"],
        "{s3env} shell-init fish | source; cd {cwd}; function _noop; end; "
        "set a (date +%s.%N); for i in (seq {n}); _noop; end; set b (date +%s.%N); "
        "for i in (seq {n}); {call}; end; set c (date +%s.%N); echo $a $b $c",
    ),
}
# What one command line costs when nothing changed: the hook at the prompt, then again right
# before the command runs (bash: the armed DEBUG trap; zsh: preexec; fish: the same function
# for fish_prompt and fish_preexec).
PROMPT_CALL = {"bash": "_s3env_hook", "zsh": "_s3env_hook", "fish": "__s3env_hook"}
LINE_CALL = {
    "bash": "_s3env_hook; _s3env_armed=1; _s3env_debug x",
    "zsh": "_s3env_hook; _s3env_preexec",
    "fish": "__s3env_hook; __s3env_hook",
}
# A DEBUG trap fires before every simple command: s3env's (disarmed, as shell-init sets it) or an
# empty one (`trap : DEBUG`), against no trap.
DEBUG_TRAP = (
    'eval "$({s3env} shell-init bash)"; _s3env_armed=; t=$(trap -p DEBUG); trap - DEBUG; '
    "a=$EPOCHREALTIME; for ((i=0;i<{n};i++)); do :; done; b=$EPOCHREALTIME; "
    "{install}; for ((i=0;i<{n};i++)); do :; done; c=$EPOCHREALTIME; trap - DEBUG; echo $a $b $c"
)
DEPTH = 30


def hook_dirs(root: Path) -> dict[str, Path]:
    """Where the hook runs: a shallow directory, 30 levels down with no `.s3env` anywhere above
    (the walk goes up to /), and 30 levels below a `.s3env` naming the active profile."""
    plain = root.joinpath("plain", *(f"d{i}" for i in range(DEPTH)))
    plain.mkdir(parents=True)
    tree = root / "tree"
    (tree / "x").mkdir(parents=True)
    (tree / "x" / ".s3env").write_text("bench\n")
    inside = tree.joinpath("x", *(f"d{i}" for i in range(DEPTH)))
    inside.mkdir(parents=True)
    return {"shallow, no .s3env": root, f"{DEPTH} deep, no .s3env": plain, f"{DEPTH} below a .s3env": inside}


def _per_call(argv: list[str], script: str, env: dict[str, str], loops: int) -> float:
    best = float("inf")
    for _ in range(3):
        result = subprocess.run([*argv, script], env=env, capture_output=True, text=True, check=True)
        a, b, c = (float(x.replace(",", ".")) for x in result.stdout.split()[-3:])
        best = min(best, ((c - b) - (b - a)) / loops)
    return best


def time_hooks(env: dict[str, str], loops: int, root: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """(shell, where) -> (one hook run, one command line), seconds."""
    import shlex

    out: dict[tuple[str, str], tuple[float, float]] = {}
    for where, cwd in hook_dirs(root).items():
        for shell, (argv, template) in HOOK_LOOPS.items():
            if shutil.which(argv[0]) is None:
                continue
            quoted = shlex.quote(str(cwd)) if shell != "fish" else "'" + str(cwd).replace("'", "\\'") + "'"
            times = []
            for call in (PROMPT_CALL[shell], LINE_CALL[shell]):
                script = template.format(s3env=S3ENV, n=loops, cwd=quoted, call=call)
                times.append(_per_call(argv, script, env, loops))
            out[(shell, where)] = (times[0], times[1])
    return out


def time_debug_trap(env: dict[str, str], loops: int) -> tuple[float, float]:
    """(s3env's disarmed trap, an empty trap), per simple command, each minus no trap at all."""
    argv = ["bash", "--norc", "--noprofile", "-c"]
    ours = _per_call(argv, DEBUG_TRAP.format(s3env=S3ENV, n=loops, install='eval "$t"'), env, loops)
    empty = _per_call(argv, DEBUG_TRAP.format(s3env=S3ENV, n=loops, install="trap : DEBUG"), env, loops)
    return ours, empty


def print_hooks(env: dict[str, str], loops: int, root: Path) -> None:
    hooks = time_hooks(env, loops, root)
    print(f"\nIdle hook, nothing changed ({loops} calls, best of 3, minus an empty function call):\n")
    print("| shell | where | one hook run (prompt) | per command line (prompt + preexec) |")
    print("|---|---|---:|---:|")
    for (shell, where), (prompt, line) in hooks.items():
        print(f"| {shell} | {where} | {prompt * 1e6:.1f} µs | {line * 1e6:.1f} µs |")
    if shutil.which("bash") is not None:
        ours, empty = time_debug_trap(env, loops * 10)
        print(
            f"\nbash, per simple command: s3env's disarmed DEBUG trap {ours * 1e6:.2f} µs, "
            f"an empty DEBUG trap (`trap : DEBUG`) {empty * 1e6:.2f} µs"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--hook-loops", type=int, default=2000)
    parser.add_argument("--hooks-only", action="store_true", help="only the shell hooks")
    args = parser.parse_args()
    # Bytecode as an installed package has it (see bench_shim.py).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(__file__).parents[1] / "s3env")], check=True
    )
    root = Path(tempfile.mkdtemp(prefix="s3env-bench-"))
    try:
        env = sandbox(root)
        if args.hooks_only:
            print_hooks(env, args.hook_loops, root)
            return 0
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
        print_hooks(env, args.hook_loops, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
