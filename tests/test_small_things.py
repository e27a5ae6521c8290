"""Smaller things people hit: where `import megfile` sends you when megfile's keys are in the
AWS files, `import env --name`, `dir(s3env)` for notebook completion, and `shell-init` offering
and accepting exactly the shells it has a hook for."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import s3env
from tests.conftest import BIN, RunS3env, Sandbox

# ---- import megfile on a `megfile config s3` setup --------------------------------------------


def megfile_config_s3(sandbox: Sandbox, *args: str) -> None:
    """The real `megfile config s3` (it writes ~/.aws/credentials), in the sandbox."""
    megfile = BIN / "megfile"
    if not megfile.exists():
        pytest.skip("the megfile CLI is not installed")
    # test keys on argv: megfile's own command takes them so
    result = subprocess.run(
        [str(megfile), "config", "s3", *args], env=sandbox.env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_import_megfile_points_to_the_aws_files(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    megfile_config_s3(sandbox, "AKMEGCFG", "megcfg-secret-1", "-e", "http://127.0.0.1:9005")
    assert "megcfg-secret-1" in sandbox.aws_credentials.read_text()  # where megfile put them
    before = sandbox.aws_credentials.read_bytes()
    result = run_s3env("import", "megfile")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Nothing to import from megfile."
    assert len(lines) == 2 and "megfile config s3" in lines[1], lines
    assert f"{sandbox.aws_credentials} [default]" in lines[1]
    assert lines[1].endswith("run 's3env import aws' to import them."), lines
    assert "megcfg-secret-1" not in result.stdout + result.stderr
    # and that import finds them: megfile's [default], endpoint included, as a copy
    result = run_s3env("import", "aws")
    assert result.returncode == 0, result.stdout + result.stderr
    shown = json.loads(run_s3env("profile", "show", "aws-default", "--json").stdout)
    assert (shown["access_key_id"], shown["endpoint_url"]) == ("AKMEGCFG", "http://127.0.0.1:9005")
    assert sandbox.aws_credentials.read_bytes() == before  # the source untouched
    # s3env's copy now: nothing more to hint at
    assert run_s3env("import", "megfile").stdout.splitlines() == ["Nothing to import from megfile."]


def test_a_named_megfile_profile_is_imported_as_a_copy(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    """`megfile config s3 -n lab` leaves an `s3 =` block in the credentials file, which s3env
    would not keep in step if it took the section over: imported with --prefix, as a copy."""
    megfile_config_s3(sandbox, "-n", "lab", "AKLAB", "lab-secret-2", "-e", "http://127.0.0.1:9006")
    result = run_s3env("import", "aws")
    assert result.returncode == 0
    assert "skipped lab" in result.stdout and "--prefix" in result.stdout, result.stdout
    assert run_s3env("import", "aws", "--prefix", "mf-").returncode == 0
    shown = json.loads(run_s3env("profile", "show", "mf-lab", "--json").stdout)
    assert (shown["access_key_id"], shown["endpoint_url"]) == ("AKLAB", "http://127.0.0.1:9006")


def test_no_hint_without_keys_in_the_aws_files(run_s3env: RunS3env) -> None:
    result = run_s3env("import", "megfile")
    assert result.returncode == 0 and result.stdout == "Nothing to import from megfile.\n", result.stdout


# ---- import env --name ------------------------------------------------------------------------

KEYS = {"AWS_ACCESS_KEY_ID": "AKENVN", "AWS_SECRET_ACCESS_KEY": "envname-secret-3"}


def test_import_env_name(run_s3env: RunS3env) -> None:
    env = {**KEYS, "AWS_ENDPOINT_URL": "http://127.0.0.1:9007"}
    result = run_s3env("import", "env", "--name", "lab", "--dry-run", env=env)
    assert result.returncode == 0 and result.stdout.splitlines()[1].split()[0] == "lab", result.stdout
    assert run_s3env("import", "env", "--name", "lab", env=env).returncode == 0
    assert run_s3env("import", "env", env=env).returncode == 0  # the default name, as before
    listed = json.loads(run_s3env("profile", "list", "--json").stdout)
    assert sorted(p["name"] for p in listed) == ["env", "lab"]
    shown = json.loads(run_s3env("profile", "show", "lab", "--json").stdout)
    assert (shown["access_key_id"], shown["endpoint_url"]) == ("AKENVN", "http://127.0.0.1:9007")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["env", "--name", "bad name"], "invalid profile name 'bad name'"),
        (["env", "--name", "-x"], "invalid profile name '-x'"),
        (["aws", "--name", "x"], "--name is for 'import env'"),
    ],
)
def test_import_name_refusals(run_s3env: RunS3env, args: list[str], message: str) -> None:
    result = run_s3env("import", *args, env=KEYS)
    assert result.returncode == 2 and result.stdout == "", result.stdout
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr
    assert json.loads(run_s3env("profile", "list", "--json").stdout) == []


# ---- dir(s3env) --------------------------------------------------------------------------------


def test_dir_lists_the_whole_api_without_importing_it() -> None:
    code = (
        "import sys, s3env; names = dir(s3env); "
        "import json; print(json.dumps([sorted(m for m in sys.modules if m.startswith('s3env')), names]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    modules, names = json.loads(result.stdout)
    assert modules == ["s3env", "s3env._version"]  # dir() imports nothing
    public = [name for name in names if not name.startswith("_")]
    assert set(s3env.__all__) <= set(names)
    assert set(s3env._LAZY) <= set(public)
    assert set(s3env._LAZY) <= set(s3env.__all__)  # what is lazily loaded is exported
    for name in public:  # every name offered is there
        assert getattr(s3env, name) is not None, name
    assert {"open_store", "use", "client", "Profile", "ProfileStore"} <= set(public)


# ---- shell-init: exactly the shells with a hook ------------------------------------------------

HOOKED = ["bash", "zsh", "fish", "pwsh"]


def test_hooked_shells_are_the_ones_with_a_hook() -> None:
    from s3env.cli.table import choices
    from s3env.integrations.shells import SHELLS, hook_shells

    assert hook_shells() == HOOKED
    assert choices("init-shell") == HOOKED
    assert all(SHELLS[name].hook("s3env", "/e") is not None for name in HOOKED)
    assert all(SHELLS[name].hook("s3env", "/e") is None for name in set(SHELLS) - set(HOOKED))
    assert choices("shell") == list(SHELLS)  # env --shell keeps every format


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("tcsh", "unknown shell 'tcsh'"),
        ("dotenv", "'dotenv' has no prompt hook"),
        ("json", "'json' has no prompt hook"),
        ("sh", "'sh' has no prompt hook"),
    ],
)
def test_shell_init_refuses_what_it_cannot_hook(run_s3env: RunS3env, name: str, start: str) -> None:
    result = run_s3env("shell-init", name)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"s3env: error: {start}: choose one of bash, zsh, fish, pwsh\n"


def test_shell_init_help_and_completion_offer_the_hooked_shells(run_s3env: RunS3env) -> None:
    assert "SHELL: bash, zsh, fish, pwsh." in run_s3env("shell-init", "--help").stdout
    bash = run_s3env("completion", "bash").stdout
    assert '"shell-init") case $npos in 0) values="bash zsh fish pwsh" ;; esac ;;' in bash
    assert 'values="bash zsh fish sh pwsh cmd dotenv json"' in bash  # env --shell
    fish = run_s3env("completion", "fish").stdout
    assert "complete -c s3env -n '__s3env_at \"shell-init\" 0' -a 'bash zsh fish pwsh'" in fish
