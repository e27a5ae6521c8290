"""``s3env env``, ``exec``, ``shell-init`` and the completion helpers without typer, boto3 or
rich: they run in shell start-up (their help comes from the command table, ``cli.helptext``).

Arguments are parsed by hand (tiny grammar, no argparse import); output is printed only
after everything was checked, because ``eval "$(s3env env)"`` runs whatever was printed
even when the command failed.
"""

from __future__ import annotations

import os
import sys

from s3env.core.errorline import print_error as _error
from s3env.core.errorline import run_guarded as _run
from s3env.core.errors import S3envError, UsageError


def parse_env_args(args: list[str]) -> tuple[str | None, str | None, bool, bool]:
    """(name, shell, with_keys, unset).  Pure."""
    name: str | None = None
    shell: str | None = None
    with_keys = unset = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-s", "--shell"):
            if i + 1 >= len(args):
                raise UsageError(f"{arg} needs a value (see 's3env env --help')")
            shell = args[i + 1]
            i += 2
            continue
        if arg.startswith("--shell="):
            shell = arg.split("=", 1)[1]
        elif arg == "--with-keys":
            with_keys = True
        elif arg == "--unset":
            unset = True
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"no such option: {arg} (see 's3env env --help')")
        elif name is None:
            name = arg
        else:
            raise UsageError(f"unexpected argument {arg!r} (see 's3env env --help')")
        i += 1
    if unset and (with_keys or name is not None):
        raise UsageError("--unset takes no profile name and no --with-keys")
    return name, shell, with_keys, unset


def env_main(args: list[str]) -> int:
    if "-h" in args or "--help" in args:
        return _help("env")
    return _run(_env, args)


def _env(args: list[str]) -> int:
    from s3env.integrations.envvars import render_export

    name, shell_name, with_keys, unset = parse_env_args(args)
    text, warning = render_export(name, shell_name=shell_name, with_keys=with_keys, unset=unset)
    if warning:
        print(f"s3env: {warning}", file=sys.stderr)
    sys.stdout.write(text)
    return 0


def exec_main(args: list[str]) -> int:
    if args[:1] in (["-h"], ["--help"]):
        return _help("exec")
    return _run(_exec, args)


def _exec(args: list[str]) -> int:
    if "--" in args:
        split = args.index("--")
        head, command = args[:split], args[split + 1 :]
    else:
        head, command = args[:1], args[1:]
    if len(head) > 1 or any(a.startswith("-") for a in head):
        raise UsageError("usage: s3env exec [NAME] -- CMD [ARGS...]")
    if not command:
        raise UsageError("no command given: s3env exec [NAME] -- CMD [ARGS...]")
    from s3env.integrations.envvars import exec_environment

    env = exec_environment(head[0] if head else None, os.environ)
    try:
        os.execvpe(command[0], command, env)
    except FileNotFoundError:
        _error(f"command not found: {command[0]}")
        return 127
    except OSError as exc:  # permission denied, exec format error, not a directory, …
        _error(f"cannot run {command[0]}: {exc.strerror or type(exc).__name__}")
        return 126
    return 0  # pragma: no cover - execvpe does not return


def shell_init_main(args: list[str]) -> int:
    if args[:1] in (["-h"], ["--help"]):
        return _help("shell-init")
    return _run(_shell_init, args)


def _shell_init(args: list[str]) -> int:
    import shlex

    from s3env.core.selfcmd import self_command
    from s3env.integrations.shells import get_hook_shell, hook_shells
    from s3env.store.paths import StorePaths

    if len(args) != 1:
        raise UsageError(f"usage: s3env shell-init {'|'.join(hook_shells())}")
    shell = get_hook_shell(args[0])
    env_file = StorePaths.from_env().env_file(shell.file_suffix)
    command = self_command()
    if shell.name == "pwsh":
        quoted = " ".join("'" + part.replace("'", "''") + "'" for part in command)
    elif shell.name == "fish":  # fish reads \\ and \' as escapes inside single quotes: not shlex's
        from s3env.integrations.shells.fish import quote_fish

        quoted = " ".join(quote_fish(part) for part in command)
    else:
        quoted = shlex.join(command)
    code = shell.hook(quoted, str(env_file))  # absolute: StorePaths makes S3ENV_HOME so
    assert code is not None  # get_hook_shell: only the shells with a hook
    sys.stdout.write(code)
    return 0


def profile_names_main(args: list[str]) -> int:
    """``s3env _profiles``, for completion scripts at TAB time: profile names, one a line,
    nothing on error."""
    from s3env.store.profiles import ProfileStore

    try:
        names = list(ProfileStore().read().profiles)
    except S3envError:
        return 1
    sys.stdout.write("".join(f"{name}\n" for name in names))
    return 0


def provider_names_main(args: list[str]) -> int:
    """``s3env _providers``: the provider presets' names, one a line."""
    from s3env.core.providers import PROVIDERS

    sys.stdout.write("".join(f"{name}\n" for name in PROVIDERS))
    return 0


def _help(name: str) -> int:
    from s3env.cli.helptext import command_help

    sys.stdout.write(command_help(name))
    return 0
