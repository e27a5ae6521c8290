"""``s3env.shim.run``: the shim's commands in this process, against real moto servers.

The CLI shim on the boto3 backend (``shim("boto3", …)``, a subprocess) is the reference: the
in-process run must give the same exit status and output bytes, and leave the same objects and
files.  A child interpreter with an audit hook proves that no process is started.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import s3env
from s3env.core.errors import NoActiveProfile, ProfileNotFound, UsageError
from tests.conftest import MotoServer, Sandbox, Shim, make_shim, s3_client, unique_bucket

TREE = {"a.txt": b"alpha\n", "sub/b.bin": b"\x00bravo", "sub/deep/c.txt": b"charlie"}


@pytest.fixture
def cli(sandbox: Sandbox, moto: MotoServer) -> Shim:
    """The profile "shim" on the moto server, and the CLI shim that uses it."""
    return make_shim(sandbox, moto)


@pytest.fixture
def bucket(moto: MotoServer) -> str:
    name = unique_bucket("api")
    s3_client(moto).create_bucket(Bucket=name)
    return name


def write_tree(root: Path, tree: dict[str, bytes]) -> None:
    for name, data in tree.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def read_tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def objects(server: MotoServer, bucket: str) -> dict[str, bytes]:
    client = s3_client(server)
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def lines(output: bytes) -> list[bytes]:
    """Sorted (the workers finish in any order), the server's request ids blanked."""
    return sorted(re.sub(rb"request id: [^,]*,", b"request id: ID,", output).splitlines())


def same_as_cli(result: s3env.shim.ShimResult, reference: subprocess.CompletedProcess[bytes]) -> None:
    """Status and output bytes as the CLI's."""
    assert result.status == reference.returncode, (result, reference)
    assert lines(result.stdout_bytes) == lines(reference.stdout)
    assert lines(result.stderr_bytes) == lines(reference.stderr)


def test_upload_list_download_a_directory(
    cli: Shim, moto: MotoServer, bucket: str, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(sandbox.root / "data", TREE)
    monkeypatch.chdir(sandbox.root)  # relative paths, as the CLI runs in sandbox.root

    up = s3env.shim.run(["cp", "data/", f"s3://{bucket}/data/"], profile="shim")
    assert up.status == 0 and up and up.stderr == []
    assert sorted(up.stdout) == [f"cp data/{name} s3://{bucket}/data/{name}" for name in sorted(TREE)]
    assert objects(moto, bucket) == {f"data/{name}": data for name, data in TREE.items()}

    listed = s3env.shim.run(["ls", f"s3://{bucket}/data/*"], profile="shim")
    same_as_cli(listed, cli("boto3", "ls", f"s3://{bucket}/data/*"))
    assert [line.split()[-1] for line in listed.stdout] == sorted(TREE)

    down = s3env.shim.run(["cp", f"s3://{bucket}/data/*", "back/"], profile="shim")
    assert down.status == 0, down.stderr
    assert read_tree(sandbox.root / "back") == TREE
    again = cli("boto3", "cp", f"s3://{bucket}/data/*", "again/")
    again.stdout = again.stdout.replace(b" again/", b" back/")
    same_as_cli(down, again)
    assert read_tree(sandbox.root / "again") == TREE


def test_a_failed_request_is_status_1_and_the_error_line(cli: Shim, bucket: str, sandbox: Sandbox) -> None:
    argv = ["cp", f"s3://{bucket}/no-such-key", str(sandbox.root / "out")]
    result = s3env.shim.run(argv, profile="shim")
    assert result.status == 1 and not result and not result.ok
    assert result.stdout == []
    assert len(result.stderr) == 1 and result.stderr[0].startswith(f'ERROR "cp s3://{bucket}/no-such-key')
    same_as_cli(result, cli("boto3", *argv))
    assert not (sandbox.root / "out").exists()
    with pytest.raises(s3env.shim.ShimCommandFailed) as failed:
        result.check()
    assert failed.value.result is result
    assert result.stderr[0] in str(failed.value)


def test_json_lines_as_the_cli_prints_them(cli: Shim, moto: MotoServer, bucket: str) -> None:
    s3_client(moto).put_object(Bucket=bucket, Key="k1", Body=b"1")
    s3_client(moto).put_object(Bucket=bucket, Key="k2", Body=b"22")
    in_argv = s3env.shim.run(["--json", "ls", f"s3://{bucket}/*"], profile="shim")
    keyword = s3env.shim.run(["ls", f"s3://{bucket}/*"], profile="shim", json=True)
    reference = cli("boto3", "--json", "ls", f"s3://{bucket}/*")
    same_as_cli(in_argv, reference)
    same_as_cli(keyword, reference)
    assert [(o["key"], o["size"]) for o in map(json.loads, in_argv.stdout)] == [
        (f"s3://{bucket}/k1", 1),
        (f"s3://{bucket}/k2", 2),
    ]


def test_dry_run_and_numworkers_reach_the_command(
    cli: Shim, moto: MotoServer, bucket: str, tmp_path: Path
) -> None:
    write_tree(tmp_path / "d", TREE)
    result = s3env.shim.run(
        ["--numworkers", "2", "cp", f"{tmp_path}/d/", f"s3://{bucket}/"], dry_run=True, profile="shim"
    )
    assert result.status == 0 and len(result.stdout) == len(TREE)
    assert objects(moto, bucket) == {}  # a dry run changes nothing


def test_usage_as_the_cli(cli: Shim, bucket: str) -> None:
    # A bad flag of a command: s5cmd's usage text on stdout, status 1, as the CLI prints it.
    bad_flag = s3env.shim.run(["ls", "--no-such-flag", f"s3://{bucket}"], profile="shim")
    same_as_cli(bad_flag, cli("boto3", "ls", "--no-such-flag", f"s3://{bucket}"))
    assert bad_flag.status == 1 and bad_flag.stdout[0].startswith("Incorrect Usage:")
    # What s3env refuses before any command runs (the CLI's one error line, exit 2) raises.
    for argv in (["frobnicate"], [], ["--json"], ["ls", "--json"], ["--backend", "s5cmd", "ls"]):
        with pytest.raises(UsageError):
            s3env.shim.run(argv, profile="shim")
    with pytest.raises(UsageError):
        s3env.shim.run(["--json", "ls"], profile="shim", json=True)  # given twice
    with pytest.raises(UsageError):
        s3env.shim.run(["-p", "shim", "ls"], profile="shim")
    with pytest.raises(UsageError):
        s3env.shim.run("ls", profile="shim")  # type: ignore[arg-type]
    for bad in ({"numworkers": 0}, {"numworkers": True}, {"retry_count": -1}, {"retry_count": 1.5}):
        with pytest.raises(UsageError):
            s3env.shim.run(["ls"], profile="shim", **bad)  # type: ignore[arg-type]
    with pytest.raises(UsageError):  # 0 is a value: given twice
        s3env.shim.run(["--retry-count", "1", "ls"], profile="shim", retry_count=0)
    assert s3env.shim.run(["--backend", "boto3", "ls", f"s3://{bucket}"], profile="shim").status == 0


# ---- which profile ------------------------------------------------------------------------------


@pytest.fixture
def two_servers(sandbox: Sandbox, moto_pair: tuple[MotoServer, MotoServer]) -> Callable[[], str | None]:
    """Profiles "one" and "two" on two servers, a bucket only on two's; the answer: which
    profile a listing of that bucket ran on (None when the listing failed)."""
    bucket = unique_bucket("two")
    s3_client(moto_pair[1]).create_bucket(Bucket=bucket)
    s3_client(moto_pair[1]).put_object(Bucket=bucket, Key="here", Body=b"x")
    make_shim(sandbox, moto_pair[0], "one")
    make_shim(sandbox, moto_pair[1], "two")

    def which(**kwargs: object) -> str | None:
        result = s3env.shim.run(["ls", f"s3://{bucket}"], **kwargs)  # type: ignore[arg-type]
        return "two" if result.status == 0 else None

    return which


def test_profile_by_name_and_by_object(two_servers: Callable[..., str | None]) -> None:
    assert two_servers(profile="two") == "two"
    assert two_servers(profile="one") is None
    assert two_servers(profile=s3env.open_store().get("two", secrets=True)) == "two"
    assert two_servers(profile=s3env.open_store().get("one", secrets=True)) is None
    with pytest.raises(ProfileNotFound):
        two_servers(profile="three")


def test_profile_precedence_flag_pinned_directory_global(
    two_servers: Callable[..., str | None], sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(NoActiveProfile):
        two_servers()
    store = s3env.open_store()
    store.set_setting("active", "two")
    assert two_servers() == "two"  # global
    project = sandbox.root / "project"
    project.mkdir()
    (project / ".s3env").write_text("one\n")
    monkeypatch.chdir(project)
    monkeypatch.setenv("PWD", str(project))
    assert two_servers() is None  # the directory's "one" beats the global "two"
    monkeypatch.setenv("S3ENV_PINNED", "two")
    assert two_servers() == "two"  # the pin beats the directory
    monkeypatch.setenv("S3ENV_PINNED", "one")
    assert two_servers() is None
    assert two_servers(profile="two") == "two"  # the flag beats the pin


# ---- no process ---------------------------------------------------------------------------------

CHILD = """
import json, os, sys
events = []
WATCHED = ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "os.fork", "os.forkpty")
sys.addaudithook(lambda event, args: events.append(event) if event in WATCHED else None)
import s3env
statuses = []
for argv in json.loads(sys.argv[1]):
    result = s3env.shim.run(argv, profile="shim")
    statuses.append(result.status)
seen_during_run = list(events)
import subprocess
subprocess.run(["true"])  # the hook sees a process when there is one
print(json.dumps({"statuses": statuses, "during": seen_during_run, "control": events[len(seen_during_run):]}))
"""


def test_no_process_is_started(cli: Shim, bucket: str, sandbox: Sandbox, tmp_path: Path) -> None:
    write_tree(tmp_path / "d", TREE)
    commands = [
        ["cp", f"{tmp_path}/d/", f"s3://{bucket}/d/"],
        ["ls", f"s3://{bucket}/d/*"],
        ["cp", f"s3://{bucket}/d/*", f"{tmp_path}/back/"],
        ["rm", f"s3://{bucket}/d/*"],
    ]
    # S3ENV_BACKEND=s5cmd (s5cmd is installed here) does not send run() to the binary.
    env = {**sandbox.env, "S3ENV_BACKEND": "s5cmd", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(commands)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout)
    assert report["statuses"] == [0, 0, 0, 0]
    assert report["during"] == []
    assert "subprocess.Popen" in report["control"]
    assert read_tree(tmp_path / "back") == TREE


def test_import_s3env_then_shim_loads_no_botocore_until_a_command_runs() -> None:
    code = (
        "import sys, s3env; s3env.shim.run; s3env.shim.ShimResult; "
        "print(sorted(m for m in ('botocore', 'boto3', 's3env.shim.boto3.context') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
    assert "shim" in dir(s3env) and "run" in dir(s3env.shim)
    assert os.path.basename(s3env.shim.__file__) == "__init__.py"


def test_the_callers_garbage_collector_is_left_as_it_was(cli: Shim, bucket: str) -> None:
    """The client is made with the cyclic collector paused (context.py); a library caller's
    collector is on again afterwards, nothing of its program frozen, and off if it was off."""
    import gc

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    assert s3env.shim.run(["ls", f"s3://{bucket}"], profile="shim").status == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    gc.disable()
    try:
        assert s3env.shim.run(["ls", f"s3://{bucket}"], profile="shim").status == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
