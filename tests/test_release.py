"""`s3env release` and `use --take-default`: the tools' files given back byte for byte, the
user's own [default] kept as profile aws-default and resolved by real botocore exactly as before.

The corpus runs in-process through the Python API (the same code path as the CLI, much faster
than a process per step); the CLI itself and botocore's resolution run as real processes."""

from __future__ import annotations

import functools
import json
import os
import shutil
import warnings
from pathlib import Path

import pytest

import s3env
from s3env.core.errors import ImportRefused
from s3env.core.model import Profile
from s3env.store.profiles import ProfileStore
from tests.conftest import RunS3env, Sandbox
from tests.test_ini_edit import REFUSED

CORPUS = Path(__file__).parent / "data" / "aws_corpus"
SETUPS = Path(__file__).parent / "data" / "aws_setups"
ACCEPTED = sorted(
    p.name for p in CORPUS.iterdir() if p.suffix in (".config", ".credentials") and p.name not in REFUSED
)


@functools.cache
def _loader():  # -> botocore.loaders.Loader
    import botocore.loaders

    return botocore.loaders.create_loader()


def resolve(sandbox: Sandbox, profile: str | None = None) -> dict[str, object]:
    """botocore's own resolution of the profile a tool gets without AWS_PROFILE (or of
    ``profile``): region, S3 endpoint, and where the credentials come from (the keys, when
    static).  In this process: the sandbox fixture pins its environment, and a new botocore
    session reads the files afresh."""
    import botocore.session

    assert os.environ["AWS_CONFIG_FILE"] == str(sandbox.aws_config)
    session = botocore.session.Session(profile=profile)
    session.register_component("data_loader", _loader())  # service models read once per worker
    out: dict[str, object] = {"region": session.get_config_variable("region")}
    try:
        client = session.create_client("s3", region_name=str(out["region"] or "us-east-1"))
        out["endpoint"] = client.meta.endpoint_url
    except Exception as exc:
        out["endpoint"] = type(exc).__name__
    try:
        creds = session.get_credentials()
    except Exception as exc:
        creds, out["credentials"] = None, type(exc).__name__
    if creds is not None:
        out["credentials"] = creds.method
        if creds.method in ("shared-credentials-file", "config-file"):
            out["keys"] = [creds.access_key, creds.secret_key, creds.token]
    return out


def files(sandbox: Sandbox) -> dict[str, bytes | None]:
    megfile = sandbox.home / ".config" / "megfile" / "megfile.conf"
    return {
        str(p): (p.read_bytes() if p.exists() else None)
        for p in (sandbox.aws_config, sandbox.aws_credentials, megfile)
    }


def add_profiles() -> None:
    store = ProfileStore()
    store.add(
        Profile(
            "corpusnew",
            endpoint_url="http://127.0.0.1:9000",
            region="us-east-1",
            addressing_style="path",
            access_key_id="AKCORPUS",
            secret_access_key="corpus-secret-value",
        )
    )
    store.add(
        Profile(
            "corpusaws", region="eu-west-1", access_key_id="AKCORPUS2", secret_access_key="corpus-secret-2"
        )
    )
    # A profile whose keys go through credential_process: its line goes with release too.
    store.add(
        Profile(
            "corpusproc",
            endpoint_url="http://127.0.0.1:9001",
            access_key_id="AKPROC",
            secret_access_key="proc-secret",
            credentials="process",
        )
    )


@pytest.mark.parametrize("name", ACCEPTED)
def test_release_gives_every_corpus_file_back_byte_for_byte(sandbox: Sandbox, name: str) -> None:
    target = sandbox.aws_config if name.endswith(".config") else sandbox.aws_credentials
    shutil.copyfile(CORPUS / name, target)
    original, mine = files(sandbox), resolve(sandbox)
    add_profiles()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s3env.use("corpusnew")
        s3env.use("corpusproc")
        used = files(sandbox)
        try:
            kept = s3env.use("corpusaws", take_default=True).kept_default
        except ImportRefused:  # a [default] s3env cannot give back exactly: refused, nothing changed
            assert files(sandbox) == used
            kept = None
        if kept is not None:  # botocore resolves aws-default as it resolved your [default]
            assert resolve(sandbox) != mine
            s3env.use("aws-default")
            assert resolve(sandbox) == mine
        s3env.use("corpusaws")
    used = files(sandbox)
    assert used != original
    assert list((sandbox.store / "env" / "profiles").glob("*.sh"))
    planned = s3env.release(dry_run=True)
    assert planned.lines and files(sandbox) == used  # the dry run changed nothing
    done = s3env.release()
    assert done.lines == planned.lines
    assert files(sandbox) == original
    assert not list((sandbox.store / "env").glob("active.*"))
    assert not list((sandbox.store / "env" / "profiles").glob("*.*"))  # the hooks' per-profile files
    assert ProfileStore().active_name() is None
    # A later use works again, and a second release gives the same bytes back again.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s3env.use("corpusnew")
    s3env.release()
    assert files(sandbox) == original


def test_a_refused_take_default_changes_nothing(sandbox: Sandbox) -> None:
    # botocore reads [default] and [profile default] as one: s3env could not give it back exactly.
    sandbox.aws_config.write_text("[default]\nregion = eu-west-1\n\n[profile default]\noutput = json\n")
    add_profiles()
    before = files(sandbox)
    store_before = sandbox.profiles_file.read_bytes()
    with pytest.raises(ImportRefused, match="spelled"):
        s3env.use("corpusnew", take_default=True)
    assert files(sandbox) == before and sandbox.profiles_file.read_bytes() == store_before
    assert ProfileStore().active_name() is None
    # A key s3env cannot carry in the credentials file: refused too.
    sandbox.aws_config.write_text("[default]\nregion = eu-west-1\n")
    sandbox.aws_credentials.write_text(
        "[default]\naws_access_key_id = AK\naws_secret_access_key = S\nfoo = 1\n"
    )
    before = files(sandbox)
    with pytest.raises(ImportRefused, match="cannot be kept exactly"):
        s3env.use("corpusnew", take_default=True)
    assert files(sandbox) == before and "aws-default" not in ProfileStore().names()


USER_DEFAULT_CONFIG = """\
# my setup
[default]
region = eu-central-1
output = json
services = my-minio
s3 =
    endpoint_url = http://127.0.0.1:9555
    max_concurrent_requests = 20
cli_pager =

[services my-minio]
s3 =
    endpoint_url = http://127.0.0.1:9555

[profile work]
region = us-west-2
"""
USER_DEFAULT_CREDENTIALS = """\
[default]
aws_access_key_id = AKUSERDEFAULT
aws_secret_access_key = user/default+secret
aws_session_token = user-token

[work]
aws_access_key_id = AKWORK
aws_secret_access_key = work-secret
"""


def test_take_default_keeps_yours_as_aws_default_and_release_puts_it_back(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    sandbox.aws_config.write_text(USER_DEFAULT_CONFIG)
    sandbox.aws_credentials.write_text(USER_DEFAULT_CREDENTIALS)
    os.chmod(sandbox.aws_credentials, 0o600)
    original, mine = files(sandbox), resolve(sandbox)
    assert mine["keys"] == ["AKUSERDEFAULT", "user/default+secret", "user-token"]
    result = run_s3env(
        "profile", "add", "lab", "--endpoint-url", "http://127.0.0.1:9777", "--region", "us-east-1",
        "--access-key-id", "AKLAB", "--secret-stdin", input="lab-secret\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    # The notice about your own [default] comes once per store and names the way out.
    first = run_s3env("use", "lab")
    assert first.returncode == 0 and "s3env use lab --take-default" in first.stderr
    assert resolve(sandbox) == mine  # plain shells still use yours
    for again in (run_s3env("use", "lab"), run_s3env("write")):
        assert again.returncode == 0 and "[default]" not in again.stderr, again.stderr
    doctor = json.loads(run_s3env("doctor", "--json").stdout)
    assert [n["code"] for n in doctor["notes"]] == ["default-not-managed"]
    assert "--take-default" in doctor["notes"][0]["fix"]

    taken = run_s3env("use", "lab", "--take-default")
    assert taken.returncode == 0 and "as profile 'aws-default'" in taken.stdout, taken.stderr
    now = resolve(sandbox)
    assert now["endpoint"] == "http://127.0.0.1:9777" and now["keys"] == ["AKLAB", "lab-secret", None]
    # The keys went to the secret store, not into the store's plain profiles.toml.
    assert "user/default+secret" not in sandbox.profiles_file.read_text()
    assert "user/default+secret" in sandbox.secrets_file.read_text()
    # `use aws-default` gives back exactly what botocore resolved with your [default].
    assert run_s3env("use", "aws-default").returncode == 0
    assert resolve(sandbox) == mine
    # Taking it again reuses the identical aws-default.
    again = run_s3env("use", "lab", "--take-default")
    assert again.returncode == 0 and "Kept your own" not in again.stdout

    # After hand edits: a key you added to s3env's [profile lab] stays (the section with it), a
    # section of yours added later stays, and your [default] comes back as it was.
    with sandbox.aws_config.open("a") as handle:
        handle.write("\n[profile later]\nregion = ap-south-1\n")
    text = sandbox.aws_config.read_text().replace("[profile lab]\n", "[profile lab]\nmy_note = keep me\n")
    sandbox.aws_config.write_text(text)
    dry = run_s3env("release", "--dry-run")
    assert dry.returncode == 0 and "put back your own [default]" in dry.stdout
    assert files(sandbox)[str(sandbox.aws_config)] == text.encode()
    released = run_s3env("release")
    assert released.returncode == 0, released.stderr
    assert released.stdout.replace("Released", "X").splitlines()[:-1] == dry.stdout.splitlines()[:-1]
    config = sandbox.aws_config.read_text()
    assert config.startswith(USER_DEFAULT_CONFIG)
    assert "[profile later]\nregion = ap-south-1\n" in config
    assert "[profile lab]\nmy_note = keep me\n" in config
    assert "s3env" not in config.replace("[profile lab]", "")
    assert sandbox.aws_credentials.read_bytes() == original[str(sandbox.aws_credentials)]
    assert resolve(sandbox) == mine
    # The store stays; a later use works again ([profile lab] with your key is yours now: it says so).
    listed = json.loads(run_s3env("profile", "list", "--json").stdout)
    assert {"lab", "aws-default"} <= {p["name"] for p in listed}
    assert run_s3env("use", "aws-default").returncode == 0
    blocked = run_s3env("use", "lab")
    assert blocked.returncode == 1 and "[profile lab] was not written by s3env" in blocked.stderr


def test_aws_default_that_differs_is_not_overwritten(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    sandbox.aws_config.write_text("[default]\nregion = eu-west-3\n")
    ok = run_s3env("profile", "add", "aws-default", "--region", "us-east-2")
    assert ok.returncode == 0, ok.stderr
    assert run_s3env("profile", "add", "lab", "--endpoint-url", "http://127.0.0.1:9").returncode == 0
    before = files(sandbox)
    refused = run_s3env("use", "lab", "--take-default")
    assert refused.returncode == 1 and "profile 'aws-default' already exists" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert files(sandbox) == before and run_s3env("use").returncode == 1


def test_legacy_sso_default_comes_back_exactly(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    shutil.copyfile(SETUPS / "02-legacy-sso" / "config", sandbox.aws_config)
    sandbox.aws_config.write_text(
        sandbox.aws_config.read_text().replace(
            "[default]\n",
            "[default]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = us-east-1\n"
            "sso_account_id = 111122223333\nsso_role_name = Admin\n",
            1,
        )
    )  # fmt: skip
    original, mine = files(sandbox), resolve(sandbox)
    assert mine["credentials"] == "sso"
    assert run_s3env("profile", "add", "lab", "--endpoint-url", "http://127.0.0.1:9").returncode == 0
    assert run_s3env("use", "lab", "--take-default").returncode == 0
    assert resolve(sandbox) != mine
    assert run_s3env("use", "aws-default").returncode == 0
    assert resolve(sandbox) == mine
    assert run_s3env("release").returncode == 0
    assert files(sandbox) == original


def test_doctor_flags_a_dead_credential_process(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    sandbox.aws_config.write_text(
        "[default]\nregion = us-east-1\n\n[profile gone]\ncredential_process = /nonexistent/venv/bin/s3env "
        "credential-process gone\n\n[profile theirs]\ncredential_process = no-such-helper --x\n"
    )
    report = json.loads(run_s3env("doctor", "--json").stdout)
    dead = [p for p in report["problems"] if p["code"] == "credential-process-missing"]
    assert len(dead) == 2
    assert "[profile gone]" in dead[0]["message"] and "s3env release" in dead[0]["fix"]
    assert "[profile theirs]" in dead[1]["message"]
    # botocore's name for the default section is [default], in the config as in the credentials file.
    assert report["tools"]["boto3"]["decided_by"]["region"] == "[default] region"


def test_a_failed_release_changes_nothing(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    assert "Nothing to release" in run_s3env("release").stdout
    sandbox.aws_config.write_text("[default]\nregion = eu-west-3\n")
    add = run_s3env("profile", "add", "lab", "--endpoint-url", "http://127.0.0.1:9")
    assert add.returncode == 0 and run_s3env("use", "lab", "--take-default").returncode == 0
    before, managed = files(sandbox), (sandbox.store / "managed.json").read_bytes()
    # A file release must rewrite is, after its link, no regular file: refused before any write.
    real = sandbox.aws_config.read_bytes()
    sandbox.aws_config.unlink()
    os.mkfifo(sandbox.aws_config)
    failed = run_s3env("release", timeout=20)
    assert failed.returncode == 1 and len(failed.stderr.strip().splitlines()) == 1, failed.stderr
    sandbox.aws_config.unlink()
    sandbox.aws_config.write_bytes(real)
    assert files(sandbox) == before and (sandbox.store / "managed.json").read_bytes() == managed
    assert (sandbox.store / "env" / "active.sh").exists() and run_s3env("use").stdout == "lab\n"
    # The backups directory open to others: refused before any write, too.
    os.chmod(sandbox.store / "backups", 0o777)
    failed = run_s3env("release")
    assert failed.returncode == 1 and files(sandbox) == before
    os.chmod(sandbox.store / "backups", 0o700)
    assert run_s3env("release").returncode == 0
    assert sandbox.aws_config.read_text() == "[default]\nregion = eu-west-3\n"


@pytest.mark.parametrize("setup", sorted(p.name for p in SETUPS.iterdir() if p.is_dir()))
def test_release_after_import_gives_adopted_sections_back(sandbox: Sandbox, setup: str) -> None:
    from s3env.integrations.importing import import_profiles

    for name, target in (("config", sandbox.aws_config), ("credentials", sandbox.aws_credentials)):
        if (SETUPS / setup / name).exists():
            text = (SETUPS / setup / name).read_bytes().replace(b"@FAKE_CREDS@", b"/bin/true")
            target.write_bytes(text)
    original = files(sandbox)
    store = ProfileStore()
    imported = import_profiles(store, "aws", os.environ)
    assert imported.adopted
    names = [c.profile.name for c in imported.imported]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names[:2]:
            s3env.use(name)  # edits the adopted sections in place (every key kept)
    assert files(sandbox) != original
    s3env.release()
    assert files(sandbox) == original
    # The sections are the user's again; importing adopts them again, and `use` works.
    again = import_profiles(store, "aws", os.environ)
    assert len(again.adopted) == len(imported.adopted) and again.imported == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s3env.use(names[0])
    s3env.release()
    assert files(sandbox) == original


def test_release_gives_back_a_section_replaced_with_force(sandbox: Sandbox) -> None:
    sandbox.aws_config.write_text(
        "# mine\n[profile corpusnew]\nregion = sa-east-1\n  # note\noutput = text\n"
    )
    original = files(sandbox)
    add_profiles()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s3env.use("corpusnew", force=True)
    assert "sa-east-1" not in sandbox.aws_config.read_text()
    assert any("put back your own [profile corpusnew]" in line for line in s3env.release().lines)
    assert files(sandbox) == original
