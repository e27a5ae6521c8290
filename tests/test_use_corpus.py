"""`s3env use` over the corpus of ugly real-world AWS files, end to end through the CLI.

For every file botocore accepts: after `use`, botocore reads every section s3env does not own
exactly as before; after the profiles are removed again, the file is byte for byte what it
was (plus, at most, the line ending s3env had to add to a last line that had none).  For
every file botocore refuses: `use` fails with one line naming the file and line, and changes
nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from botocore.configloader import raw_config_parse

from tests.conftest import RunS3env, Sandbox
from tests.test_ini_edit import REFUSED

CORPUS = Path(__file__).parent / "data" / "aws_corpus"
ACCEPTED = sorted(
    p.name for p in CORPUS.iterdir() if p.suffix in (".config", ".credentials") and p.name not in REFUSED
)
MANAGED_CONFIG = {"profile corpusnew", "services s3env-corpusnew", "profile corpusaws", "default"}
MANAGED_CREDENTIALS = {"corpusnew", "corpusaws", "default"}


def install(sandbox: Sandbox, name: str) -> tuple[Path, bytes]:
    target = sandbox.aws_config if name.endswith(".config") else sandbox.aws_credentials
    shutil.copyfile(CORPUS / name, target)
    return target, (CORPUS / name).read_bytes()


def add_profiles(run_s3env: RunS3env) -> None:
    for args in (
        (
            "corpusnew",
            "--endpoint-url",
            "http://127.0.0.1:9000",
            "--region",
            "us-east-1",
            "--addressing-style",
            "path",
        ),
        ("corpusaws", "--region", "eu-west-1"),
    ):
        result = run_s3env(
            "profile",
            "add",
            *args[:1],
            "--access-key-id",
            "AKCORPUS",
            "--secret-stdin",
            *args[1:],
            input="corpus-secret-value\n",
        )
        assert result.returncode == 0, result.stderr


def unmanaged(path: Path, managed: set[str]) -> dict[str, object]:
    return {k: v for k, v in raw_config_parse(str(path)).items() if k not in managed}


@pytest.mark.parametrize("name", ACCEPTED)
def test_use_keeps_every_unmanaged_byte(run_s3env: RunS3env, sandbox: Sandbox, name: str) -> None:
    path, original = install(sandbox, name)
    managed = MANAGED_CONFIG if name.endswith(".config") else MANAGED_CREDENTIALS
    before = unmanaged(path, managed)
    add_profiles(run_s3env)

    for active in ("corpusnew", "corpusaws"):
        result = run_s3env("use", active)
        assert result.returncode == 0, result.stderr
        assert unmanaged(path, managed) == before
        config = raw_config_parse(str(sandbox.aws_config))
        assert config["profile corpusnew"]["s3"]["endpoint_url"] == "http://127.0.0.1:9000"
        assert config["services s3env-corpusnew"]["s3"]["endpoint_url"] == "http://127.0.0.1:9000"
        assert raw_config_parse(str(sandbox.aws_credentials))["corpusnew"]["aws_secret_access_key"] == (
            "corpus-secret-value"
        )
        assert run_s3env("write", "--check").returncode == 0

    for profile in ("corpusnew", "corpusaws"):
        assert run_s3env("profile", "rm", profile, "--yes").returncode == 0
    after = path.read_bytes()
    if after != original:
        # Only allowed difference: the newline s3env had to add after a last line without one.
        assert not original.endswith((b"\n", b"\r")) and after[: len(original)] == original
        assert after[len(original) :] in (b"\n", b"\r\n", b"\r")
    assert unmanaged(path, managed) == before


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_use_refuses_files_botocore_cannot_read(run_s3env: RunS3env, sandbox: Sandbox, name: str) -> None:
    path, original = install(sandbox, name)
    add_profiles(run_s3env)
    result = run_s3env("use", "corpusnew")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{path}:{REFUSED[name]}:" in lines[0], lines
    assert path.read_bytes() == original
    other = sandbox.aws_credentials if path == sandbox.aws_config else sandbox.aws_config
    assert not other.exists()  # nothing at all was written
    assert run_s3env("use").returncode == 1  # and the switch did not happen
