"""`s3env env` evaluated by real shells: bash, zsh, dash (`--shell sh`) and fish.

Each shell runs in a clean environment (only PATH, HOME, S3ENV_HOME and the AWS file
variables), evaluates the printed code and dumps `env -0`; the dump must equal a baseline
dump of the same shell plus exactly the expected variables, byte for byte, and no command
hidden in a value may run.  A corpus of hostile values travels as secret access keys and
session tokens; one script per shell covers the whole corpus.
"""

from __future__ import annotations

import io
import json
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import s3env
from s3env.integrations.envvars import MANAGED_VARS
from tests.conftest import RunS3env, Sandbox, sandbox_env
from tests.tools import require_program

# (shell program, value of --shell): dash is evaluated with the POSIX `sh` format.
SHELLS = {"bash": "bash", "zsh": "zsh", "dash": "sh", "fish": "fish"}
ARGV = {
    "bash": ["bash", "--norc", "--noprofile"],
    "zsh": ["zsh", "-f"],
    "dash": ["dash"],
    "fish": ["fish", "--no-config"],
}
CLEAN_VARS = ("PATH", "HOME", "S3ENV_HOME", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
MARKER = "MARKER"  # relative: an injected `touch MARKER` lands in the shell's (empty) working directory


def hostile_values(absolute_marker: str) -> list[str]:
    """Values that break naive quoting somewhere.  None is empty or holds NUL (the store refuses both)."""
    values = [
        "'",
        '"',
        "`",
        "'\\''",
        "a'b\"c`d",
        "''",
        '""',
        "$HOME",
        "${HOME}",
        "$(touch MARKER)",
        "`touch MARKER`",
        f"$(touch {absolute_marker})",
        "!",
        "!!",
        "!-1 !$ ^a^b",
        "%",
        "%PATH%",
        "%%PATH%%",
        "\\",
        "trailing backslash\\",
        "\\\\",
        "\\n literal",
        "line1\nline2",
        "\nleading and trailing newline\n",
        "cr\rin the middle\r\n",
        "tab\there\t",
        "-",
        "--",
        "-n",
        "-e \\x41",
        "*",
        "~",
        "~root/x",
        "#",
        "# not a comment",
        "a;touch MARKER",
        "a && touch MARKER",
        "a || touch MARKER",
        "a | touch MARKER",
        "> MARKER",
        "< /etc/passwd",
        "a & touch MARKER",
        "{a,b}",
        "(touch MARKER)",
        "$env:PATH",
        "$env:X = 1; touch MARKER",
        "\u2018typographic\u2019 \u201a\u201b \u201c\u201d",
        "emoji 😀 👩\u200d👩\u200d👧 ünïcödé 中文 עברית e\u0301",
        "esc \x1b[31mred\x1b[0m \x1b]0;title\x07 \x1bc",
        "control \x01\x02\x08\x7f",
        "     ",
        " leading space",
        "trailing space ",
        "'; touch MARKER; '",
        '"; touch MARKER; "',
        "\\'; touch MARKER; echo '",
        "$((6*7)) $[1+1] ${#HOME} ${HOME:-x}",
        "=(touch MARKER) *(e:'touch MARKER':)",
        '{$HOME} $HOME[1] (echo x) "$(touch MARKER)"',
        "\u2028 line separator \u0085 next line \ufeff bom",
        "'\ntouch MARKER\n'",
        "\\\ntouch MARKER",
        "x\nexport PATH=/nowhere; unset HOME",
    ]
    chunk = "".join(values)
    big = (chunk * (8192 // len(chunk) + 1))[:8192]
    values.append(big)
    return values


def clean_env(env: dict[str, str]) -> dict[str, str]:
    return {k: env[k] for k in CLEAN_VARS}


def parse_env0(data: bytes) -> dict[bytes, bytes]:
    out: dict[bytes, bytes] = {}
    for entry in data.split(b"\0"):
        if entry:
            name, _, value = entry.partition(b"=")
            out[name] = value
    return out


def encode(export: dict[str, str | None]) -> dict[bytes, bytes | None]:
    return {k.encode(): None if v is None else v.encode() for k, v in export.items()}


def applied(baseline: dict[bytes, bytes], export: dict[str, str | None]) -> dict[bytes, bytes]:
    """The baseline with exactly the expected export applied (None: absent)."""
    out = dict(baseline)
    for name, value in encode(export).items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def run_shell(shell: str, script: str, tmp: Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    """Run ``script`` in ``shell`` under `env -i` with only ``env``; cwd is an empty directory."""
    require_program(ARGV[shell][0])
    path = tmp / f"script.{shell}"
    path.write_text(script)
    cwd = tmp / "cwd"
    cwd.mkdir(exist_ok=True)
    assignments = [f"{k}={v}" for k, v in env.items()]
    return subprocess.run(
        ["env", "-i", *assignments, *ARGV[shell], str(path)],
        cwd=cwd,
        capture_output=True,
        timeout=120,
    )


def q(value: str) -> str:
    """Quote a test path for both POSIX shells and fish (paths here hold no quote or backslash)."""
    assert "'" not in value and "\\" not in value
    return shlex.quote(value)


def dump_env(shell: str, out: Path, label: str) -> str:
    """Shell code that records the last status and `env -0` under ``label``."""
    status = "$status" if shell == "fish" else "$?"
    return f"echo {status} > {q(str(out / (label + '.rc')))}; env -0 > {q(str(out / label))}"


def load_env(shell: str, cmd: str) -> str:
    """Shell code evaluating what ``cmd`` (an s3env env command line) prints, as users are told to."""
    if shell == "fish":
        return f"{cmd} | source"
    return f'eval "$({cmd})"'


def read_dump(out: Path, label: str) -> tuple[dict[bytes, bytes], str]:
    assert (out / label).exists(), f"no dump for {label}: the script stopped early"
    return parse_env0((out / label).read_bytes()), (out / f"{label}.rc").read_text().strip()


# ---- the hostile corpus, as secrets, in every shell -----------------------------------------


class Corpus:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = sandbox_env(root)
        self.absolute_marker = root / "ABSOLUTE-MARKER"
        values = hostile_values(str(self.absolute_marker))
        if len(values) % 2:
            values.append("pad $(touch MARKER) '")
        self.profiles: dict[str, dict[str, str | None]] = {}
        store = s3env.open_store(env=self.env)
        for i in range(len(values) // 2):
            name = f"v{i:02d}"
            secret, token = values[2 * i], values[2 * i + 1]
            endpoint = f"http://127.0.0.1:{9000 + i}"
            region = ("us-east-1", "eu-west-1", "ap-south-1")[i % 3]
            key_id = f"AK'\"`$(touch${{IFS}}MARKER);|&<>*~#!%\\{i}"
            store.add(
                s3env.Profile(
                    name,
                    endpoint_url=endpoint,
                    region=region,
                    addressing_style="path",
                    access_key_id=key_id,
                    secret_access_key=secret,
                    session_token=token,
                )
            )
            self.profiles[name] = {
                "AWS_ACCESS_KEY_ID": key_id,
                "AWS_SECRET_ACCESS_KEY": secret,
                "AWS_SESSION_TOKEN": token,
                "AWS_SECURITY_TOKEN": None,
                "AWS_PROFILE": None,
                "AWS_DEFAULT_PROFILE": None,
                "S3_ENDPOINT_URL": endpoint,
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_ENDPOINT_URL_S3": endpoint,
                "OSS_ENDPOINT": None,
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                "AWS_S3_ADDRESSING_STYLE": "path",
                # a custom endpoint: only the checksums an operation requires (model.checksum_settings)
                "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
                "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
                "S3ENV_PROFILE": name,
                "S3ENV_PINNED": name,  # `s3env env NAME` pins the shell to NAME
            }
        self.values = values


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """32 profiles holding 64 hostile values (secret and token), built once per worker: adds are slow."""
    yield Corpus(tmp_path_factory.mktemp("corpus"))


def test_corpus_is_hostile_enough(corpus: Corpus) -> None:
    assert len(corpus.values) >= 60 and len(corpus.profiles) == len(corpus.values) // 2
    joined = "".join(corpus.values)
    for needle in ("'\\''", "$(touch", "`touch", "!!", "%PATH%", "\n", "\r", "\t", "\x1b", "\u2019", "😀"):
        assert needle in joined, needle
    assert any(v.endswith("\\") for v in corpus.values)
    assert any(len(v) >= 8192 for v in corpus.values)
    assert any(v.strip() == "" for v in corpus.values)


@pytest.mark.parametrize("shell", list(SHELLS))
def test_hostile_secrets_survive_eval_exactly(shell: str, corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    lines = []
    if shell == "fish":
        # fish has no cheap subshell: profiles are applied one after another.  Each export sets
        # or unsets every managed variable, so each dump must still be exactly baseline + export.
        lines.append(dump_env(shell, out, "baseline"))
        for name in corpus.profiles:
            lines.append(load_env(shell, f"s3env env {name} --with-keys --shell fish"))
            lines.append(dump_env(shell, out, name))
    else:
        lines.append(f"( {dump_env(shell, out, 'baseline')} )")
        for name in corpus.profiles:
            code = load_env(shell, f"s3env env {name} --with-keys --shell {SHELLS[shell]}")
            lines.append(f"( {code}\n{dump_env(shell, out, name)} )")
    result = run_shell(shell, "\n".join(lines) + "\n", tmp_path, clean_env(corpus.env))
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert result.stderr == b"", result.stderr.decode(errors="replace")

    baseline, _ = read_dump(out, "baseline")
    assert not set(baseline) & {v.encode() for v in MANAGED_VARS}
    failures = []
    for name, export in corpus.profiles.items():
        dump, status = read_dump(out, name)
        secret, token = export["AWS_SECRET_ACCESS_KEY"], export["AWS_SESSION_TOKEN"]
        assert secret is not None and token is not None
        if status != "0":
            failures.append(f"{name}: status {status} for {secret!r} / {token!r}")
        if dump.get(b"AWS_SECRET_ACCESS_KEY") != secret.encode():
            failures.append(f"{name}: secret {secret!r} arrived as {dump.get(b'AWS_SECRET_ACCESS_KEY')!r}")
        if dump.get(b"AWS_SESSION_TOKEN") != token.encode():
            failures.append(f"{name}: token {token!r} arrived as {dump.get(b'AWS_SESSION_TOKEN')!r}")
        expected = applied(baseline, export)
        if dump != expected:
            diff = {
                k: (expected.get(k), dump.get(k))
                for k in set(dump) | set(expected)
                if dump.get(k) != expected.get(k)
            }
            failures.append(f"{name}: environment differs (expected, got): {diff!r}")
    assert not failures, "\n".join(failures)
    # Nothing hidden in a value ran.
    assert list((tmp_path / "cwd").iterdir()) == []
    assert not corpus.absolute_marker.exists()


# ---- values a format cannot carry ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "secret", "token"),
    [
        ("cmd", "line1\nline2", None),
        ("cmd", "fine-secret", "token\nwith newline"),
        ("cmd", "carriage\rreturn", None),
        ("dotenv", "line1\nline2", None),
        ("dotenv", "fine-secret", "token\nwith newline"),
        ("dotenv", "carriage\rreturn", None),
        ("dotenv", "single ' quote", None),
    ],
)
def test_uncarriable_value_prints_nothing(
    fmt: str, secret: str, token: str | None, sandbox: Sandbox, run_s3env: RunS3env
) -> None:
    s3env.open_store().add(
        s3env.Profile(
            "p",
            endpoint_url="http://127.0.0.1:9000",
            region="us-east-1",
            access_key_id="AK",
            secret_access_key=secret,
            session_token=token,
        )
    )
    result = run_s3env("env", "p", "--with-keys", "--shell", fmt)
    assert result.returncode != 0
    assert result.stdout == ""  # `eval "$(...)"` would run a half-printed script
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("s3env: error:") and fmt in lines[0]
    for leaked in (secret, token):
        if leaked is not None:
            assert leaked not in result.stderr
    # Without --with-keys the secrets are not part of the output: the same profile is fine.
    plain = run_s3env("env", "p", "--shell", fmt)
    assert plain.returncode == 0, plain.stderr
    assert "AWS_PROFILE" in plain.stdout


# ---- stale variables, default mode, no endpoint, --unset ----------------------------------------

STALE = {
    "AWS_ENDPOINT_URL": "http://stale-all.invalid:1",
    "AWS_ENDPOINT_URL_S3": "http://stale-s3.invalid:2",
    "S3_ENDPOINT_URL": "http://stale-s5cmd.invalid:3",
    "OSS_ENDPOINT": "http://stale-oss.invalid:4",
    "AWS_ACCESS_KEY_ID": "STALEKEY",
    "AWS_SECRET_ACCESS_KEY": "stale-secret",
    "AWS_SESSION_TOKEN": "stale-token",
    "AWS_SECURITY_TOKEN": "stale-security-token",
    "AWS_PROFILE": "stale-profile",
    "AWS_DEFAULT_PROFILE": "stale-default-profile",
    "AWS_REGION": "stale-region-1",
    "AWS_DEFAULT_REGION": "stale-region-2",
    "AWS_S3_ADDRESSING_STYLE": "virtual",
    "AWS_REQUEST_CHECKSUM_CALCULATION": "when_supported",
    "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_supported",
    "S3ENV_PROFILE": "stale",
}
ENDPOINT = "http://127.0.0.1:9555"


def stale_code(shell: str) -> str:
    if shell == "fish":
        return "; ".join(f"set -gx {k} {q(v)}" for k, v in STALE.items())
    return "export " + " ".join(f"{k}={q(v)}" for k, v in STALE.items())


@pytest.mark.parametrize("shell", list(SHELLS))
def test_stale_variables_are_replaced_and_unset(shell: str, sandbox: Sandbox, tmp_path: Path) -> None:
    store = s3env.open_store()
    store.add(
        s3env.Profile(
            "st",
            endpoint_url=ENDPOINT,
            region="eu-central-1",
            addressing_style="path",
            access_key_id="AKST",
            secret_access_key="sk-st",
        )
    )
    store.add(s3env.Profile("noep", region="us-west-2", access_key_id="AKNO", secret_access_key="sk"))
    store.add(s3env.Profile("bare"))
    out = tmp_path / "out"
    out.mkdir()
    fmt = SHELLS[shell]
    stale = stale_code(shell)
    cases = {
        "baseline": "true",
        "stale": stale,
        "st": f"{stale}\n{load_env(shell, f's3env env st --shell {fmt}')}",
        "noep": f"{stale}\n{load_env(shell, f's3env env noep --shell {fmt}')}",
        "bare": f"{stale}\n{load_env(shell, f's3env env bare --shell {fmt}')}",
        "keys": f"{stale}\n{load_env(shell, f's3env env st --with-keys --shell {fmt}')}",
        # What the docs tell users to type; without $SHELL the POSIX format is printed.
        "unset": f"{stale}\n{load_env(shell, f's3env env st --shell {fmt}')}\n"
        + load_env(shell, "s3env env --unset --shell fish" if shell == "fish" else "s3env env --unset"),
    }
    if shell == "fish":
        # Sequential (no cheap subshell): "baseline" runs first; every other case sets the stale values
        # again before its own evals.
        script = "\n".join(f"{code}\n{dump_env(shell, out, label)}" for label, code in cases.items())
    else:
        script = "\n".join(f"( {code}\n{dump_env(shell, out, label)} )" for label, code in cases.items())
    result = run_shell(shell, script + "\n", tmp_path, clean_env(sandbox.env))
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    # The only stderr allowed is s3env's own notice that the profile is not in the AWS files yet.
    for line in result.stderr.decode(errors="replace").splitlines():
        assert line.startswith("s3env: profile '"), result.stderr

    baseline, _ = read_dump(out, "baseline")
    none = dict.fromkeys(MANAGED_VARS)
    expected = {
        "stale": STALE,
        "st": {
            **none,
            "AWS_PROFILE": "st",
            "AWS_DEFAULT_PROFILE": "st",
            "S3ENV_PROFILE": "st",
            "S3ENV_PINNED": "st",
            "S3_ENDPOINT_URL": ENDPOINT,
            "AWS_ENDPOINT_URL_S3": ENDPOINT,
            "AWS_REGION": "eu-central-1",
            "AWS_DEFAULT_REGION": "eu-central-1",
        },
        "noep": {
            **none,
            "AWS_PROFILE": "noep",
            "AWS_DEFAULT_PROFILE": "noep",
            "S3ENV_PROFILE": "noep",
            "S3ENV_PINNED": "noep",
            "AWS_REGION": "us-west-2",
            "AWS_DEFAULT_REGION": "us-west-2",
        },
        "bare": {
            **none,
            "AWS_PROFILE": "bare",
            "AWS_DEFAULT_PROFILE": "bare",
            "S3ENV_PROFILE": "bare",
            "S3ENV_PINNED": "bare",
        },
        "keys": {
            **none,
            "AWS_ACCESS_KEY_ID": "AKST",
            "AWS_SECRET_ACCESS_KEY": "sk-st",
            "S3_ENDPOINT_URL": ENDPOINT,
            "AWS_ENDPOINT_URL": ENDPOINT,
            "AWS_ENDPOINT_URL_S3": ENDPOINT,
            "AWS_REGION": "eu-central-1",
            "AWS_DEFAULT_REGION": "eu-central-1",
            "AWS_S3_ADDRESSING_STYLE": "path",
            "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
            "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
            "S3ENV_PROFILE": "st",
            "S3ENV_PINNED": "st",
        },
        "unset": none,
    }
    for label, export in expected.items():
        dump, status = read_dump(out, label)
        assert status == "0", (label, result.stderr)
        assert dump == applied(baseline, export), label
    unset_dump, _ = read_dump(out, "unset")
    assert unset_dump == baseline
    assert not set(unset_dump) & {v.encode() for v in MANAGED_VARS}


# ---- json and dotenv ---------------------------------------------------------------------------


def test_json_output_parses_with_null_for_unset(
    corpus: Corpus, sandbox: Sandbox, run_s3env: RunS3env
) -> None:
    env = clean_env(corpus.env)
    for name, export in list(corpus.profiles.items())[::4]:
        result = run_s3env("env", name, "--with-keys", "--shell", "json", env=env)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == export
    plain = run_s3env("env", "v00", "--shell", "json", env=env)
    assert plain.returncode == 0, plain.stderr
    data = json.loads(plain.stdout)
    assert set(data) == set(MANAGED_VARS)
    assert data["AWS_PROFILE"] == data["AWS_DEFAULT_PROFILE"] == data["S3ENV_PROFILE"] == "v00"
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        assert data[key] is None
    unset = run_s3env("env", "--unset", "--shell", "json", env=env)
    assert json.loads(unset.stdout) == dict.fromkeys(MANAGED_VARS)


DOTENV_VALUES = [
    "$HOME",
    "$(touch MARKER)",
    '"double" quotes',
    "$HOME}{",
    "# hash",
    "a b  c",
    "     ",
    "%PATH% !! ;&|<>*~{a,b}",
    "emoji 😀 \u2018typo\u2019 ünï",
    "tab\there",
    "key=value@host:1/x+y,z",
    "-n",
]


def _load_dotenv(text: str) -> dict[str, str | None] | None:
    """What python-dotenv reads from ``text``; None when python-dotenv is not installed."""
    try:
        import dotenv
    except ImportError:
        return None
    return dict(dotenv.dotenv_values(stream=io.StringIO(text)))


def _dotenv_round_trip(
    run_s3env: RunS3env, secret: str, token: str
) -> tuple[str, dict[str, str | None] | None]:
    s3env.open_store().add(
        s3env.Profile(
            "d",
            endpoint_url="http://127.0.0.1:9000",
            region="us-east-1",
            access_key_id="AK",
            secret_access_key=secret,
            session_token=token,
        ),
        force=True,
    )
    result = run_s3env("env", "d", "--with-keys", "--shell", "dotenv")
    assert result.returncode == 0, result.stderr
    assert "AWS_SECRET_ACCESS_KEY=" in result.stdout
    return result.stdout, _load_dotenv(result.stdout)


def test_dotenv_output_loads_with_python_dotenv(sandbox: Sandbox, run_s3env: RunS3env) -> None:
    for secret, token in zip(DOTENV_VALUES[::2], DOTENV_VALUES[1::2], strict=True):
        text, loaded = _dotenv_round_trip(run_s3env, secret, token)
        if loaded is None:
            continue  # python-dotenv is not installed: only the exit status was checked
        assert loaded == {
            "AWS_ACCESS_KEY_ID": "AK",
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_SESSION_TOKEN": token,
            "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
            "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
            "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
            "S3ENV_PROFILE": "d",
            "S3ENV_PINNED": "d",
        }, text
    assert not (sandbox.root / MARKER).exists()


# python-dotenv reads these differently from what they are (escapes and ${X} inside single
# quotes): s3env must refuse them rather than write a line that loads as another value.
@pytest.mark.parametrize("secret", ["double\\\\backslash", "trailing\\", "dollar ${HOME} brace"])
def test_dotenv_value_is_carried_or_refused(secret: str, sandbox: Sandbox, run_s3env: RunS3env) -> None:
    """A value python-dotenv would read differently must be refused (nothing printed), like ' is."""
    s3env.open_store().add(
        s3env.Profile("d", access_key_id="AK", secret_access_key=secret, session_token="t"), force=True
    )
    result = run_s3env("env", "d", "--with-keys", "--shell", "dotenv")
    if result.returncode != 0:  # refusing is fine, if nothing is printed
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1
        return
    loaded = _load_dotenv(result.stdout)
    if loaded is None:
        pytest.skip("python-dotenv is not installed")
    assert loaded.get("AWS_SECRET_ACCESS_KEY") == secret, result.stdout
