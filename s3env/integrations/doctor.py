"""``s3env doctor``: what every tool would use right now, why, and what is wrong.

``diagnose`` gathers facts (store, secret store, managed files, the environment, each tool's
resolution via ``resolve``) and turns them into problems, each with a code, a one-line
message and a one-line fix.  The JSON shape is documented in docs/doctor.md and stable.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from s3env.core.errors import ManagedSectionConflict, S3envError
from s3env.core.model import Profile, mask_urls_in
from s3env.core.resolve import (
    AwsFiles,
    Resolution,
    botocore_checksum_calculation,
    load_aws_files,
    resolve_all,
)
from s3env.store.paths import StorePaths, aws_config_file, aws_credentials_file
from s3env.store.profiles import ProfileStore

if TYPE_CHECKING:
    from s3env.integrations.sync import SyncResult
    from s3env.store.managed import ManagedState


@dataclass
class Problem:
    code: str
    message: str
    fix: str

    def __post_init__(self) -> None:  # an endpoint quoted in a message never shows user:secret@
        self.message, self.fix = mask_urls_in(self.message), mask_urls_in(self.fix)

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
    #: what each tool would resolve if it followed ``profile`` (None: no profile expected)
    expected: dict[str, Resolution] | None = None
    #: ``--live``: the profile itself (its keys, endpoint and region from the store)
    live_profile: dict[str, Any] | None = None
    #: which rule chose ``profile`` (``core.choose``: flag, pinned, directory, global), or None
    profile_source: str | None = None
    #: the ``.s3env`` file that chose it (source "directory")
    profile_file: str | None = None
    #: what the user should know that is not a problem (``ok`` stays true): e.g. their own
    #: [default], which s3env leaves alone
    notes: list[Problem] = field(default_factory=list)

    @property
    def expected_region(self) -> str | None:
        return self.expected["boto3"].region if self.expected else None

    @property
    def expected_credential_source(self) -> str | None:
        return self.expected["boto3"].credential_source if self.expected else None

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "ok": self.ok,
            "profile": self.profile,
            "profile_source": self.profile_source,
            "profile_file": self.profile_file,
            "expected_endpoint_url": self.expected_endpoint,
            "expected_region": self.expected_region,
            "expected_credential_source": self.expected_credential_source,
            "store": self.store,
            "files": self.files,
            "environment": self.environment,
            "tools": {name: r.to_json() for name, r in self.tools.items()},
            "problems": [p.to_json() for p in self.problems],
            "notes": [n.to_json() for n in self.notes],
        }
        if self.live:
            data["live"] = self.live
        if self.live_profile is not None:
            data["live_profile"] = self.live_profile
        return data


WATCHED_ENV = (
    "S3ENV_PROFILE",
    "S3ENV_PINNED",
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
        if value and "ENDPOINT" in name:
            out[name] = mask_urls_in(value)
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


def _profile_variables(tool: str) -> tuple[str, str]:
    """The variables that name a tool's profile, the one that wins first."""
    return (
        ("AWS_PROFILE", "AWS_DEFAULT_PROFILE") if tool == "s5cmd" else ("AWS_DEFAULT_PROFILE", "AWS_PROFILE")
    )


def _switch_fix(profile: str, source: str | None = None) -> str:
    if source in ("pinned", "directory"):  # not the global profile: `s3env use` is not the fix
        return f"{_eval_env(profile, source)} (or install the shell hook)"
    return f"run 's3env use {profile}' and {_eval_env(profile, source)} (or install the shell hook)"


def _eval_env(profile: str, source: str | None) -> str:
    """What makes this shell use ``profile``: ``s3env env`` re-exports the profile that applies
    here (``source`` says it is that one); ``s3env env NAME`` also pins the shell to NAME."""
    return (
        'eval "$(s3env env)"'
        if source in ("pinned", "directory", "global")
        else f'eval "$(s3env env {profile})"'
    )


def _missing_profile(tool: str, r: Resolution, env: Mapping[str, str], known: Collection[str]) -> Problem:
    named_by = next((v for v in _profile_variables(tool) if env.get(v) == r.profile), "AWS_PROFILE")
    if r.error:
        effect = f"fails ({r.error})"
    elif r.credential_provider == "environment":
        effect = "signs with the keys in the environment only"
    else:
        effect = "runs without credentials"
    fix = (
        f"run 's3env write' (or 's3env use {r.profile}') so the AWS files have it"
        if r.profile in known
        else 'unset AWS_PROFILE AWS_DEFAULT_PROFILE, or eval "$(s3env env NAME)"'
    )
    return Problem(
        f"{tool}-missing-profile",
        f"{named_by}={r.profile} names a profile that is in neither AWS file: {tool} {effect}",
        fix,
    )


def _seen(r: Resolution) -> tuple[object, ...]:
    """What a tool's requests carry: where they go, their region, their credentials."""
    return (r.error, r.endpoint_url, r.region, r.credential_identity)


def tool_problems(
    tools: Mapping[str, Resolution],
    env: Mapping[str, str],
    *,
    profile: Profile | None = None,
    expected: Mapping[str, Resolution] | None = None,
    followed: Mapping[str, Resolution] | None = None,
    known: Collection[str] = (),
    source: str | None = None,
) -> list[Problem]:
    """Per tool: a profile it cannot find, and, when a profile is expected, every way the tool
    would not follow it: endpoint, profile, region, credentials.  Pure.  ``source``: the rule
    that chose ``profile`` (``core.choose``); where it applies here the fixes say ``s3env env``.

    ``expected``: each tool's resolution once the shell and the AWS files follow ``profile``
    (``expected_resolutions``); ``followed``: each tool's resolution with this environment and
    these files but ``AWS_PROFILE``/``AWS_DEFAULT_PROFILE`` naming ``profile`` -- a tool reading
    another profile is wrong only where that changes what it does (s3env's own ``[default]``
    copy of the profile, or keys and endpoint all from the environment, are fine).  ``known``:
    the store's profile names."""
    problems: list[Problem] = []
    for name, r in tools.items():
        if r.profile_missing:
            problems.append(_missing_profile(name, r, env, known))
            continue
        if r.error:
            problems.append(
                Problem(f"{name}-error", f"{name}: {r.error}", "run 's3env write' or fix AWS_PROFILE")
            )
            continue
        if profile is None:
            continue
        want = profile.name
        if r.endpoint_url != profile.endpoint_url:
            where = r.endpoint_url or "AWS"
            problems.append(
                Problem(
                    f"{name}-wrong-endpoint",
                    f"{name} would go to {where}, not {profile.endpoint_url or 'AWS'} "
                    f"({r.decided_by.get('endpoint_url')})",
                    _switch_fix(want, source),
                )
            )
        if r.profile != want and followed is not None and _seen(followed[name]) != _seen(r):
            unnamed = not any(env.get(v) for v in _profile_variables(name))
            fix = _switch_fix(want, source)
            if unnamed and r.profile == "default":
                fix += f"; or let s3env manage [default]: s3env use {want} --take-default"
            problems.append(
                Problem(
                    f"{name}-wrong-profile",
                    f"{name} would read profile {r.profile} ({r.decided_by.get('profile')}), not {want}",
                    fix,
                )
            )
        if expected is None:
            continue
        wanted = expected[name]
        if profile.region and r.region != wanted.region:
            problems.append(
                Problem(
                    f"{name}-wrong-region",
                    f"{name} would use region {r.region or 'none (us-east-1)'}, not {wanted.region} "
                    f"({r.decided_by.get('region')})",
                    f"{_eval_env(want, source)} (it sets AWS_REGION and AWS_DEFAULT_REGION "
                    f"to {wanted.region})",
                )
            )
        if wanted.credential_provider != "none" and r.credential_identity != wanted.credential_identity:
            if r.credential_provider == "environment":
                variable = r.decided_by.get("credentials", "AWS_ACCESS_KEY_ID").split("/")[0]
                prefix = variable[: -len("AWS_ACCESS_KEY_ID")]
                fix = (
                    f"unset {prefix}AWS_ACCESS_KEY_ID {prefix}AWS_SECRET_ACCESS_KEY {prefix}AWS_SESSION_TOKEN"
                    f" ({_eval_env(want, source)} does)"
                )
            elif r.profile == want:
                fix = f"run 's3env write': the AWS files hold other credentials for {want} than the store"
            else:
                fix = _switch_fix(want, source)
            problems.append(
                Problem(
                    f"{name}-wrong-credentials",
                    f"{name} would use {r.credential_source} ({r.decided_by.get('credentials')}), "
                    f"not the credentials of {want} ({wanted.credential_source})",
                    fix,
                )
            )
    return problems


def _section(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Writer items as botocore parses them: a nested block becomes a dict."""
    return {key: dict(value) if isinstance(value, list) else value for key, value in items}


def expected_resolutions(profile: Profile, s3env_command: tuple[str, ...]) -> dict[str, Resolution]:
    """What each tool resolves once the AWS files hold the sections s3env writes for ``profile``
    and the shell has ``s3env env``'s environment for it: the same resolver on the ideal case,
    so an SSO, role or credential_process profile expects that provider, not keys.  Pure."""
    from s3env.integrations.envvars import profile_env
    from s3env.integrations.writers.aws import config_items, credentials_items

    credentials = credentials_items(profile)
    files = AwsFiles(
        config_profiles={profile.name: _section(config_items(profile, s3env_command))},
        credential_profiles={profile.name: _section(credentials)} if credentials else {},
    )
    env = {k: v for k, v in profile_env(profile).items() if v is not None}
    return resolve_all(env, files)


def followed_resolutions(env: Mapping[str, str], files: AwsFiles, profile: str) -> dict[str, Resolution]:
    """Each tool's resolution with this environment and these files if the profile variables named
    ``profile``.  Pure."""
    return resolve_all({**env, "AWS_PROFILE": profile, "AWS_DEFAULT_PROFILE": profile}, files)


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


def default_note(where: list[str], profile: str) -> Problem:
    """The user's own [default], left alone: ``use`` says so once per store, doctor every time."""
    return Problem(
        "default-not-managed",
        f"your own {', '.join(where)} is left alone: tools run without AWS_PROFILE (plain shells, "
        f"cron, IDEs) use it, not {profile}",
        f"s3env use {profile} --take-default (yours is kept as profile 'aws-default'; "
        "'s3env release' puts it back)",
    )


def credential_process_problems(files: AwsFiles, config_path: str, env: Mapping[str, str]) -> list[Problem]:
    """A ``credential_process`` whose program is gone (a virtualenv moved or removed, s3env
    uninstalled): every tool using that profile fails to get credentials."""
    import shlex
    import shutil

    from s3env.core.resolve import config_header

    problems: list[Problem] = []
    for name, values in files.config_profiles.items():
        command = values.get("credential_process")
        if not isinstance(command, str) or not command.strip():
            continue
        try:
            argv = shlex.split(command)
        except ValueError:
            continue
        program = argv[0]
        if os.sep in program or (os.altsep and os.altsep in program):
            alive = os.path.isfile(program) and os.access(program, os.X_OK)
        else:
            alive = shutil.which(program, path=env.get("PATH", os.defpath)) is not None
        if alive:
            continue
        ours = argv[1:2] == ["credential-process"]
        problems.append(
            Problem(
                "credential-process-missing",
                f"{config_path} [{config_header(name)}] runs credential_process {program}, which "
                f"does not exist: tools using profile {name} get no credentials",
                "run 's3env write' (it writes the s3env installed now), or 's3env release' before "
                "removing s3env"
                if ours
                else f"fix credential_process in [{config_header(name)}]",
            )
        )
    return problems


def drift_problems(result: SyncResult, state: ManagedState) -> list[Problem]:
    """Differences between the files and the store that s3env would have to write (the same
    lines as ``s3env write --check``).  Pure."""
    fix = "run 's3env write' (your edits are backed up)"
    codes = {"edited": "managed-section-edited", "out-of-date": "managed-files-out-of-date"}
    return [Problem(codes[kind], line, fix) for kind, line in result.drift(state)]


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

    from s3env.integrations.shells import env_files
    from s3env.store.fileguard import private_dir_problem
    from s3env.store.locations import cache_dir

    problems: list[Problem] = []
    directories = (str(paths.root), str(paths.env_dir), str(paths.profile_env_dir), str(paths.backups))
    for directory in (*directories, cache_dir(env)):
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
    hook_files = [paths.env_file(suffix) for suffix in env_files()]
    with contextlib.suppress(OSError):  # the per-profile files the hook sources in `.s3env` directories
        hook_files += sorted(p for p in paths.profile_env_dir.iterdir() if p.suffix in (".sh", ".fish"))
    for path in hook_files:
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


def which_profile(
    store: ProfileStore, env: Mapping[str, str], name: str | None, cwd: str | None = None
) -> tuple[str | None, str | None, str | None, Problem | None]:
    """(profile, source, ``.s3env`` path, problem): the profile doctor examines, the rule that
    chose it (``core.choose``), and what is wrong with a pin or ``.s3env`` that names no profile
    (then the global profile is examined instead)."""
    from s3env.core.choose import GLOBAL
    from s3env.core.errors import DirectoryProfileError, NoActiveProfile
    from s3env.store.dirprofile import choose_here

    data = store.read()
    active = data.settings.get("active")
    problem = None
    try:
        chosen, source, where = choose_here(name, env, cwd, active)
        if source != GLOBAL and name is None and chosen not in data.profiles:
            if where is not None:
                raise DirectoryProfileError(where, chosen, "not a profile in the store")
            problem = Problem(
                "pinned-profile-unknown",
                f"this shell is pinned to '{chosen}' (S3ENV_PINNED), which is not a profile in the store",
                'eval "$(s3env env NAME)" to pin another, or eval "$(s3env env --unset)" to unpin',
            )
            return active, GLOBAL if active else None, None, problem
    except DirectoryProfileError as exc:
        fix = f"put a profile's name in {exc.path} (s3env profile list), or remove it"
        return (
            active,
            GLOBAL if active else None,
            None,
            Problem("directory-profile-invalid", exc.message, fix),
        )
    except NoActiveProfile:
        return None, None, None, None
    return chosen, source, where, None


def diagnose(
    store: ProfileStore | None = None,
    env: Mapping[str, str] | None = None,
    name: str | None = None,
    cwd: str | None = None,
) -> Report:
    """The report on the profile ``name``, else on the profile that applies here (``cwd``:
    default the current directory; docs/guide.md, "Which profile applies")."""
    env = os.environ if env is None else env
    store = store or ProfileStore(env=env)
    problems: list[Problem] = []
    notes: list[Problem] = []
    data = store.read()
    profile_name, profile_source, profile_file, choice_problem = which_profile(store, env, name, cwd)
    if choice_problem is not None:
        problems.append(choice_problem)
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
            from s3env.integrations.sync import plan

            result, state = plan(store, active=data.settings.get("active"))
            problems += drift_problems(result, state)
            if result.default_left_alone and profile_name:
                notes.append(default_note(result.default_left_alone, profile_name))
        except ManagedSectionConflict as exc:
            problems.append(
                Problem("managed-files-blocked", exc.message, "see the message; --force overrides")
            )
        except S3envError as exc:  # a target s3env will not write through, a broken record …
            problems.append(Problem("managed-files-blocked", exc.message, "see the message"))
    tools = resolve_all(env, aws_files)
    problems += credential_process_problems(aws_files, config_path, env)
    problems += private_path_problems(store.paths, env)
    expected = followed = None
    if profile is not None:
        from s3env.core.selfcmd import self_command

        expected = expected_resolutions(_with_secrets(store, profile), self_command())
        followed = followed_resolutions(env, aws_files, profile.name)
    problems += environment_problems(env)
    problems += tool_problems(
        tools,
        env,
        profile=profile,
        expected=expected,
        followed=followed,
        known=data.profiles,
        source=profile_source,
    )
    problems += checksum_problems(env, aws_files, tools)
    if profile is not None:
        shell_profile = env.get("S3ENV_PROFILE")
        if shell_profile and shell_profile != profile.name:
            why = _why_expected(profile.name, profile_source, profile_file)
            problems.append(
                Problem(
                    "shell-not-switched",
                    f"this shell uses {shell_profile} but {why}",
                    'eval "$(s3env env)" or install the hook: eval "$(s3env shell-init bash)"',
                )
            )
    return Report(
        profile_source=profile_source if profile else None,
        profile_file=profile_file if profile else None,
        profile=profile.name if profile else None,
        expected_endpoint=profile.endpoint_url if profile else None,
        store=store_facts,
        files=files_list,
        environment=_shown_env(env),
        tools=tools,
        problems=problems,
        expected=expected,
        notes=notes,
    )


def _why_expected(name: str, source: str | None, path: str | None) -> str:
    """'the active profile is x', 'this shell is pinned to x', …: why doctor expects ``name``."""
    if source == "pinned":
        return f"it is pinned to {name} (S3ENV_PINNED)"
    if source == "directory":
        return f"{path} names {name}"
    if source == "flag":
        return f"you asked about {name}"
    return f"the active profile is {name}"


def _with_secrets(store: ProfileStore, profile: Profile) -> Profile:
    """The profile with its secrets, which decide how s3env writes its keys (credentials file or
    credential_process); when the secret store cannot answer, a stand-in for a stored secret."""
    try:
        return store.get(profile.name, secrets=True)
    except S3envError:
        if profile.access_key_id is None:
            return profile
        return profile.replace(secret_access_key="stand-in")
