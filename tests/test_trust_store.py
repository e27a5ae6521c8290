"""Issue 13, the store side: a failed command changes nothing anywhere, a refusal never lands,
keys rotate in one documented way, extra never holds a secret, and bad input is refused before
it is stored.  Every test runs the real CLI in a sandbox HOME and compares bytes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RunS3env, Sandbox


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def add(run_s3env: RunS3env, name: str, *args: str, secret: str | None = None) -> None:
    ok(
        run_s3env(
            "profile",
            "add",
            name,
            "--access-key-id",
            f"AK{name}",
            "--secret-stdin",
            *args,
            input=(secret or f"secret-of-{name}-000000") + "\n",
        )
    )


def snapshot(sandbox: Sandbox) -> dict[str, bytes | None]:
    """Every file s3env or a tool could touch, byte for byte."""
    out: dict[str, bytes | None] = {}
    for root in (sandbox.store, sandbox.home / ".aws", sandbox.home / ".config" / "megfile"):
        if root.exists():
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.name != ".lock" and "backups" not in path.parts:
                    out[str(path)] = path.read_bytes()
    return out


def one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("s3env: error: "), result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    return lines[0]


def shown(run_s3env: RunS3env, name: str) -> dict:
    return json.loads(ok(run_s3env("profile", "show", name, "--json")).stdout)


# --- 3. a refused command lands nowhere -------------------------------------------------------------


@pytest.fixture
def managed_with_own_personal(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    """The user's own [profile personal]; s3env manages the files for its profile 'lab'."""
    sandbox.aws_config.write_text("# mine\n[profile personal]\nregion = eu-west-1\nsso_session = me\n")
    add(run_s3env, "lab", "--endpoint-url", "http://127.0.0.1:9")
    ok(run_s3env("use", "lab"))


def test_a_refused_add_lands_nowhere_and_suggests_another_name(
    run_s3env: RunS3env, sandbox: Sandbox, managed_with_own_personal: None
) -> None:
    before = snapshot(sandbox)
    result = run_s3env(
        "profile", "add", "personal", "--access-key-id", "AKP", "--secret-stdin", input="personal-secret\n"
    )
    line = one_line(result, 1)
    assert "[profile personal]" in line and "another name" in line and "--force" not in line
    assert snapshot(sandbox) == before  # the store, the secrets, every tool's file
    ok(run_s3env("use", "lab"))  # and every later switch still works
    assert "personal" not in sandbox.profiles_file.read_text()


@pytest.mark.parametrize(
    "command", [["profile", "rename", "lab", "personal"], ["profile", "copy", "lab", "personal"]]
)
def test_rename_or_copy_onto_the_users_section_changes_nothing(
    run_s3env: RunS3env, sandbox: Sandbox, managed_with_own_personal: None, command: list[str]
) -> None:
    before = snapshot(sandbox)
    line = one_line(run_s3env(*command), 1)
    assert "another name" in line
    assert snapshot(sandbox) == before
    ok(run_s3env("use", "lab"))


def test_one_profile_blocked_by_a_users_section_does_not_block_the_others(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    add(run_s3env, "lab", "--endpoint-url", "http://127.0.0.1:9")
    add(run_s3env, "personal", "--region", "us-east-1")  # added before s3env managed any file
    own = "[profile personal]\nregion = eu-west-1\nsso_session = me\n"
    sandbox.aws_config.write_text(own)
    result = ok(run_s3env("use", "lab"))
    assert "[profile personal]" in result.stderr and "rename" in result.stderr
    config = sandbox.aws_config.read_text()
    assert config.startswith(own) and "[profile lab]" in config
    assert "[personal]" not in sandbox.aws_credentials.read_text()
    # the active profile itself blocked is still an error, and nothing moves
    before = snapshot(sandbox)
    line = one_line(run_s3env("use", "personal"), 1)
    assert "[profile personal] was not written by s3env" in line
    assert snapshot(sandbox) == before


def test_a_failed_write_of_the_tools_files_takes_the_store_change_back(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    add(run_s3env, "lab", "--endpoint-url", "http://127.0.0.1:9")
    ok(run_s3env("use", "lab"))
    megfile = sandbox.home / ".config" / "megfile" / "megfile.conf"
    megfile.write_text("[alias]\nlab = s3+lab\nmine = %(broken\n")  # configparser refuses it
    before = snapshot(sandbox)
    result = run_s3env("profile", "set", "lab", "region=eu-west-3")
    one_line(result, 1)
    assert snapshot(sandbox) == before
    result = run_s3env("profile", "add", "other", "--region", "us-east-1")
    one_line(result, 1)
    assert snapshot(sandbox) == before


# --- 4. rotating keys -------------------------------------------------------------------------------


def test_profile_set_secret_stdin_rotates_keys_and_keeps_everything_else(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    add(run_s3env, "mi", "--provider", "minio", "--endpoint-url", "http://127.0.0.1:9", "--region", "eu-1")
    ok(run_s3env("profile", "set", "mi", "extra.s3.max_concurrent_requests=8"))
    ok(run_s3env("use", "mi"))
    before = shown(run_s3env, "mi")
    ok(run_s3env("profile", "set", "mi", "--secret-stdin", input="rotated-secret-000001\n"))
    after = shown(run_s3env, "mi")
    assert after["secret_access_key"] == "****0001"
    assert {k: v for k, v in after.items() if k != "secret_access_key"} == {
        k: v for k, v in before.items() if k != "secret_access_key"
    }
    assert "rotated-secret-000001" in sandbox.aws_credentials.read_text()  # the tools follow
    ok(
        run_s3env(
            "profile", "set", "mi", "--secret-stdin", "--access-key-id", "AKNEW", input="s2-000002\nTOK\n"
        )
    )
    after = shown(run_s3env, "mi")
    assert (after["access_key_id"], after["secret_access_key"], after["session_token"]) == (
        "AKNEW",
        "****",
        "****",
    )
    assert after["endpoint_url"] == before["endpoint_url"] and after["extra"] == before["extra"]


def test_add_force_changes_only_what_it_was_given(run_s3env: RunS3env) -> None:
    add(run_s3env, "mi", "--provider", "minio", "--endpoint-url", "http://127.0.0.1:9", "--region", "eu-1")
    ok(run_s3env("profile", "set", "mi", "extra.output=json"))
    before = shown(run_s3env, "mi")
    ok(run_s3env("profile", "add", "mi", "--force", "--region", "eu-2"))
    after = shown(run_s3env, "mi")
    assert after == dict(before, region="eu-2")


def test_secrets_in_argv_point_to_the_one_way_to_set_them(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    add(run_s3env, "p")
    before = snapshot(sandbox)
    line = one_line(run_s3env("profile", "set", "p", "secret_access_key=NOPE"), 2)
    assert "profile set p --secret-stdin" in line and "NOPE" not in line
    assert snapshot(sandbox) == before


# --- 9. extra never holds a secret ------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["aws_secret_access_key", "aws_session_token", "aws_security_token", "s3.aws_secret_access_key"]
)
def test_extra_refuses_secret_keys(run_s3env: RunS3env, sandbox: Sandbox, key: str) -> None:
    add(run_s3env, "p")
    ok(run_s3env("use", "p"))
    before = snapshot(sandbox)
    line = one_line(run_s3env("profile", "set", "p", f"extra.{key}=TOPSECRET"), 2)
    assert "secret store" in line and "TOPSECRET" not in line
    assert snapshot(sandbox) == before


def test_a_secret_written_into_extra_by_hand_is_refused_on_read(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    add(run_s3env, "p")
    with sandbox.profiles_file.open("a") as fh:
        fh.write('\n[profiles.p.extra]\naws_secret_access_key = "TOPSECRET"\n')
    for command in (["profile", "show", "p"], ["use", "p"], ["env", "p"]):
        result = run_s3env(*command)
        line = one_line(result, 1)
        assert "TOPSECRET" not in result.stdout + result.stderr and "aws_secret_access_key" in line
    assert not sandbox.aws_config.exists()


# --- 14. bad input is refused before it is stored ----------------------------------------------------


@pytest.mark.parametrize("value", ["a\nb", "a\u2028b", "a\rb", " padded", "x\x85y"])
def test_extra_values_no_ini_line_carries_are_refused_before_storing(
    run_s3env: RunS3env, sandbox: Sandbox, value: str
) -> None:
    add(run_s3env, "p")
    ok(run_s3env("use", "p"))
    before = snapshot(sandbox)
    one_line(run_s3env("profile", "set", "p", f"extra.sso_session={value}"), 2)
    assert snapshot(sandbox) == before
    ok(run_s3env("use", "p"))  # every later switch still works


def test_invalid_utf8_on_secret_stdin_is_one_line(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    from tests.conftest import S3ENV

    for argv in (
        ["profile", "add", "p", "--access-key-id", "AK", "--secret-stdin"],
        ["profile", "set", "p", "--secret-stdin"],
    ):
        result = subprocess.run(
            [S3ENV, *argv], input=b"se\xffcret\n", capture_output=True, env=sandbox.env, timeout=60
        )
        text = result.stderr.decode()
        if argv[1] == "set":
            assert result.returncode == 1 and "no profile named 'p'" in text
            add(run_s3env, "p")
            result = subprocess.run(
                [S3ENV, *argv], input=b"se\xffcret\n", capture_output=True, env=sandbox.env, timeout=60
            )
            text = result.stderr.decode()
        assert result.returncode == 2 and "not valid UTF-8" in text, text
        assert len(text.strip().splitlines()) == 1 and "unexpected" not in text


def test_a_secret_of_the_wrong_type_in_secrets_toml_changes_nothing(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    add(run_s3env, "p", secret="the-real-secret-0001")
    ok(run_s3env("use", "p"))
    text = sandbox.secrets_file.read_text()
    sandbox.secrets_file.write_text(text.replace('"the-real-secret-0001"', "5"))
    before = snapshot(sandbox)
    for command in (["write"], ["use", "p"], ["profile", "show", "p"]):
        line = one_line(run_s3env(*command), 1)
        assert "secret_access_key" in line and "must be" in line
        assert snapshot(sandbox) == before
    assert "the-real-secret-0001" in sandbox.aws_credentials.read_text()


# --- 2. import: checked first, one write or none -------------------------------------------------------

CONFIG = """\
[profile good]
region = eu-west-1
output = json

[profile bad]
region = us-west-2 ; inline comments are part of the value

[profile other]
region = eu-west-2
"""
CREDENTIALS = """\
[good]
aws_access_key_id = AKGOOD
aws_secret_access_key = good-secret-00000001

[other]
aws_access_key_id = AKOTHER
aws_secret_access_key = boom-secret-00000002
"""


@pytest.fixture
def aws_setup(sandbox: Sandbox) -> None:
    sandbox.aws_config.write_text(CONFIG)
    sandbox.aws_credentials.write_text(CREDENTIALS)


def test_invalid_candidates_are_listed_and_skipped(
    run_s3env: RunS3env, sandbox: Sandbox, aws_setup: None
) -> None:
    result = ok(run_s3env("import", "aws"))
    assert "skipped bad" in result.stdout and "invalid region" in result.stdout
    assert shown(run_s3env, "good")["extra"] == {"output": "json"}
    assert "bad" not in json.dumps(json.loads(ok(run_s3env("profile", "list", "--json")).stdout))


def test_strict_import_imports_nothing_when_one_is_skipped(
    run_s3env: RunS3env, sandbox: Sandbox, aws_setup: None
) -> None:
    before = snapshot(sandbox)
    line = one_line(run_s3env("import", "aws", "--strict"), 1)
    assert "invalid region" in line and "nothing was imported" in line
    assert snapshot(sandbox) == before


def test_prefixed_import_twice_is_a_no_op(run_s3env: RunS3env, sandbox: Sandbox, aws_setup: None) -> None:
    ok(run_s3env("import", "aws", "--prefix", "m-"))
    names = [p["name"] for p in json.loads(ok(run_s3env("profile", "list", "--json")).stdout)]
    assert names == ["m-good", "m-other"]
    ok(run_s3env("use", "m-good"))  # s3env now writes [profile m-good] … of its own
    before = snapshot(sandbox)
    again = ok(run_s3env("import", "aws", "--prefix", "m-"))
    assert "m-m-" not in again.stdout and "Nothing new" in again.stdout
    assert snapshot(sandbox) == before
    config = sandbox.aws_config.read_text()
    assert config.startswith(CONFIG)  # a prefixed import is a copy: the user's sections stay theirs


def test_s3envs_own_sections_are_never_imported(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    add(run_s3env, "lab", "--endpoint-url", "http://127.0.0.1:9")
    ok(run_s3env("use", "lab"))  # [profile lab], [services s3env-lab], [default], [lab]
    before = snapshot(sandbox)
    result = ok(run_s3env("import", "aws", "--prefix", "z-"))
    assert "z-" not in result.stdout
    assert snapshot(sandbox) == before


FAILING_KEYRING = '''
import json, os
from keyring.backend import KeyringBackend
from keyring.errors import PasswordSetError

class Backend(KeyringBackend):
    """A keyring in a JSON file that refuses any secret holding "boom"."""
    priority = 1
    path = os.environ["TEST_KEYRING_FILE"]

    def _load(self):
        try:
            with open(self.path) as fh:
                return json.load(fh)
        except FileNotFoundError:
            return {}

    def get_password(self, service, username):
        return self._load().get(f"{service}|{username}")

    def set_password(self, service, username, password):
        if "boom" in password:
            raise PasswordSetError("refused")
        data = self._load()
        data[f"{service}|{username}"] = password
        with open(self.path, "w") as fh:
            json.dump(data, fh)

    def delete_password(self, service, username):
        data = self._load()
        data.pop(f"{service}|{username}", None)
        with open(self.path, "w") as fh:
            json.dump(data, fh)
'''


def test_an_import_that_fails_halfway_changes_nothing(
    run_s3env: RunS3env, sandbox: Sandbox, aws_setup: None, tmp_path: Path
) -> None:
    (tmp_path / "failing_keyring.py").write_text(FAILING_KEYRING)
    keyring_file = tmp_path / "keyring.json"
    env = {
        "S3ENV_SECRETS": "keyring",
        "PYTHON_KEYRING_BACKEND": "failing_keyring.Backend",
        "PYTHONPATH": str(tmp_path),
        "TEST_KEYRING_FILE": str(keyring_file),
    }
    add_env = run_s3env(
        "profile", "add", "mine", "--access-key-id", "AKM", "--secret-stdin", input="mine-secret-1\n", env=env
    )
    ok(add_env)
    keyring_before = keyring_file.read_text()
    before = snapshot(sandbox)
    result = run_s3env("import", "aws", env=env)  # good's secret is stored, then other's is refused
    line = one_line(result, 1)
    assert "refused a write" in line
    assert snapshot(sandbox) == before and keyring_file.read_text() == keyring_before


# --- 1 (sibling). keys a user adds by hand to a section s3env manages --------------------------------


def test_keys_added_by_hand_to_a_managed_section_are_kept(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    from botocore.configloader import raw_config_parse

    add(run_s3env, "lab", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1")
    ok(run_s3env("use", "lab"))
    text = sandbox.aws_config.read_text()
    text = text.replace(
        "[profile lab]\n", "[profile lab]\n# my MFA device\nmfa_serial = arn:aws:iam::1:mfa/me\n"
    )
    text = text.replace(
        "    endpoint_url = http://127.0.0.1:9\n",
        "    endpoint_url = http://127.0.0.1:9\n    max_concurrent_requests = 5\n",
        1,
    )
    sandbox.aws_config.write_text(text)
    assert "edited by hand" in run_s3env("write", "--check").stdout
    ok(run_s3env("profile", "set", "lab", "region=eu-west-3"))
    lab = raw_config_parse(str(sandbox.aws_config))["profile lab"]
    assert lab["region"] == "eu-west-3" and lab["mfa_serial"] == "arn:aws:iam::1:mfa/me"
    assert lab["s3"] == {"endpoint_url": "http://127.0.0.1:9", "max_concurrent_requests": "5"}
    assert "# my MFA device\nmfa_serial" in sandbox.aws_config.read_text()
    ok(run_s3env("write", "--check"))  # what s3env wrote is in sync again, the user's keys included
    removed = ok(run_s3env("profile", "rm", "lab", "--yes"))
    assert "mfa_serial" in removed.stderr
    left = raw_config_parse(str(sandbox.aws_config))["profile lab"]
    assert left == {"mfa_serial": "arn:aws:iam::1:mfa/me", "s3": {"max_concurrent_requests": "5"}}


def test_write_check_on_a_fresh_install_finds_nothing_out_of_date(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    ok(run_s3env("write", "--check"))
    add(run_s3env, "lab", "--region", "us-east-1")  # a profile, but nothing managed yet
    result = ok(run_s3env("write", "--check"))
    assert "out of date" not in result.stdout
    ok(run_s3env("use", "lab"))
    ok(run_s3env("write", "--check"))


def test_renaming_a_role_chains_source_says_so(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    sandbox.aws_config.write_text(
        "[profile base]\nregion = us-east-1\n"
        "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
    )
    ok(run_s3env("import", "aws"))
    result = ok(run_s3env("profile", "rename", "base", "base2"))
    assert "role still names source_profile = base" in result.stderr


def test_a_profile_on_the_users_own_services_section_says_where_its_endpoint_comes_from(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    sandbox.aws_config.write_text(
        "[services mine]\ns3 =\n  endpoint_url = http://127.0.0.1:9\n[profile onprem]\nservices = mine\n"
    )
    ok(run_s3env("import", "aws"))
    quiet = ok(run_s3env("use", "onprem"))
    assert "[services mine]" not in quiet.stderr
    changed = ok(run_s3env("profile", "set", "onprem", "endpoint_url=http://127.0.0.1:10"))
    assert "from your [services mine] (http://127.0.0.1:9)" in changed.stderr
    assert "services = mine" in sandbox.aws_config.read_text()
