"""Shell completion scripts for bash, zsh and fish, generated from the command tree.

``s3env completion SHELL`` prints one; ``make completions`` writes them to ``completions/``
(checked in; a test fails when they drift from the commands).  Profile names are read live
from the store at TAB time through the hidden fast command ``s3env _profiles``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from s3env.core.errors import UsageError

SHELLS = ("bash", "zsh", "fish")
VALUE_KINDS = {
    "--shell": "shell",
    "-s": "shell",
    "--provider": "provider",
    "--addressing-style": "style",
    "--credentials": "credentials",
}
STATIC_VALUES = {
    "style": ["auto", "path", "virtual"],
    "credentials": ["file", "process"],
    "shell": ["bash", "zsh", "fish", "sh", "pwsh", "cmd", "dotenv", "json"],
    "init-shell": ["bash", "zsh", "fish", "pwsh"],
    "completion-shell": list(SHELLS),
    "import-source": ["aws", "env", "megfile", "rclone", "mc"],
    "setting": [
        "endpoint_url=",
        "region=",
        "addressing_style=",
        "provider=",
        "access_key_id=",
        "credentials=",
        "extra.",
    ],
}


@dataclass
class Command:
    path: tuple[str, ...]
    help: str
    options: list[str] = field(default_factory=list)
    #: what each positional argument completes to: "profile", a STATIC_VALUES key, or ""
    args: list[str] = field(default_factory=list)
    repeat_last: bool = False


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0].rstrip(".") if text and text.strip() else ""


_PROFILE_ARGS = {"NAME", "OLD", "SRC", "[NAME]"}
FAST_COMMANDS = ("env", "exec", "shell-init", "completion")


def command_tree() -> list[Command]:
    """Every command with its options and positional kinds (typer commands read from click)."""
    import typer.main

    from s3env.cli.app import app

    root = typer.main.get_command(app)
    commands: list[Command] = []

    def walk(cmd, path: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
        sub = getattr(cmd, "commands", None)
        if sub:
            commands.append(Command(path, _first_line(cmd.help), ["--help"], ["subcommand"]))
            for name in sorted(sub):
                if path or name not in FAST_COMMANDS:  # described below, not by their typer stubs
                    walk(sub[name], (*path, name))
            return
        options: list[str] = []
        args: list[str] = []
        repeat = False
        for param in cmd.params:
            if param.param_type_name == "option":
                options.extend(o for o in param.opts if o.startswith("--"))
            else:
                metavar = param.metavar or param.name.upper()
                if metavar in _PROFILE_ARGS and path != ("profile", "add"):  # add takes a new name
                    args.append("profile")
                elif metavar == "SOURCE":
                    args.append("import-source")
                elif metavar.lstrip("[").startswith("KEY=VALUE"):
                    args.append("setting")
                    repeat = True
                else:
                    args.append("")
        commands.append(Command(path, _first_line(cmd.help), [*sorted(options), "--help"], args, repeat))

    walk(root, ())
    commands[0].options = ["--help", "--version"]
    # Fast-path commands that do not go through typer.
    commands += [
        Command(
            ("env",),
            "Print the environment for a profile",
            ["--help", "--shell", "--unset", "--with-keys"],
            ["profile"],
        ),
        Command(("exec",), "Run a command with a profile's environment", ["--help"], ["profile"]),
        Command(("shell-init",), "Print the shell integration code", ["--help"], ["init-shell"]),
        Command(("completion",), "Print a completion script", ["--help"], ["completion-shell"]),
    ]
    return commands


def _children(commands: list[Command], path: tuple[str, ...]) -> list[str]:
    return sorted(
        c.path[-1] for c in commands if len(c.path) == len(path) + 1 and c.path[: len(path)] == path
    )


def _word_list(words: list[str]) -> str:
    return " ".join(words)


def render(shell: str) -> str:
    if shell not in SHELLS:
        raise UsageError(f"no completion for {shell!r}: choose one of {', '.join(SHELLS)}")
    commands = command_tree()
    if shell == "fish":
        return _fish(commands)
    return _bash_or_zsh(commands, shell)


def _value_case(indent: str) -> str:
    lines = [f"{indent}--provider) values=$(command s3env _providers 2>/dev/null) ;;"]
    for opt, kind in VALUE_KINDS.items():
        if kind in STATIC_VALUES:
            lines.append(f'{indent}{opt}) values="{_word_list(STATIC_VALUES[kind])}" ;;')
    return "\n".join(lines)


def _positional_case(commands: list[Command], indent: str) -> str:
    lines = []
    for c in commands:
        key = " ".join(c.path)
        if c.args == ["subcommand"]:
            lines.append(f'{indent}"{key}") values="{_word_list(_children(commands, c.path))}" ;;')
            continue
        kinds = c.args
        if not kinds:
            continue
        parts = []
        for i, kind in enumerate(kinds):
            pattern = f"{i}" if not (c.repeat_last and i == len(kinds) - 1) else "*"
            if kind == "profile":
                parts.append(f"{pattern}) values=$(command s3env _profiles 2>/dev/null) ;;")
            elif kind:
                parts.append(f'{pattern}) values="{_word_list(STATIC_VALUES[kind])}" ;;')
        if parts:
            lines.append(f'{indent}"{key}") case $npos in {" ".join(parts)} esac ;;')
    return "\n".join(lines)


def _option_case(commands: list[Command], indent: str) -> str:
    return "\n".join(f'{indent}"{" ".join(c.path)}") values="{_word_list(c.options)}" ;;' for c in commands)


_GROUPS_NOTE = "# generated by `s3env completion {shell}` (make completions); do not edit"


# Options whose next word is their value, so it is not a command or a positional argument.
VALUE_OPTIONS = (*VALUE_KINDS, "--endpoint-url", "--region", "--access-key-id", "--prefix")

# bash and zsh share one function body; only the word array, its first index and the way
# candidates are handed back differ.
_SHELL_SPECIFIC = {
    "bash": {
        "header": "# bash completion for s3env",
        "install": "s3env completion bash > ~/.local/share/bash-completion/completions/s3env",
        "words": "COMP_WORDS",
        "current": "COMP_CWORD",
        "first": "1",
        "reply": 'COMPREPLY=($(compgen -W "$values" -- "$cur"))',
        "footer": "complete -o default -F _s3env s3env",
    },
    "zsh": {
        "header": "#compdef s3env",
        "install": 's3env completion zsh > "${fpath[1]}/_s3env"   (then: compinit)',
        "words": "words",
        "current": "CURRENT",
        "first": "2",
        "reply": "[[ -n $values ]] && compadd -- ${=values}",
        "footer": (
            'if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _s3env "$@"; else compdef _s3env s3env; fi'
        ),
    },
}


def _bash_or_zsh(commands: list[Command], shell: str) -> str:
    spec = _SHELL_SPECIFIC[shell]
    groups = " ".join(" ".join(c.path) for c in commands if c.args == ["subcommand"] and c.path)
    words, current = spec["words"], spec["current"]
    note = _GROUPS_NOTE.format(shell=shell)
    return f"""\
{spec["header"]}
{note}
# install: {spec["install"]}
_s3env() {{
  local cur prev cmdpath="" npos=0 word i values=""
  cur=${{{words}[{current}]}}
  prev=${{{words}[{current}-1]}}
  for ((i = {spec["first"]}; i < {current}; i++)); do
    word=${{{words}[i]}}
    case $word in
      --) break ;;
      {"|".join(VALUE_OPTIONS)})
        ((i++)) ;;
      -*) ;;
      *)
        if [[ -z $cmdpath ]]; then cmdpath=$word
        elif (( npos == 0 )) && [[ " {groups} " == *" $cmdpath "* ]]; then cmdpath="$cmdpath $word"
        else ((npos++))
        fi ;;
    esac
  done
  case $prev in
{_value_case("    ")}
  esac
  if [[ -z $values && $cur == -* ]]; then
    case $cmdpath in
{_option_case(commands, "      ")}
    esac
  elif [[ -z $values ]]; then
    case $cmdpath in
{_positional_case(commands, "      ")}
    esac
  fi
  {spec["reply"]}
}}
{spec["footer"]}
"""


def _fish(commands: list[Command]) -> str:
    from s3env.integrations.shells.fish import quote_fish

    lines = [
        "# fish completion for s3env",
        _GROUPS_NOTE.format(shell="fish"),
        "# install: s3env completion fish > ~/.config/fish/completions/s3env.fish",
        "complete -c s3env -f",
    ]
    top_level = _children(commands, ())
    lines.append("complete -c s3env -n '__fish_use_subcommand' -l version -d 'Print the version'")
    for c in commands:
        if len(c.path) == 1:
            lines.append(
                f"complete -c s3env -n '__fish_use_subcommand' -a {c.path[0]} -d {quote_fish(c.help)}"
            )
    for c in commands:
        if len(c.path) < 1:
            continue
        if len(c.path) == 1:
            cond = f"__fish_seen_subcommand_from {c.path[0]}"
        else:
            cond = f"__fish_seen_subcommand_from {c.path[0]}; and __fish_seen_subcommand_from {c.path[1]}"
        if c.args == ["subcommand"]:
            kids = _children(commands, c.path)
            lines.append(
                f"complete -c s3env -n '__fish_seen_subcommand_from {c.path[0]}; "
                f"and not __fish_seen_subcommand_from {' '.join(kids)}' -a '{' '.join(kids)}'"
            )
            continue
        for opt in c.options:
            kind = VALUE_KINDS.get(opt)
            spec = f"complete -c s3env -n '{cond}' -l {opt[2:]}"
            if kind == "provider":
                spec += " -x -a '(command s3env _providers 2>/dev/null)'"
            elif kind in STATIC_VALUES:
                spec += f" -x -a '{' '.join(STATIC_VALUES[kind])}'"
            elif opt in ("--endpoint-url", "--region", "--access-key-id"):
                spec += " -x"
            lines.append(spec)
        if c.args and c.args[0] == "profile":
            lines.append(f"complete -c s3env -n '{cond}' -a '(command s3env _profiles 2>/dev/null)'")
        elif c.args and c.args[0] in STATIC_VALUES:
            lines.append(f"complete -c s3env -n '{cond}' -a '{' '.join(STATIC_VALUES[c.args[0]])}'")
    del top_level
    return "\n".join(lines) + "\n"


def main(args: list[str]) -> int:
    """``s3env completion SHELL``."""
    import sys

    if args[:1] in (["-h"], ["--help"]) or len(args) != 1:
        usage = (
            "Usage: s3env completion bash|zsh|fish\n\n  Print the completion script for SHELL.\n\n"
            "Examples:\n  s3env completion bash > ~/.local/share/bash-completion/completions/s3env\n"
            '  s3env completion zsh > "${fpath[1]}/_s3env"\n'
            "  s3env completion fish > ~/.config/fish/completions/s3env.fish\n"
        )
        (sys.stdout if args[:1] in (["-h"], ["--help"]) else sys.stderr).write(usage)
        return 0 if args[:1] in (["-h"], ["--help"]) else 2
    from s3env.core.errorline import run_guarded

    def emit(shells: list[str]) -> int:
        sys.stdout.write(render(shells[0]))
        return 0

    return run_guarded(emit, args)
