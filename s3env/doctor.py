"""``s3env doctor``: what every tool would use right now, why, and what is wrong.

``diagnose`` gathers facts (store, secret store, managed files, the environment, each tool's
resolution via ``resolve``) and turns them into problems, each with a code, a one-line
message and a one-line fix.  The JSON shape is documented in docs/doctor.md and stable.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from s3env.errors import S3envError
from s3env.paths import StorePaths, aws_config_file, aws_credentials_file
from s3env.resolve import (
    TOOLS,
    AwsFiles,
    Resolution,
    botocore_checksum_calculation,
    load_aws_files,
    resolve_all,
)
from s3env.store import ProfileStore


@dataclass
class Problem:
    code: str
    message: str
    fix: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "fix": self.fix}


@dataclass
class Report:
    profile: str | None  # the profile the tools should be using
    expected_endpoint: str | None
    store: dict[str, Any]
    files: list[dict[str, Any]]
    environment: dict[str, str | None]
    tools: dict[str, Resolution]
    problems: list[Problem] = field(default_factory=list)
    live: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "ok": self.ok,
            "profile": self.profile,
            "expected_endpoint_url": self.expected_endpoint,
            "store": self.store,
            "files": self.files,
            "environment": self.environment,
            "tools": {name: r.to_json() for name, r in self.tools.items()},
            "problems": [p.to_json() for p in self.problems],
        }
        if self.live:
            data["live"] = self.live
        return data


WATCHED_ENV = (
    "S3ENV_PROFILE",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "S3_ENDPOINT_URL",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "OSS_ENDPOINT",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)
_SECRET_VARS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def _shown_env(env: Mapping[str, str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in WATCHED_ENV:
        value = env.get(name)
        out[name] = "(set, hidden)" if value and name in _SECRET_VARS else value
    return out


def environment_problems(env: Mapping[str, str]) -> list[Problem]:
    """Conflicts in the environment alone.  Pure."""
    problems: list[Problem] = []
    p, dp = env.get("AWS_PROFILE"), env.get("AWS_DEFAULT_PROFILE")
    if p and dp and p != dp:
        problems.append(
            Problem(
                "profile-vars-disagree",
                f"AWS_DEFAULT_PROFILE={dp} wins for awscli/boto3 "
                f"but AWS_PROFILE={p} wins for s5cmd and megfile",
                'eval "$(s3env env NAME)" sets both to the same profile',
            )
        )
    s5, url, url_s3 = env.get("S3_ENDPOINT_URL"), env.get("AWS_ENDPOINT_URL"), env.get("AWS_ENDPOINT_URL_S3")
    for name, value in (("AWS_ENDPOINT_URL", url), ("AWS_ENDPOINT_URL_S3", url_s3)):
        if s5 and value and value != s5:
            problems.append(
                Problem(
                    "endpoint-vars-disagree",
                    f"{name}={value} (awscli, boto3, megfile) but S3_ENDPOINT_URL={s5} (s5cmd)",
                    f"unset {name} or set both to the same endpoint (s3env env does)",
                )
            )
    r, dr = env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION")
    if r and dr and r != dr:
        problems.append(
            Problem(
                "region-vars-disagree",
                f"AWS_REGION={r} (s5cmd) but AWS_DEFAULT_REGION={dr} (awscli, boto3, megfile)",
                "set both to the same region (s3env env does)",
            )
        )
    if env.get("AWS_ACCESS_KEY_ID") and (p or dp):
        problems.append(
            Problem(
                "env-keys-override-profile",
                "AWS_ACCESS_KEY_ID is set: awscli, boto3 and s5cmd use it instead of the profile's keys "
                "(megfile ignores it while AWS_PROFILE is set)",
                "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN",
            )
        )
    return problems


def tool_problems(
    tools: Mapping[str, Resolution], expected_endpoint: str | None, profile: str | None
) -> list[Problem]:
    """Tools that would not reach the expected endpoint.  Pure."""
    problems: list[Problem] = []
    for name, r in tools.items():
        if r.error:
            problems.append(
                Problem(f"{name}-error", f"{name}: {r.error}", "run 's3env write' or fix AWS_PROFILE")
            )
            continue
        if profile is not None and r.endpoint_url != expected_endpoint:
            where = r.endpoint_url or "AWS"
            problems.append(
                Problem(
                    f"{name}-wrong-endpoint",
                    f"{name} would go to {where}, not {expected_endpoint or 'AWS'} "
                    f"({r.decided_by.get('endpoint_url')})",
                    f"run 's3env use {profile}' and eval \"$(s3env env {profile})\" "
                    "(or install the shell hook)",
                )
            )
    return problems


def checksum_problems(
    env: Mapping[str, str], files: AwsFiles, tools: Mapping[str, Resolution]
) -> list[Problem]:
    """awscli/boto3 about to checksum uploads to a custom endpoint only by botocore's default
    (1.36+), which many S3-compatible stores refuse; a value set on purpose is the user's.  Pure."""
    problems: list[Problem] = []
    unset = [
        name
        for name in ("awscli", "boto3")
        if (r := tools.get(name)) is not None
        and not r.error
        and r.endpoint_url
        and r.profile is not None
        and botocore_checksum_calculation(env, files, r.profile)[0] is None
    ]
    if unset:
        r = tools[unset[0]]
        problems.append(
            Problem(
                "checksums-by-default",
                f"{' and '.join(unset)} would add CRC32 checksums to every upload to {r.endpoint_url} "
                f"(botocore's default since 1.36, profile {r.profile} sets nothing); "
                "many S3-compatible stores refuse them",
                "run 's3env write' (it sets request_checksum_calculation = when_required for "
                "profiles with an endpoint), or set it in the profile yourself",
            )
        )
    return problems


def _file_facts(path: str, secret: bool) -> tuple[dict[str, Any], list[Problem]]:
    facts: dict[str, Any] = {"path": path, "exists": os.path.exists(path)}
    problems: list[Problem] = []
    if facts["exists"] and secret:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        facts["mode"] = f"{mode:04o}"
        if mode & 0o077:
            problems.append(
                Problem(
                    "credentials-file-too-open",
                    f"{path} holds keys and is mode {mode:04o}",
                    f"chmod 600 {path}",
                )
            )
    return facts, problems


def private_path_problems(paths: StorePaths, env: Mapping[str, str]) -> list[Problem]:
    """s3env's own directories that others control (s3env refuses to write there) and env files
    the prompt hook refuses to source (a link, not the user's, or writable by others)."""
    import shlex

    from s3env.backends.boto3_backend.models import cache_dir
    from s3env.fileguard import private_dir_problem
    from s3env.shells import env_files

    problems: list[Problem] = []
    for directory in (str(paths.root), str(paths.env_dir), str(paths.backups), cache_dir(env)):
        reason = private_dir_problem(directory)
        if reason is not None:
            problems.append(
                Problem(
                    "unsafe-directory",
                    f"{reason}: s3env refuses to write secrets or shell code there",
                    f"if it is yours: chmod 700 {shlex.quote(directory)}; "
                    "if not, move it away (s3env makes a new one)",
                )
            )
    for suffix in env_files():
        path = paths.env_file(suffix)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if (
            not stat.S_ISREG(info.st_mode)
            or (hasattr(os, "geteuid") and info.st_uid != os.geteuid())
            or info.st_mode & 0o022
        ):
            problems.append(
                Problem(
                    "unsafe-env-file",
                    f"{path} is a link, another user's, or writable by others "
                    f"(mode {stat.S_IMODE(info.st_mode):04o}): the prompt hook does not source it",
                    f"rm {shlex.quote(str(path))} && s3env write",
                )
            )
    return problems


def _secrets_in_plain_text(store: ProfileStore, settings: Mapping[str, Any], requested: str) -> bool | None:
    """True for the file store or a plaintext keyring; None when no secret store was chosen yet."""
    if requested == "file":
        return True
    if requested == "auto":
        return None
    try:
        secret_store = store.secret_store(settings, for_write=False)
    except S3envError:
        return None
    return None if secret_store is None else secret_store.plaintext


def diagnose(
    store: ProfileStore | None = None, env: Mapping[str, str] | None = None, name: str | None = None
) -> Report:
    env = os.environ if env is None else env
    store = store or ProfileStore(env=env)
    problems: list[Problem] = []
    data = store.read()
    profile_name = name or data.settings.get("active")
    profile = store.get(profile_name) if profile_name else None
    requested, source = store.secret_store_status()
    store_facts: dict[str, Any] = {
        "path": str(store.paths.profiles),
        "profiles": len(data.profiles),
        "active": data.settings.get("active"),
        "secret_store": requested,
        "secret_store_source": source,
        "secrets_in_plain_text": _secrets_in_plain_text(store, data.settings, requested),
    }
    config_path, creds_path = str(aws_config_file(env)), str(aws_credentials_file(env))
    files_list: list[dict[str, Any]] = []
    for path, secret in ((config_path, False), (creds_path, True)):
        facts, found = _file_facts(path, secret)
        files_list.append(facts)
        problems += found
    aws_files, parse_errors = load_aws_files(config_path, creds_path)
    for error in parse_errors:
        problems.append(
            Problem("aws-file-unreadable", f"botocore cannot parse {error}", "fix the line it names")
        )
    for facts in files_list:
        facts["parses"] = not any(e.startswith(facts["path"]) for e in parse_errors)
    if not parse_errors:
        try:
            from s3env.sync import plan

            result, _state = plan(store, active=data.settings.get("active"))
            for line in result.drift():
                code = "managed-section-edited" if "edited by hand" in line else "managed-files-out-of-date"
                problems.append(Problem(code, line, "run 's3env write' (your edits are backed up)"))
        except S3envError as exc:
            problems.append(
                Problem("managed-files-blocked", exc.message, "see the message; --force overrides")
            )
    tools = resolve_all(env, aws_files)
    problems += private_path_problems(store.paths, env)
    problems += environment_problems(env)
    problems += checksum_problems(env, aws_files, tools)
    if profile is not None:
        problems += tool_problems(tools, profile.endpoint_url, profile.name)
        shell_profile = env.get("S3ENV_PROFILE")
        if shell_profile and shell_profile != profile.name:
            problems.append(
                Problem(
                    "shell-not-switched",
                    f"this shell uses {shell_profile} but the active profile is {profile.name}",
                    'eval "$(s3env env)" or install the hook: eval "$(s3env shell-init bash)"',
                )
            )
    return Report(
        profile=profile.name if profile else None,
        expected_endpoint=profile.endpoint_url if profile else None,
        store=store_facts,
        files=files_list,
        environment=_shown_env(env),
        tools=tools,
        problems=problems,
    )


LIVE_COMMANDS = {
    "awscli": ["{bin}/aws", "s3api", "list-buckets", "--output", "json"],
    "boto3": ["{python}", "-c", "import boto3; boto3.client('s3').list_buckets()"],
    "s5cmd": ["{bin}/s5cmd", "--retry-count", "0", "ls"],
    "megfile": [
        "{python}",
        "-c",
        "from megfile.s3_path import get_s3_client; get_s3_client().list_buckets()",
    ],
}


def live_check(report: Report, env: Mapping[str, str], timeout: float = 20) -> None:
    """Run each installed tool's list-buckets; record success and latency (and add problems)."""
    import shutil
    import subprocess
    import sys
    import time

    bin_dir = os.path.dirname(sys.executable)
    for tool in TOOLS:
        argv = [a.format(bin=bin_dir, python=sys.executable) for a in LIVE_COMMANDS[tool]]
        if not (os.path.exists(argv[0]) or shutil.which(argv[0])):
            report.live[tool] = {"ok": None, "detail": "not installed"}
            continue
        start = time.perf_counter()
        try:
            result = subprocess.run(argv, env=dict(env), capture_output=True, text=True, timeout=timeout)
            ok = result.returncode == 0
            detail = "" if ok else (result.stderr.strip().splitlines() or ["failed"])[-1][:200]
        except subprocess.TimeoutExpired:
            ok, detail = False, f"timed out after {timeout:.0f} s"
        seconds = time.perf_counter() - start
        report.live[tool] = {"ok": ok, "seconds": round(seconds, 3), "detail": detail}
        if not ok:
            report.problems.append(
                Problem(
                    f"{tool}-live-failed",
                    f"{tool} could not list buckets: {detail}",
                    "check the endpoint and keys it resolves (above)",
                )
            )
