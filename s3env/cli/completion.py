"""Shell completion scripts for bash, zsh and fish, generated from the command table.

``s3env completion SHELL`` prints one; ``make completions`` writes them to ``completions/``
(checked in; a test fails when they drift from the commands).  What they complete comes from
``s3env.cli.table``: the commands (the S3 commands included) and their help, each command's
options — the fast commands' from the table, the typer commands' from their typer parameters,
the S3 commands' from s5cmd's own help — the S3 commands' global options before the command,
and the values of arguments and options (``table.choices``: shells, import sources, settable
fields, addressing styles, backends).  Profile and provider names are read at TAB time through
the hidden fast commands ``s3env _profiles`` and ``s3env _providers``.
"""

from __future__ import annotations

from s3env.cli.table import (
    COMPLETION_SHELLS,
    S3,
    TYPER_OPTION_KINDS,
    Command,
    choices,
    subcommands,
    top_level,
)
from s3env.core.errors import UsageError

#: values read when TAB is pressed, by kind
DYNAMIC = {
    "profile": "command s3env _profiles 2>/dev/null",
    "provider": "command s3env _providers 2>/dev/null",
}
#: the path of the command line after s3env's global options and before the S3 command
GLOBAL = "-"


class Opt:
    __slots__ = ("help", "kind", "names", "takes_value")

    def __init__(self, names: tuple[str, ...], takes_value: bool, kind: str = "", help: str = "") -> None:
        self.names = names
        self.takes_value = takes_value
        self.kind = kind
        self.help = help

    @property
    def long(self) -> list[str]:
        return [n for n in self.names if n.startswith("--")]


class Spec:
    """What one command path completes: its options and its positional arguments' kinds
    ("command" and "subcommand": the words below it; "files": local paths)."""

    __slots__ = ("args", "help", "options", "path", "words")

    def __init__(
        self, path: str, help: str, options: list[Opt], args: tuple[str, ...], words: list[str] | None = None
    ) -> None:
        self.path = path
        self.help = help
        self.options = options
        self.args = args
        self.words = words or []


HELP = Opt(("-h", "--help"), False, help="Show the help")


def _first_line(text: str | None) -> str:
    line = (text or "").strip().splitlines()[0] if text and text.strip() else ""
    return line.rstrip(".")


def _global_options() -> list[Opt]:
    from s3env.shim.frame import GLOBAL_OPTIONS

    return [
        Opt(tuple(n for n in (short, long) if n), bool(metavar), kind, _first_line(help))
        for long, short, metavar, kind, help in GLOBAL_OPTIONS
    ]


def _typer_options(command: Command) -> list[Opt]:
    """A typer command's options, from the click command typer builds for it."""
    import typer.main

    from s3env.cli.app import app

    click_command = typer.main.get_command(app)
    for word in command.name.split():
        click_command = click_command.commands[word]  # type: ignore[attr-defined]
    options = []
    for param in click_command.params:
        if param.param_type_name != "option" or param.hidden:  # type: ignore[attr-defined]
            continue
        names = tuple(sorted(param.opts + param.secondary_opts, key=len))
        kind = next((TYPER_OPTION_KINDS[n] for n in names if n in TYPER_OPTION_KINDS), "")
        options.append(Opt(names, not param.is_flag, kind, _first_line(param.help)))  # type: ignore[attr-defined]
    return [*options, HELP]


def _s3_options(name: str) -> list[Opt]:
    from s3env.shim.frame import flag_table

    return [Opt(names, takes, "", _first_line(help)) for names, takes, help in flag_table(name)]


def specs() -> list[Spec]:
    """Every command path the scripts know, the root ("") and GLOBAL first."""
    visible = top_level()
    root_options = [Opt(("--version",), False, help="Print the version"), HELP, *_global_options()]
    out = [
        Spec("", "", root_options, ("command",), [c.name for c in visible]),
        Spec(
            GLOBAL, "", [HELP, *_global_options()], ("command",), [c.name for c in visible if c.group == S3]
        ),
    ]
    for command in visible:
        children = subcommands(command.name)
        if children:
            out.append(
                Spec(
                    command.name,
                    command.help,
                    [HELP],
                    ("subcommand",),
                    [c.name.split()[-1] for c in children],
                )
            )
            out += [Spec(c.name, c.help, _typer_options(c), c.args) for c in children]
        elif command.group == S3:
            out.append(Spec(command.name, command.help, _s3_options(command.name), ("files...",)))
        elif command.fast:
            options = [Opt(o.names, bool(o.metavar), o.kind, _first_line(o.help)) for o in command.options]
            out.append(Spec(command.name, command.help, [*options, HELP], command.args))
        else:
            out.append(Spec(command.name, command.help, _typer_options(command), command.args))
    return out


def render(shell: str) -> str:
    if shell not in COMPLETION_SHELLS:
        raise UsageError(f"no completion for {shell!r}: choose one of {', '.join(COMPLETION_SHELLS)}")
    all_specs = specs()
    if shell == "fish":
        return _fish(all_specs)
    return _bash_or_zsh(all_specs, shell)


def _groups(all_specs: list[Spec]) -> list[str]:
    return [s.path for s in all_specs if s.args == ("subcommand",)]


def _value_options(all_specs: list[Spec]) -> list[tuple[str, str, Opt]]:
    """(path, spelling, option) of every option that takes a value."""
    return [
        (s.path, name, o) for s in all_specs if s.path for o in s.options if o.takes_value for name in o.names
    ]


# ---- bash and zsh ------------------------------------------------------------------------------

_NOTE = "# generated by `s3env completion {shell}` (make completions) from s3env's command table; do not edit"

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
        "reply": "if [[ -n $values ]]; then compadd -- ${=values}; elif [[ -n $files ]]; then _files; fi",
        "footer": (
            'if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _s3env "$@"; else compdef _s3env s3env; fi'
        ),
    },
}


def _words(kind: str) -> str | None:
    """The shell code that sets ``values`` for a kind, or None when nothing completes it."""
    if kind in DYNAMIC:
        return f"values=$({DYNAMIC[kind]})"
    listed = choices(kind) if kind else None
    return f'values="{" ".join(listed)}"' if listed else None


def _value_case(all_specs: list[Spec], indent: str) -> str:
    """``case "$cmdpath|$prev"``: the value of the option just typed (nothing for a free value)."""
    by_action: dict[str, list[str]] = {}
    for path, name, option in _value_options(all_specs):
        by_action.setdefault(_words(option.kind) or ":", []).append(f'"{path}|{name}"')
    return "\n".join(
        f"{indent}{'|'.join(patterns)}) valued=1; {action} ;;" for action, patterns in by_action.items()
    )


def _option_case(all_specs: list[Spec], indent: str) -> str:
    return "\n".join(
        f'{indent}"{s.path}") values="{" ".join(n for o in s.options for n in o.long)}" ;;' for s in all_specs
    )


def _positional_case(all_specs: list[Spec], indent: str) -> str:
    lines = []
    for s in all_specs:
        if s.args in (("command",), ("subcommand",)):
            lines.append(f'{indent}"{s.path}") values="{" ".join(sorted(s.words))}" ;;')
            continue
        if s.args == ("files...",):
            lines.append(f'{indent}"{s.path}") files=1 ;;')
            continue
        parts = []
        for i, kind in enumerate(s.args):
            repeat = kind.endswith("...")
            action = _words(kind.removesuffix("..."))
            if action:
                parts.append(f"{'*' if repeat else i}) {action} ;;")
        if parts:
            lines.append(f'{indent}"{s.path}") case $npos in {" ".join(parts)} esac ;;')
    return "\n".join(lines)


def _bash_or_zsh(all_specs: list[Spec], shell: str) -> str:
    spec = _SHELL_SPECIFIC[shell]
    words, current = spec["words"], spec["current"]
    skips = "|".join(f'"{path}|{name}"' for path, name, _o in _value_options(all_specs))
    groups = " ".join(_groups(all_specs))
    return f"""\
{spec["header"]}
{_NOTE.format(shell=shell)}
# install: {spec["install"]}
_s3env() {{
  local cur prev cmdpath="" npos=0 word i values="" valued="" files=""
  cur=${{{words}[{current}]}}
  prev=${{{words}[{current}-1]}}
  for ((i = {spec["first"]}; i < {current}; i++)); do
    word=${{{words}[i]}}
    if [[ $word == -- ]]; then
      break
    elif [[ $word == -* ]]; then
      [[ -z $cmdpath ]] && cmdpath={GLOBAL}
      case "$cmdpath|$word" in
        {skips}) ((i++)) ;;
      esac
    elif [[ -z $cmdpath || $cmdpath == {GLOBAL} ]]; then cmdpath=$word
    elif (( npos == 0 )) && [[ " {groups} " == *" $cmdpath "* ]]; then cmdpath="$cmdpath $word"
    else ((npos++))
    fi
  done
  case "$cmdpath|$prev" in
{_value_case(all_specs, "    ")}
  esac
  if [[ -n $valued ]]; then
    :
  elif [[ $cur == -* ]]; then
    case $cmdpath in
{_option_case(all_specs, "      ")}
    esac
  else
    case $cmdpath in
{_positional_case(all_specs, "      ")}
    esac
  fi
  {spec["reply"]}
}}
{spec["footer"]}
"""


# ---- fish ----------------------------------------------------------------------------------------


def _fish(all_specs: list[Spec]) -> str:
    from s3env.integrations.shells.fish import quote_fish

    skips = " ".join(quote_fish(f"{path}|{name}") for path, name, _o in _value_options(all_specs))
    groups = " ".join(_groups(all_specs))
    lines = [
        "# fish completion for s3env",
        _NOTE.format(shell="fish"),
        "# install: s3env completion fish > ~/.config/fish/completions/s3env.fish",
        "",
        "# The command path (`profile add`, `-` after s3env's global options) and how many",
        "# positional arguments it already has, as PATH|N, from the words before the cursor.",
        "function __s3env_state",
        "    set -l words (commandline -opc)",
        "    set -l path ''",
        "    set -l npos 0",
        "    set -l i 2",
        "    while test $i -le (count $words)",
        "        set -l word $words[$i]",
        "        if test $word = --",
        "            break",
        "        else if string match -q -- '-*' $word",
        f'            test -z "$path"; and set path {GLOBAL}',
        '            switch "$path|$word"',
        f"                case {skips}",
        "                    set i (math $i + 1)",
        "            end",
        f'        else if test -z "$path" -o "$path" = {GLOBAL}',
        "            set path $word",
        f"        else if test $npos -eq 0; and contains -- $path {groups}",
        '            set path "$path $word"',
        "        else",
        "            set npos (math $npos + 1)",
        "        end",
        "        set i (math $i + 1)",
        "    end",
        '    echo "$path|$npos"',
        "end",
        "",
        "# at PATH [N]: the command line is at PATH (and completes its positional argument N;",
        "# N+ for N or later)",
        "function __s3env_at",
        "    set -l state (string split '|' -- (__s3env_state))",
        '    test "$state[1]" = "$argv[1]"; or return 1',
        "    set -q argv[2]; or return 0",
        "    if string match -q -- '*+' $argv[2]",
        "        test $state[2] -ge (string trim -r -c + -- $argv[2])",
        "    else",
        "        test $state[2] -eq $argv[2]",
        "    end",
        "end",
        "",
        "complete -c s3env -f",
    ]
    for s in all_specs:
        at = f'"{s.path}"'  # inside the single-quoted condition; no path holds " or $
        for option in s.options:
            spec = f"complete -c s3env -n '__s3env_at {at}'"
            for name in option.names:
                spec += f" -l {name[2:]}" if name.startswith("--") else f" -s {name[1:]}"
            listed = _fish_values(option.kind) if option.takes_value else ""
            if listed:  # (no description then: fish would show it beside each value)
                spec += f" -x -a {quote_fish(listed)}"
            else:
                spec += " -r" if option.takes_value else ""
                spec += f" -d {quote_fish(option.help)}" if option.help else ""
            lines.append(spec)
        if s.args == ("subcommand",):
            lines.append(f"complete -c s3env -n '__s3env_at {at} 0' -a {quote_fish(' '.join(s.words))}")
            continue
        if s.args == ("command",):
            helps = {c.name: _first_line(c.help) for c in top_level()}
            for word in s.words:
                lines.append(
                    f"complete -c s3env -n '__s3env_at {at} 0' -a {word} -d {quote_fish(helps[word])}"
                )
            continue
        if s.args == ("files...",):
            lines.append(f"complete -c s3env -n '__s3env_at {at}' -F")
            continue
        for i, kind in enumerate(s.args):
            listed = _fish_values(kind.removesuffix("..."))
            if listed:
                n = f"{i}+" if kind.endswith("...") else str(i)
                lines.append(f"complete -c s3env -n '__s3env_at {at} {n}' -a {quote_fish(listed)}")
    return "\n".join(lines) + "\n"


def _fish_values(kind: str) -> str:
    """What ``complete -a`` takes for a kind: a command substitution or the words."""
    if kind in DYNAMIC:
        return f"({DYNAMIC[kind]})"
    return " ".join(choices(kind) or []) if kind else ""


def main(args: list[str]) -> int:
    """``s3env completion SHELL``."""
    import sys

    if args[:1] in (["-h"], ["--help"]):
        from s3env.cli.helptext import command_help

        sys.stdout.write(command_help("completion"))
        return 0
    if len(args) != 1:
        from s3env.core.errorline import print_error

        print_error(f"usage: s3env completion {'|'.join(COMPLETION_SHELLS)} (see 's3env completion --help')")
        return 2
    from s3env.core.errorline import run_guarded

    def emit(shells: list[str]) -> int:
        sys.stdout.write(render(shells[0]))
        return 0

    return run_guarded(emit, args)
