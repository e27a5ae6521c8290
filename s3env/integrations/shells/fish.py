"""fish.

Inside single quotes fish treats only ``\\`` and ``'`` specially, so both are escaped with
a backslash; newlines are literal.  Double quotes are unsafe (``"$(…)"`` runs a command in
fish 3.6+).  ``set -e`` returns 4 for an absent variable: ``; or true`` keeps a sourced
script's status clean.  Load with ``s3env env | source`` (``eval (cmd)`` joins lines).
"""

from __future__ import annotations

import os

from s3env.integrations.shells.base import Shell


def quote_fish(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class FishShell(Shell):
    name = "fish"
    file_suffix = "fish"

    def set(self, name: str, value: str) -> str:
        return f"set -gx {name} {quote_fish(value)}"

    def unset(self, name: str) -> str:
        return f"set -e {name}; or true"

    def hook(self, s3env_command: str, env_file: str) -> str:
        return _FISH_HOOK.format(
            env_file=quote_fish(env_file), env_dir=quote_fish(os.path.dirname(env_file)), s3env=s3env_command
        )


# fish's builtin `test` sees the owner (-O) but no mode bits (and `path filter --perm` only the
# current user's own permissions), so, as in bash, the hook checks that the file and its
# directory are the user's and not links; s3env keeps them 0600 and 0700.
_FISH_HOOK = """\
# s3env shell integration for fish: s3env shell-init fish | source   (in config.fish)
set -g __s3env_env_file {env_file}
set -g __s3env_env_dir {env_dir}
function __s3env_hook --on-event fish_prompt
    if not test -f $__s3env_env_file; or test -L $__s3env_env_file; or not test -O $__s3env_env_file
        or test -L $__s3env_env_dir; or not test -O $__s3env_env_dir
        if not set -q __s3env_refused; and begin; test -e $__s3env_env_file; or test -L $__s3env_env_file; end
            set -g __s3env_refused 1
            echo "s3env: not applying $__s3env_env_file:" \\
                "it or its directory is a link or is not yours (see: s3env doctor)" >&2
        end
        return 0
    end
    read -l __s3env_line < $__s3env_env_file; or return 0
    if test "$__s3env_line" != "$__S3ENV_APPLIED"
        source $__s3env_env_file
        set -g __S3ENV_APPLIED $__s3env_line
    end
end
function s3env
    command {s3env} $argv
    set -l __s3env_rc $status
    if test $__s3env_rc -eq 0; and test (count $argv) -ge 2; and test "$argv[1]" = use
        __s3env_hook
    end
    return $__s3env_rc
end
__s3env_hook
"""
