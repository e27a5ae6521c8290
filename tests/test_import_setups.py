"""`s3env import aws` then `s3env use` on the ~/.aws people really have (tests/data/aws_setups):
nothing is lost.

For every setup: import, then for each adopted profile P: `use P`, `use` another profile,
`use P` again.  After every step, the real awscli (`aws configure get KEY --profile P`) returns
the original value of every key each profile had, boto3 resolves the same credential provider
(sso, assume-role, process …) as before, and every section s3env did not take over is byte for
byte as it was.  Profiles s3env cannot carry are listed with the reason and left alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from s3env.integrations.writers import ini_edit
from tests.conftest import RunS3env, Sandbox

SETUPS = Path(__file__).parent / "data" / "aws_setups"
NAMES = sorted(p.name for p in SETUPS.iterdir() if p.is_dir())

# Runs in a child with the sandbox's environment: the real awscli's `configure get` (its CLI
# driver, in process, a fresh one per question so the files are read anew) for every key, and
# the credential provider boto3's chain settles on.  No provider here reaches the network: SSO and
# assume-role credentials are deferred until first used, and instance metadata is switched off.
PROBE = r"""
import contextlib, io, json, sys
import botocore.session
from awscli.clidriver import create_clidriver

out = {}
for profile, keys in json.loads(sys.argv[1]).items():
    values = {}
    for key in keys:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
            rc = create_clidriver().main(["configure", "get", key, "--profile", profile])
        values[key] = buf.getvalue()[:-1] if rc == 0 else None
    try:
        creds = botocore.session.Session(profile=profile).get_credentials()
        method = creds.method if creds is not None else None
    except Exception as exc:
        method = "error: " + type(exc).__name__
    out[profile] = {"keys": values, "method": method}
print(json.dumps(out))
"""

FAKE_CREDS = """#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "AKFAKEPROCESS", "SecretAccessKey": "fake-process-secret"}\\n'
"""


def _install(sandbox: Sandbox, name: str) -> None:
    fake = sandbox.root / "fake-creds"
    fake.write_text(FAKE_CREDS)
    fake.chmod(0o755)
    for kind, target in (("config", sandbox.aws_config), ("credentials", sandbox.aws_credentials)):
        source = SETUPS / name / kind
        if source.exists():
            target.write_bytes(source.read_bytes().replace(b"@FAKE_CREDS@", str(fake).encode()))


def _keys_of(sandbox: Sandbox) -> dict[str, list[str]]:
    """Every key of every profile as botocore reads the files (nested keys as block.key)."""
    from botocore.configloader import build_profile_map, raw_config_parse

    keys: dict[str, list[str]] = {}
    for path, kind in ((sandbox.aws_config, "config"), (sandbox.aws_credentials, "credentials")):
        if not path.exists():
            continue
        parsed = raw_config_parse(str(path))
        profiles = build_profile_map(parsed)["profiles"] if kind == "config" else parsed
        for name, values in profiles.items():
            for key, value in values.items():
                names = [f"{key}.{sub}" for sub in value] if isinstance(value, dict) else [key]
                keys.setdefault(name, [])
                keys[name] += [k for k in names if k not in keys[name]]
    return keys


def _probe(sandbox: Sandbox, keys: dict[str, list[str]]) -> dict[str, dict]:
    env = dict(sandbox.env, AWS_EC2_METADATA_DISABLED="true")
    env.pop("AWS_PROFILE", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(keys)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=sandbox.root,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _sections(path: Path, kind: str) -> dict[str, str]:
    if not path.exists():
        return {}
    text = path.read_bytes().decode()
    doc = ini_edit.parse(text)
    return {s.header: text[s.start : s.end] for s in doc.sections}


def _expected_skips(name: str) -> dict[str, str]:
    path = SETUPS / name / "expect.txt"
    if not path.exists():
        return {}
    return dict(line.split(": ", 1) for line in path.read_text().splitlines() if line)


def test_there_are_enough_setups() -> None:
    assert len(NAMES) >= 15


@pytest.mark.parametrize("name", NAMES)
def test_import_then_switching_keeps_every_key(name: str, run_s3env: RunS3env, sandbox: Sandbox) -> None:
    _install(sandbox, name)
    keys = _keys_of(sandbox)
    before = _probe(sandbox, keys)
    for profile, seen in before.items():  # the probe itself sees what the files say
        assert any(v is not None for v in seen["keys"].values()), profile
    config_before = _sections(sandbox.aws_config, "config")
    creds_before = _sections(sandbox.aws_credentials, "credentials")

    imported = run_s3env("import", "aws")
    assert imported.returncode == 0, imported.stderr
    skips = _expected_skips(name)
    for profile, words in skips.items():
        line = next((ln for ln in imported.stdout.splitlines() if ln.startswith(f"skipped {profile} ")), "")
        assert line, (profile, imported.stdout)
        assert all(word in line for word in words.replace(",", "").split() if len(word) > 3), line
    assert imported.stdout.count("skipped ") == len(skips), imported.stdout
    state = json.loads((sandbox.store / "managed.json").read_text())["files"]
    adopted = {entry["profile"] for sections in state.values() for entry in sections.values()}
    assert adopted, imported.stdout
    assert adopted <= set(keys)

    # Switch between every adopted profile and one other profile (or aws-default), then back.
    order = sorted(adopted)
    others = [p for p in order[1:] + order[:1]]
    if len(order) == 1:
        listed = json.loads(run_s3env("profile", "list", "--json").stdout)
        others = [next((p["name"] for p in listed if p["name"] != order[0]), order[0])]
    for profile, other in zip(order, others, strict=True):
        for step in (profile, other, profile):
            switched = run_s3env("use", step)
            assert switched.returncode == 0, switched.stderr
            after = _probe(sandbox, keys)
            for checked, seen in before.items():
                assert after[checked]["keys"] == seen["keys"], (name, step, checked)
                assert after[checked]["method"] == seen["method"], (name, step, checked)

    # Sections s3env did not take over are byte for byte as they were.
    owned = {(Path(path).name, header) for path, sections in state.items() for header in sections}
    config_after = _sections(sandbox.aws_config, "config")
    creds_after = _sections(sandbox.aws_credentials, "credentials")
    for (header, text), label, after in (
        *((item, "config", config_after) for item in config_before.items()),
        *((item, "credentials", creds_after) for item in creds_before.items()),
    ):
        if (label, header) not in owned:
            assert after.get(header) == text, (name, header)
    assert "x_security_token_expires" not in json.dumps(state)  # nothing of a skipped profile


def test_the_issue_reproduction_round_trips(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    """Issue 13's own example: the SSO and role sections come back byte for byte."""
    from botocore.configloader import raw_config_parse

    _install(sandbox, "01-sso-session-role")
    original = sandbox.aws_config.read_text()
    assert run_s3env("import", "aws").returncode == 0
    for step in ("work-admin", "deploy", "work-admin"):
        assert run_s3env("use", step).returncode == 0
    text = sandbox.aws_config.read_text()
    assert text.startswith(original)  # every original byte, in place; s3env only appended [default]
    assert _keys_of(sandbox)["default"] and raw_config_parse(str(sandbox.aws_config))["default"] == {
        "region": "eu-central-1",
        "output": "json",
        "sso_account_id": "111122223333",
        "sso_role_name": "AdministratorAccess",
        "sso_session": "corp",
    }


def test_reimport_is_a_no_op_and_s3env_sections_are_never_imported(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    _install(sandbox, "09-minio-static")
    assert run_s3env("import", "aws").returncode == 0
    assert run_s3env("use", "minio").returncode == 0  # adds [services s3env-minio] and [default]
    store = sandbox.profiles_file.read_bytes()
    again = run_s3env("import", "aws")
    assert again.returncode == 0 and "Nothing to import" in again.stdout
    prefixed = run_s3env("import", "aws", "--prefix", "copy-")
    assert prefixed.returncode == 0, prefixed.stderr
    assert "copy-" not in sandbox.profiles_file.read_text()  # s3env's own sections are not candidates
    assert sandbox.profiles_file.read_bytes() == store
