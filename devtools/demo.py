"""``make demo``: s3env's main job on a local moto S3 server, in a throwaway HOME.

Nothing here reads or writes the user's real ``~/.aws`` or s3env store, and nothing of the
user's environment counts (an ``OSS_ENDPOINT``, ``AWS_PROFILE`` or proxy of theirs): the
environment is ``devtools.sandbox.sandbox_env``, every location inside a temporary sandbox
that is deleted at the end (``--keep`` keeps it for a look).
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from devtools.devserver import MotoServer, start_moto_server
from devtools.sandbox import sandbox_env

BIN = Path(sys.executable).parent
S3ENV = str(BIN / "s3env") if (BIN / "s3env").exists() else "s3env"


def step(title: str) -> None:
    print(f"\n== {title}")


def sh(
    env: dict[str, str],
    *args: str,
    stdin: str | None = None,
    shown_stdin: str | None = None,
    allow_failure: bool = False,
) -> str:
    shown = shlex.join(["s3env", *args])
    if stdin is not None:
        shown = f"{shown_stdin or 'printf ...'} | {shown}"
    print(f"$ {shown}")
    result = subprocess.run([S3ENV, *args], input=stdin or "", env=env, capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0 and not allow_failure:
        raise SystemExit(f"demo step failed with exit status {result.returncode}")
    return result.stdout


def tool(env: dict[str, str], shown: str, argv: list[str]) -> None:
    """Run a real third-party tool (awscli, s5cmd, megfile) and show its output."""
    print(f"$ {shown}")
    result = subprocess.run(argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.stdout.write(result.stderr)
        raise SystemExit(f"demo step failed: {shown}")


def add_profile(env: dict[str, str], name: str, url: str) -> None:
    sh(
        env,
        *("profile", "add", name, "--provider", "minio", "--endpoint-url", url),
        *("--region", "us-east-1", "--access-key-id", f"{name}-key", "--secret-stdin"),
        stdin=f"{name}-secret-0123456789\n",
        shown_stdin="printf '%s\\n' \"$SECRET\"",
    )


def show_every_tool(env: dict[str, str], bucket: str) -> None:
    tool(env, "aws s3 ls", [str(BIN / "aws"), "s3", "ls"])
    code = "import boto3; print([b['Name'] for b in boto3.client('s3').list_buckets()['Buckets']])"
    tool(env, f'python -c "{code}"', [sys.executable, "-c", code])
    env_sh = f"{env['S3ENV_HOME']}/env/active.sh"
    tool(env, f". {env_sh}; s5cmd ls", ["sh", "-c", f'. "{env_sh}" && "{BIN / "s5cmd"}" ls'])
    tool(env, f"megfile ls s3://{bucket}/", [str(BIN / "megfile"), "ls", f"s3://{bucket}/"])


def run_demo(root: Path, server_a: MotoServer, server_b: MotoServer) -> None:
    env = sandbox_env(root)
    print(f"sandbox HOME: {env['HOME']}")
    print(f"local S3 servers (moto): A at {server_a.url}, B at {server_b.url}")

    step("Add profiles: two local S3-compatible stores and an AWS account")
    add_profile(env, "lab_a", server_a.url)
    add_profile(env, "lab_b", server_b.url)
    env_with_keys = dict(
        env, AWS_ACCESS_KEY_ID="AKIDEXAMPLEPROD", AWS_SECRET_ACCESS_KEY="prod-secret-abcdefgh"
    )
    print(
        "$ AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… "
        "s3env profile add aws-prod --region eu-west-1 --from-env"
    )
    result = subprocess.run(
        [S3ENV, "profile", "add", "aws-prod", "--region", "eu-west-1", "--from-env"],
        env=env_with_keys,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        raise SystemExit(result.stderr)

    step("Show them (secrets are masked; they live in a 0600 file, not in profiles.toml)")
    sh(env, "profile", "list")
    sh(env, "profile", "show", "lab_a")

    step("The library does what the CLI does: make one bucket on each server from Python")
    code = (
        "import boto3, s3env\n"
        "for name, bucket in [('lab_a', 'bucket-on-a'), ('lab_b', 'bucket-on-b')]:\n"
        "    p = s3env.open_store().get(name, secrets=True)\n"
        "    s3 = boto3.client('s3', endpoint_url=p.endpoint_url, region_name=p.region,\n"
        "                      aws_access_key_id=p.access_key_id,\n"
        "                      aws_secret_access_key=p.secret_access_key)\n"
        "    s3.create_bucket(Bucket=bucket)\n"
        "    s3.put_object(Bucket=bucket, Key='hello.txt', Body=b'hello from ' + name.encode())\n"
    )
    print("$ python <<'EOF'\n" + code + "EOF")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(result.stderr)

    step("s3env use lab_a: awscli, boto3, s5cmd and megfile all reach server A")
    sh(env, "use", "lab_a")
    show_every_tool(env, "bucket-on-a")

    step("s3env use lab_b: one switch, every tool follows to server B")
    sh(env, "use", "lab_b")
    show_every_tool(env, "bucket-on-b")
    tool(
        env,
        "megfile cat lab_a://bucket-on-a/hello.txt   (an alias per profile)",
        [str(BIN / "megfile"), "cat", "lab_a://bucket-on-a/hello.txt"],
    )
    print()

    step("The shim: s5cmd's commands on the active profile, through s5cmd or boto3, same output")
    data = root / "data"
    (data / "sub").mkdir(parents=True)
    (data / "a.txt").write_text("alpha\n")
    (data / "sub" / "b.txt").write_text("bravo\n")
    for backend in ("s5cmd", "boto3"):
        sh(env, "--backend", backend, "cp", str(data) + "/", f"s3://bucket-on-b/{backend}/")
        sh(env, "--backend", backend, "ls", f"s3://bucket-on-b/{backend}/*")
    sh(env, "--backend", "boto3", "du", "-H", "s3://bucket-on-b/*")
    sh(env, "--backend", "boto3", "cat", "s3://bucket-on-b/hello.txt")
    print()

    step("s3env doctor: what each tool would use right now, and why")
    print("(a shell without the hook: s5cmd would go to AWS, and doctor says how to fix it)")
    sh(env, "doctor", allow_failure=True)
    import json

    exported = json.loads(
        subprocess.run(
            [S3ENV, "env", "--shell", "json"], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    switched = {k: v for k, v in env.items() if k not in exported}
    switched.update({k: v for k, v in exported.items() if v is not None})
    print('\n(after eval "$(s3env env)", or with the shell hook installed)')
    sh(switched, "doctor")

    step("What s3env wrote into ~/.aws/config (your own sections would stay as they are)")
    sys.stdout.write(Path(env["AWS_CONFIG_FILE"]).read_text())
    sh(env, "write", "--check")

    step("Bad input gets one clear line and changes nothing")
    for args in (["profile", "add", "bad name"], ["profile", "show", "lab-a"], ["use", "nope"]):
        print(f"$ {shlex.join(['s3env', *args])}")
        result = subprocess.run(
            [S3ENV, *args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        sys.stdout.write(result.stderr)
        print(f"(exit status {result.returncode})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the sandbox directory")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="s3env-demo-"))
    servers = [start_moto_server(root), start_moto_server(root)]
    try:
        run_demo(root, *servers)
    finally:
        for server in servers:
            server.stop()
        print(f"\nstopped the local S3 servers; sandbox {'kept at ' + str(root) if args.keep else 'removed'}")
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
