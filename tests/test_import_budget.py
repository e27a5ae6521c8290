"""The start-up budget, checked once: what each latency-critical way into s3env may not import.

``s3env env`` runs in shell start-up, ``s3env exec`` and the shim in front of another program,
``credential-process`` on every credential look-up of awscli/boto3/megfile, and ``import s3env``
in every script that uses the library.  Each is run here in a fresh interpreter (the real entry
point, in a sandbox store whose secrets are in the file store), and the modules it loaded are
held against its budget.  This replaces the "must not import typing/re/pathlib…" comments that
modules used to carry; import-linter (``make test``) checks the layers and cycles.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import s3env
from tests.conftest import Sandbox

ROOT = Path(__file__).resolve().parents[1]

#: Third-party and slow standard modules that none of the fast paths needs.
THIRD_PARTY = (
    "typer",
    "click",
    "rich",
    "boto3",
    "botocore",
    "tomlkit",
    "keyring",
    "platformdirs",
    "pydantic",
)
#: The start-up path (env, exec, the shim up to execve): nothing but what s3env itself needs.
START_UP = (
    *THIRD_PARTY,
    "typing",
    "re",
    "pathlib",
    "collections",
    "enum",
    "tomllib",
    "json",
    "dataclasses",
    "inspect",
    "shutil",
    "subprocess",
    "tempfile",
    "argparse",
    "contextlib",
    "s3env.store.profiles",
    "s3env.store.paths",
    "s3env.cli.app",
)

# Runs the real entry point and reports sys.modules at exit, or instead of exec-ing a program.
RUNNER = """
import os, sys
def report(*args, **kwargs):
    sys.stdout.flush()
    os.write(2, ("\\nMODULES " + " ".join(sorted(sys.modules)) + "\\n").encode())
    os._exit(0)
os.execve = os.execvpe = os.execv = os.execvp = report
sys.argv = ["s3env", *sys.argv[1:]]
from s3env.cli.entry import main
try:
    main()
finally:
    report()
"""


def loaded_by(argv: list[str], env: dict[str, str]) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, *argv], env=env, capture_output=True, text=True, timeout=60
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("MODULES ")]
    assert lines, result.stderr
    return set(lines[-1].split()[1:])


@pytest.fixture
def store(sandbox: Sandbox) -> Sandbox:
    s3env.open_store().add(
        s3env.Profile(
            "alpha",
            endpoint_url="http://127.0.0.1:9000/base",
            region="eu-west-1",
            addressing_style="path",
            access_key_id="AKIDALPHA",
            secret_access_key='se"cr$et\\ `x`',  # needs escapes in secrets.toml: still no tomllib
            session_token="tok",
            extra={"signature_version": "s3v4"},
        )
    )
    s3env.open_store().set_setting("active", "alpha")
    return sandbox


QUICK = ("s3env.store.quickload",)
WITH_SECRETS = (*QUICK, "s3env.store.secrets.file_format")
BUDGET = [
    (["env", "alpha"], START_UP, QUICK),
    (["env"], START_UP, (*QUICK, "s3env.store.dirprofile")),  # the .s3env walk: os only
    (["env", "alpha", "--shell", "fish"], START_UP, QUICK),
    (["env", "alpha", "--with-keys"], START_UP, WITH_SECRETS),
    (["env", "--unset"], START_UP, ()),
    (["exec", "alpha", "--", "true"], START_UP, WITH_SECRETS),
    (["exec", "--", "true"], START_UP, (*WITH_SECRETS, "s3env.store.dirprofile")),
    (["--backend", "s5cmd", "ls"], START_UP, (*WITH_SECRETS, "s3env.store.dirprofile")),
    (["-p", "alpha", "--backend", "s5cmd", "ls"], START_UP, WITH_SECRETS),
    (["credential-process", "alpha"], (*THIRD_PARTY, "tomllib"), ("s3env.store.profiles",)),
    (["_profiles"], (*THIRD_PARTY, "tomllib"), ("s3env.store.profiles",)),
    (["shell-init", "bash"], (*THIRD_PARTY, "tomllib"), ()),
]


@pytest.mark.parametrize(("argv", "forbidden", "taken"), BUDGET, ids=[" ".join(b[0]) for b in BUDGET])
def test_fast_paths_stay_in_budget(
    store: Sandbox, argv: list[str], forbidden: tuple[str, ...], taken: tuple[str, ...]
) -> None:
    loaded = loaded_by(argv, store.env)
    assert "s3env.cli.entry" in loaded
    assert [m for m in taken if m not in loaded] == []  # the check looks at the path it means to
    assert sorted(m for m in forbidden if m in loaded) == []


def test_env_does_not_show_tomllib_or_platformdirs_under_importtime(store: Sandbox) -> None:
    env_out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "s3env.cli.entry", "env", "alpha"],
        env=store.env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "AWS_PROFILE" in env_out.stdout
    assert "tomllib" not in env_out.stderr and "platformdirs" not in env_out.stderr


# ---- the library and single modules ------------------------------------------------------------


def test_importing_s3env_is_cheap() -> None:
    heavy = ("typer", "boto3", "rich", "keyring", "typing", "tomlkit")
    code = f"import sys, s3env; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_providers_module_imports_nothing_heavy() -> None:
    code = (
        "import sys; before = set(sys.modules); import s3env.core.providers; "
        "print(sorted(m for m in set(sys.modules) - before if not m.startswith('s3env')))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    loaded = set(ast.literal_eval(out.stdout))
    heavy = {"boto3", "botocore", "typer", "click", "tomlkit", "keyring", "platformdirs", "urllib", "json"}
    assert not (loaded & heavy), loaded & heavy


def test_ini_edit_imports_only_re() -> None:
    """ini_edit itself pulls in nothing beyond re, s3env.core.errors and its reader s3env.core.ini (no
    configparser, typing...)."""
    from s3env.integrations.writers import ini_edit as ie

    code = (
        "import sys, re, importlib.util, s3env.core.errors, s3env.core.ini; before = set(sys.modules);"
        f"spec = importlib.util.spec_from_file_location('_ini_alone', {ie.__file__!r});"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec));"
        "print(sorted(set(sys.modules) - before))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert set(ast.literal_eval(out)) <= {"_ini_alone"}
