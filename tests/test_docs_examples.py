"""The Python examples in README.md and docs/ run as written, in a sandbox HOME, against a real server.

Each ```python block is taken from the file at test time (so an edited example is the one tested),
run in its own interpreter, and followed by checks of what the example claims in its comments.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import S3ENV, MotoServer, Sandbox, make_shim, s3_client, unique_bucket

ROOT = Path(__file__).resolve().parent.parent
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def python_blocks(doc: str) -> list[str]:
    return PYTHON_BLOCK.findall((ROOT / doc).read_text(encoding="utf-8"))


def run_example(sandbox: Sandbox, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=sandbox.env,
        cwd=sandbox.root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_python_example_in_the_docs_is_covered() -> None:
    docs = ["README.md", *(str(p.relative_to(ROOT)) for p in sorted((ROOT / "docs").glob("*.md")))]
    with_examples = {doc: len(python_blocks(doc)) for doc in docs if python_blocks(doc)}
    # A new example needs a test below; this fails until it has one.
    assert with_examples == {"README.md": 1, "docs/shells.md": 1, "docs/shim.md": 1}


def test_readme_example(sandbox: Sandbox) -> None:
    (example,) = python_blocks("README.md")
    checks = textwrap.dedent(
        """
        import os
        import boto3
        from megfile.s3_path import get_endpoint_url
        assert os.environ["AWS_PROFILE"] == "lab"
        assert os.environ["AWS_ENDPOINT_URL_S3"] == os.environ["S3_ENDPOINT_URL"] == "http://127.0.0.1:9000"
        assert "AWS_SECRET_ACCESS_KEY" not in os.environ
        # "boto3 and megfile in this process follow": through AWS_PROFILE and the files use() wrote.
        plain = boto3.client("s3")
        assert plain.meta.endpoint_url == "http://127.0.0.1:9000"
        creds = plain._request_signer._credentials
        assert (creds.access_key, creds.secret_key) == ("AK", "SK")
        assert get_endpoint_url() == "http://127.0.0.1:9000"
        assert s3.meta.endpoint_url == "http://127.0.0.1:9000"
        assert s3.meta.region_name == "us-east-1"
        assert s3.meta.config.s3["addressing_style"] == "path"
        creds = s3._request_signer._credentials
        assert (creds.access_key, creds.secret_key) == ("AK", "SK")
        print("checked")
        """
    )
    result = run_example(sandbox, example + checks)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no ProfileNotWritten: the example writes the files first
    assert result.stdout == "http://127.0.0.1:9000\nchecked\n"
    # What the example added is in the store, for the CLI too.
    listed = subprocess.run(
        [S3ENV, "profile", "list"],
        env=sandbox.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0 and "lab" in listed.stdout, listed
    active = subprocess.run([S3ENV, "use"], env=sandbox.env, capture_output=True, text=True, timeout=60)
    assert active.stdout == "lab\n", active


def test_shells_md_example_reaches_the_profile_server(sandbox: Sandbox, moto: MotoServer) -> None:
    make_shim(sandbox, moto, profile="minio")
    bucket = unique_bucket("docs")
    s3_client(moto).create_bucket(Bucket=bucket)
    (example,) = python_blocks("docs/shells.md")
    # The example's own calls run first; the checks then repeat them and look at what they gave.
    checks = textwrap.dedent(
        f"""
        import os
        assert "AWS_ENDPOINT_URL" not in os.environ and "AWS_ACCESS_KEY_ID" not in os.environ
        # Stale variables of another store do not leak into client() or session().
        os.environ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1"
        os.environ["AWS_PROFILE"] = "nowhere"
        names = [b["Name"] for b in s3env.client("minio").list_buckets()["Buckets"]]
        assert {bucket!r} in names, names
        assert session.region_name == "us-east-1"
        assert session.get_credentials().secret_key == "test"
        del os.environ["AWS_ENDPOINT_URL"], os.environ["AWS_PROFILE"]
        s3env.activate("minio", with_keys=True)
        assert os.environ["AWS_ENDPOINT_URL"] == {moto.url!r}
        assert os.environ["AWS_SECRET_ACCESS_KEY"] == "test"
        print("checked")
        """
    )
    result = run_example(sandbox, example + checks)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "checked\n"


def test_shim_md_example_runs_the_commands_in_process(sandbox: Sandbox, moto: MotoServer) -> None:
    make_shim(sandbox, moto, profile="lab")
    bucket = unique_bucket("docs")
    s3_client(moto).create_bucket(Bucket=bucket)
    (sandbox.root / "data").mkdir()
    (sandbox.root / "data" / "a.csv").write_text("x,y\n1,2\n")
    (sandbox.root / "data" / "b.csv").write_text("x\n")
    (example,) = python_blocks("docs/shim.md")
    checks = textwrap.dedent(
        f"""
        assert sizes == {{"s3://{bucket}/data/a.csv": 8, "s3://{bucket}/data/b.csv": 2}}, sizes
        assert missing.check is not None and not missing
        print("checked")
        """
    )
    result = run_example(sandbox, example.replace("s3://bucket/", f"s3://{bucket}/") + checks)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    printed = result.stdout.splitlines()
    assert printed[0] == (
        f"0 ['cp data/a.csv s3://{bucket}/data/a.csv', 'cp data/b.csv s3://{bucket}/data/b.csv']"
    )
    missing = f"s3://{bucket}/data/missing.csv"
    assert printed[1] == f'1 ERROR "cat {missing}": given object {missing} not found'

    assert printed[2:] == ["checked"]
