"""Every s3env command, once: the table that dispatch, help, typo suggestions and the shell
completions read.

Each :class:`Command` names its handler as ``"module:function"``, imported only when the
command runs; ``fast`` commands run without typer (``entry`` calls ``handler(args)``; the S3
commands get the whole command line, since their options come before the command), the others
are typer commands that ``cli.app`` registers from here with this help and these examples.
``s3env env`` imports this module in shell start-up: plain classes and literals only (no
typer, typing, re or dataclasses).
"""

from __future__ import annotations

from s3env.shim.base import SHIM_COMMANDS, SHIM_SUMMARIES

#: the shells `s3env completion` writes a script for
COMPLETION_SHELLS = ("bash", "zsh", "fish")

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms at start-up
if TYPE_CHECKING:
    from typing import Any

#: What `s3env --help` shows first.
SUMMARY = "One profile store for every S3 tool: awscli, boto3, s5cmd and megfile on the same endpoint."
ROOT_EXAMPLES = (
    "printf '%s\\n' \"$SECRET\" | s3env profile add minio --provider minio \\",
    "    --endpoint-url http://127.0.0.1:9000 --access-key-id AK --secret-stdin",
    "s3env use minio",
    "s3env ls s3://bucket/",
    "s3env profile list",
    "s3env providers",
)

#: (key, title) in the order `s3env --help` lists them; "hidden" commands are never listed.
GROUPS: tuple[tuple[str, str], ...] = (
    ("profiles", "Profiles"),
    ("switching", "Switching profiles"),
    ("shell", "Shell integration"),
    ("s3", "S3 commands (s5cmd's, on the active profile; s3env's options before the command)"),
    ("diagnostics", "Diagnostics"),
    ("hidden", ""),
)
S3 = "s3"
HIDDEN = "hidden"


class Option:
    """An option of a fast command (typer commands declare theirs with typer; the S3 commands'
    flags are s5cmd's).  ``kind`` says what completes the value (see ``choices``)."""

    __slots__ = ("help", "kind", "metavar", "names")

    def __init__(self, names: tuple[str, ...], help: str, *, metavar: str = "", kind: str = "") -> None:
        self.names = names
        self.help = help
        self.metavar = metavar  # "" for a switch
        self.kind = kind


HELP_OPTION = Option(("-h", "--help"), "Show this message and exit.")


class Command:
    """One command.  ``args`` lists what each positional argument completes to (a ``choices``
    kind, "" for nothing; a trailing "..." repeats the last); ``usage`` and ``about`` are the
    argument synopsis and the longer description of a fast command's ``--help``."""

    __slots__ = ("about", "args", "examples", "fast", "group", "handler", "help", "name", "options", "usage")

    def __init__(
        self,
        name: str,
        handler: str,
        help: str,
        group: str,
        *,
        examples: tuple[str, ...] = (),
        fast: bool = False,
        usage: str = "",
        about: str = "",
        args: tuple[str, ...] = (),
        options: tuple[Option, ...] = (),
    ) -> None:
        self.name = name
        self.handler = handler
        self.help = help
        self.group = group
        self.examples = examples
        self.fast = fast
        self.usage = usage
        self.about = about
        self.args = args
        self.options = options


_PROFILE = "s3env.cli.commands.profile:"

_TABLE: tuple[Command, ...] = (
    # ---- profiles -------------------------------------------------------------------------
    Command("profile", _PROFILE + "app", "Create, inspect and change profiles.", "profiles"),
    Command(
        "profile add",
        _PROFILE + "add",
        "Add a profile (the secret key from a hidden prompt, stdin or the environment, never argv).",
        "profiles",
        examples=(
            "s3env profile add work --provider minio --endpoint-url https://minio.example.com "
            "--access-key-id AK",
            "    (prompts for the secret key)",
            "printf '%s\\n' \"$SK\" | s3env profile add r2 --provider r2 \\",
            "    --endpoint-url https://ACCOUNT.r2.cloudflarestorage.com --access-key-id AK --secret-stdin",
            "s3env profile add ci --from-env --region eu-west-1",
        ),
        args=("",),
    ),
    Command(
        "profile list",
        _PROFILE + "list_",
        "List profiles (no secrets are read).",
        "profiles",
        examples=("s3env profile list", "s3env profile list --json | jq -r '.[].name'"),
    ),
    Command(
        "profile show",
        _PROFILE + "show_",
        "Show one profile; secrets are masked to their last 4 characters.",
        "profiles",
        examples=("s3env profile show minio", "s3env profile show minio --json"),
        args=("profile",),
    ),
    Command(
        "profile set",
        _PROFILE + "set_",
        "Change settings of a profile, or rotate its keys.",
        "profiles",
        about="An empty VALUE clears a setting; --secret-stdin or --from-env replace the keys; "
        "everything not named stays as it is.",
        examples=(
            "s3env profile set minio region=eu-central-1 addressing_style=path",
            "s3env profile set minio endpoint_url=      (empty: clear it, i.e. use AWS endpoints)",
            "s3env profile set minio extra.payload_signing_enabled=true",
        ),
        args=("profile", "setting..."),
    ),
    Command(
        "profile rm",
        _PROFILE + "rm",
        "Remove a profile and its secrets.",
        "profiles",
        examples=("s3env profile rm old --yes",),
        args=("profile",),
    ),
    Command(
        "profile rename",
        _PROFILE + "rename",
        "Rename a profile (its secrets move with it).",
        "profiles",
        examples=("s3env profile rename minio minio-old",),
        args=("profile", ""),
    ),
    Command(
        "profile copy",
        _PROFILE + "copy",
        "Copy a profile, secrets included.",
        "profiles",
        examples=("s3env profile copy minio minio-eu && s3env profile set minio-eu region=eu-west-1",),
        args=("profile", ""),
    ),
    Command(
        "import",
        "s3env.cli.commands.importer:import_",
        "Adopt an existing setup: profiles from the AWS files, the environment, megfile, rclone or mc.",
        "profiles",
        examples=(
            "s3env import aws --dry-run     (see what would be created; secrets masked)",
            "s3env import aws               (then: s3env use NAME rewrites NAME's sections for every tool)",
            "s3env import rclone --prefix rc-",
            "s3env import env               (AWS_*, S3_ENDPOINT_URL, … of this shell, as profile 'env')",
        ),
        args=("import-source",),
    ),
    Command(
        "providers",
        "s3env.cli.commands.providers:providers",
        "List provider presets (endpoint template, addressing style, default region).",
        "profiles",
        examples=("s3env providers", "s3env providers --json"),
    ),
    # ---- switching ------------------------------------------------------------------------
    Command(
        "use",
        "s3env.cli.commands.use:use",
        "Make NAME the active profile for awscli, boto3, s5cmd and megfile (or print the active one).",
        "switching",
        examples=(
            "s3env use minio          (every tool now talks to minio's endpoint with its keys)",
            "s3env use                (print the active profile)",
            "s3env use work --take-default  (also [default]; yours is kept as profile aws-default)",
        ),
        args=("profile",),
    ),
    Command(
        "write",
        "s3env.cli.commands.use:write",
        "Re-render every section and env file s3env manages from the store.",
        "switching",
        examples=(
            "s3env write              (re-render every managed section from the store)",
            "s3env write --check      (exit 1 if a managed section drifted or was edited by hand)",
            "s3env write --diff       (show what would change; secrets masked)",
        ),
    ),
    Command(
        "release",
        "s3env.cli.commands.use:release",
        "Give every tool's files back: remove what s3env wrote, put back your own [default].",
        "switching",
        examples=(
            "s3env release --dry-run  (say what would change; change nothing)",
            "s3env release            (before uninstalling s3env; the store stays)",
        ),
    ),
    Command(
        "env",
        "s3env.cli.fastpath:env_main",
        'Print what makes this shell use a profile: eval "$(s3env env NAME)".',
        "switching",
        fast=True,
        usage="[NAME] [--shell SHELL] [--with-keys] [--unset]",
        about="Print what makes the current shell use profile NAME, and pin it there (S3ENV_PINNED: a "
        "global `s3env use` no longer switches it; --unset unpins).  Without NAME: the profile that "
        "applies here (a pin, a .s3env file, else the global one; see docs/guide.md).",
        options=(
            Option(
                ("-s", "--shell"),
                "Output format (default: from $SHELL, else sh).",
                metavar="SHELL",
                kind="shell",
            ),
            Option(
                ("--with-keys",),
                "Export the keys themselves (for containers and env-only tools): sets "
                "AWS_ACCESS_KEY_ID/..., S3_ENDPOINT_URL and AWS_ENDPOINT_URL, unsets AWS_PROFILE "
                "(megfile ignores env keys while it is set).",
            ),
            Option(("--unset",), "Print the reverse: unset everything s3env sets."),
        ),
        examples=(
            'eval "$(s3env env minio)"            # bash, zsh, sh',
            "s3env env minio --shell fish | source",
            "s3env env minio --with-keys --shell dotenv > .env",
            'eval "$(s3env env --unset)"',
        ),
        args=("profile",),
    ),
    Command(
        "exec",
        "s3env.cli.fastpath:exec_main",
        "Run a command with a profile's endpoint, region and keys.",
        "switching",
        fast=True,
        usage="[NAME] -- CMD [ARGS...]",
        about="Run CMD with profile NAME's endpoint, region and keys in its environment (never in "
        "argv).  NAME defaults to the profile that applies here (a pinned shell, a .s3env file, else "
        "the global one).  CMD replaces s3env (same pid), so signals "
        "reach it directly and its exit status is s3env's.",
        examples=(
            "s3env exec minio -- s5cmd ls",
            "s3env exec minio -- aws s3 ls",
            "s3env exec minio -- python train.py",
        ),
        args=("profile",),
    ),
    Command(
        "credential-process",
        "s3env.cli.credential_process:main",
        "Print NAME's keys as AWS credential_process JSON (used by awscli, boto3 and megfile).",
        "switching",
        fast=True,
        usage="NAME",
        about="Print NAME's keys as AWS credential_process JSON (Version 1), for awscli, boto3 and "
        "megfile.  `s3env use` writes it for profiles with credentials = process.",
        examples=(
            "credential_process = s3env credential-process minio     (in ~/.aws/config)",
            "s3env credential-process minio | jq .AccessKeyId",
        ),
        args=("profile",),
    ),
    # ---- shell integration ----------------------------------------------------------------
    Command(
        "shell-init",
        "s3env.cli.fastpath:shell_init_main",
        "Print the rc-file code that makes `s3env use` switch this shell and every hooked one.",
        "shell",
        fast=True,
        usage="SHELL",
        about="Print the code to add to your shell's rc file.  It defines a `s3env` function so "
        "that `s3env use NAME` also switches the current shell, and a prompt hook that re-applies "
        "the environment file `s3env use` writes whenever it changed, so a switch in one terminal "
        "reaches every hooked shell at its next prompt.  The hook runs no program: it reads one "
        "line of a file.",
        examples=(
            'eval "$(s3env shell-init bash)"      # ~/.bashrc',
            'eval "$(s3env shell-init zsh)"       # ~/.zshrc',
            "s3env shell-init fish | source       # ~/.config/fish/config.fish",
            "Invoke-Expression (& s3env shell-init pwsh | Out-String)   # $PROFILE",
        ),
        args=("init-shell",),
    ),
    Command(
        "completion",
        "s3env.cli.completion:main",
        "Print the completion script for bash, zsh or fish.",
        "shell",
        fast=True,
        usage="SHELL",
        about="Print the completion script for SHELL: commands (the S3 commands included), "
        "options, profile names, shells, providers, import sources and settings.",
        examples=(
            "s3env completion bash > ~/.local/share/bash-completion/completions/s3env",
            's3env completion zsh > "${fpath[1]}/_s3env"',
            "s3env completion fish > ~/.config/fish/completions/s3env.fish",
        ),
        args=("completion-shell",),
    ),
    # ---- the S3 commands (the shim) ---------------------------------------------------------
    *(Command(name, "s3env.shim.frame:main", SHIM_SUMMARIES[name], S3, fast=True) for name in SHIM_COMMANDS),
    # ---- diagnostics ----------------------------------------------------------------------
    Command(
        "doctor",
        "s3env.cli.commands.doctor:doctor",
        "Show what awscli, boto3, s5cmd and megfile would use right now, why, and what is wrong.",
        "diagnostics",
        examples=(
            "s3env doctor                (the profile that applies here, and why)",
            "s3env doctor minio --live   (list buckets as minio itself, and with every tool of this shell)",
            "s3env doctor --json | jq '.tools.s5cmd.endpoint_url'",
        ),
        args=("profile",),
    ),
    # ---- hidden helpers of the completion scripts -----------------------------------------
    Command(
        "_profiles",
        "s3env.cli.fastpath:profile_names_main",
        "Profile names, one a line (nothing on error).",
        HIDDEN,
        fast=True,
    ),
    Command(
        "_providers",
        "s3env.cli.fastpath:provider_names_main",
        "Provider names, one a line.",
        HIDDEN,
        fast=True,
    ),
)

#: name ("profile add" for a subcommand) -> Command, in the table's order.
COMMANDS: dict[str, Command] = {command.name: command for command in _TABLE}

#: The S3 commands' examples (`s3env --help`, `s3env COMMAND -h`).
S3_EXAMPLES = (
    "s3env ls                                  # buckets",
    "s3env ls 's3://bucket/logs/*'             # '*' also matches across '/'",
    "s3env cp dir s3://bucket/dir/             # a directory copies recursively",
    "s3env --backend boto3 --json ls 's3://bucket/*'",
    "s3env -p minio sync --delete data/ s3://bucket/data/",
)
S3_ABOUT = (
    "s5cmd's commands, with the endpoint, region and keys of --profile or else the profile that "
    "applies here (a pinned shell, a .s3env file, else the global one), "
    "through s5cmd when it is installed and through boto3 otherwise (--backend or S3ENV_BACKEND "
    "chooses): same output, same exit statuses either way."
)

#: What completes an option's value in the typer commands, by option (their other options
#: that take a value complete nothing).
TYPER_OPTION_KINDS = {"--provider": "provider", "--addressing-style": "style", "--credentials": "credentials"}


def top_level(*, hidden: bool = False) -> list[Command]:
    return [c for c in _TABLE if " " not in c.name and (hidden or c.group != HIDDEN)]


def subcommands(parent: str) -> list[Command]:
    prefix = parent + " "
    return [c for c in _TABLE if c.name.startswith(prefix) and " " not in c.name[len(prefix) :]]


def load(handler: str) -> Any:
    """The object a ``"module:attribute"`` handler names, imported now (``__import__``, not
    importlib, whose package costs ``s3env env`` ~0.5 ms)."""
    import sys

    module, _sep, attribute = handler.partition(":")
    __import__(module)
    return getattr(sys.modules[module], attribute)


def suggest(word: str, names: list[str]) -> str | None:
    """The closest of ``names`` to a mistyped ``word`` (as click's "did you mean"), or None."""
    import difflib

    matches = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return matches[0] if matches else None


def choices(kind: str) -> list[str] | None:
    """The values of an argument or option ``kind``; None for those read at TAB time
    (``profile``: ``s3env _profiles``, ``provider``: ``s3env _providers``) and free values."""
    if kind == "shell":
        from s3env.integrations.shells import SHELLS

        return list(SHELLS)
    if kind == "init-shell":  # the shells with a prompt hook
        from s3env.integrations.shells import hook_shells

        return hook_shells()
    if kind == "completion-shell":
        return list(COMPLETION_SHELLS)
    if kind == "import-source":
        from s3env.integrations.importers import SOURCES

        return list(SOURCES)
    if kind == "setting":
        from s3env.core.model import SETTABLE_FIELDS

        return [f"{field}=" for field in SETTABLE_FIELDS] + ["extra."]
    if kind == "style":
        from s3env.core.model import ADDRESSING_STYLES

        return list(ADDRESSING_STYLES)
    if kind == "credentials":
        from s3env.core.model import CREDENTIAL_MODES

        return list(CREDENTIAL_MODES)
    if kind == "backend":
        from s3env.shim.registry import KNOWN_BACKENDS

        return list(KNOWN_BACKENDS)
    return None
