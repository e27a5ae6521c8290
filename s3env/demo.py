"""``make demo``: s3env's main job on a local moto S3 server, in a throwaway HOME.

Nothing here reads or writes the user's real ``~/.aws`` or s3env store: HOME, XDG_* ,
S3ENV_HOME and the AWS file variables all point into a temporary sandbox that is deleted
at the end (``--keep`` keeps it for a look).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from s3env.devserver import MotoServer, start_moto_server

BIN = Path(sys.executable).parent
S3ENV = str(BIN / "s3env") if (BIN / "s3env").exists() else "s3env"


def sandbox_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3ENV_", "S3_", "XDG_"))}
    home = root / "home"
    (home / ".aws").mkdir(parents=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        S3ENV_HOME=str(home / ".config/s3env"),
        AWS_CONFIG_FILE=str(home / ".aws/config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws/credentials"),
        S3ENV_SECRETS="file",  # the demo must not write into the user's real keyring
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def step(title: str) -> None:
    print(f"\n== {title}")


def sh(env: dict[str, str], *args: str, stdin: str | None = None, shown_stdin: str | None = None) -> str:
    shown = shlex.join(["s3env", *args])
    if stdin is not None:
        shown = f"{shown_stdin or 'printf ...'} | {shown}"
    print(f"$ {shown}")
    result = subprocess.run([S3ENV, *args], input=stdin or "", env=env, capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"demo step failed with exit status {result.returncode}")
    return result.stdout


def run_demo(root: Path, server: MotoServer) -> None:
    env = sandbox_env(root)
    print(f"sandbox HOME: {env['HOME']}")
    print(f"local S3 endpoint (moto): {server.url}")

    step("Add two profiles: a local S3-compatible store and an AWS account")
    sh(
        env,
        "profile",
        "add",
        "local",
        "--provider",
        "minio",
        "--endpoint-url",
        server.url,
        "--region",
        "us-east-1",
        "--access-key-id",
        "demo-access-key",
        "--secret-stdin",
        stdin="demo-secret-key-0123456789\n",
        shown_stdin="printf '%s\\n' \"$SECRET\"",
    )
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
    sh(env, "profile", "show", "local")
    print(f"$ cat {env['S3ENV_HOME']}/profiles.toml")
    sys.stdout.write(Path(env["S3ENV_HOME"], "profiles.toml").read_text())

    step("Use the profile from Python: the library does what the CLI does")
    code = (
        "import boto3, s3env\n"
        "p = s3env.open_store().get('local', secrets=True)\n"
        "s3 = boto3.client('s3', endpoint_url=p.endpoint_url, region_name=p.region,\n"
        "                  aws_access_key_id=p.access_key_id, aws_secret_access_key=p.secret_access_key)\n"
        "s3.create_bucket(Bucket='demo-bucket')\n"
        "s3.put_object(Bucket='demo-bucket', Key='hello.txt', Body=b'hello from s3env')\n"
        "print([b['Name'] for b in s3.list_buckets()['Buckets']])\n"
    )
    print("$ python -c '" + code.replace("\n", "; ").rstrip("; ") + "'")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        raise SystemExit(result.stderr)

    step("Bad input gets one clear line and changes nothing")
    for args in (["profile", "add", "bad name"], ["profile", "show", "locl"]):
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
    server = start_moto_server(root)
    try:
        run_demo(root, server)
    finally:
        server.stop()
        print(f"\nstopped the local S3 server; sandbox {'kept at ' + str(root) if args.keep else 'removed'}")
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
