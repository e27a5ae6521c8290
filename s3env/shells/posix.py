"""POSIX sh, bash and zsh.

Single quotes keep every byte literal in all three (``$``, backticks, ``\\``, ``!`` in eval'd
text, newlines); the only character that cannot appear inside them is ``'`` itself, written
as ``'\\''`` (close, escaped quote, reopen).  Unset with ``unset N``: ``export -n`` is
rejected by zsh and dash.
"""

from __future__ import annotations

from s3env.shells.base import Shell


def quote_posix(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


class PosixShell(Shell):
    name = "sh"
    file_suffix = "sh"

    def set(self, name: str, value: str) -> str:
        return f"export {name}={quote_posix(value)}"

    def unset(self, name: str) -> str:
        return f"unset {name}"


# The prompt hook reads only the env file's first line (a builtin `read`: no fork, no Python)
# and sources the file when that line differs from the one applied last.
_BASH_HOOK = """\
# s3env shell integration for {shell}: eval "$(s3env shell-init {shell})" in your rc file.
_s3env_env_file={env_file}
_s3env_hook() {{
  local _s3env_status=$? _s3env_line=
  {{ IFS= read -r _s3env_line < "$_s3env_env_file"; }} 2>/dev/null || return $_s3env_status
  if [ "$_s3env_line" != "${{_S3ENV_APPLIED-}}" ]; then
    . "$_s3env_env_file"
    _S3ENV_APPLIED=$_s3env_line
  fi
  return $_s3env_status
}}
s3env() {{
  command {s3env} "$@"
  local _s3env_rc=$?
  if [ "$_s3env_rc" -eq 0 ] && [ "${{1-}}" = use ] && [ $# -ge 2 ]; then _s3env_hook; fi
  return $_s3env_rc
}}
"""

_BASH_REGISTER = """\
if [[ ";${PROMPT_COMMAND[*]:-};" != *";_s3env_hook;"* ]]; then
  if [[ "$(declare -p PROMPT_COMMAND 2>&1)" == "declare -a"* ]]; then
    PROMPT_COMMAND=(_s3env_hook "${PROMPT_COMMAND[@]}")
  else
    PROMPT_COMMAND="_s3env_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
  fi
fi
_s3env_hook
"""

_ZSH_REGISTER = """\
autoload -Uz add-zsh-hook
add-zsh-hook precmd _s3env_hook
_s3env_hook
"""


class BashShell(PosixShell):
    name = "bash"

    def hook(self, s3env_command: str, env_file: str) -> str:
        return (
            _BASH_HOOK.format(shell=self.name, env_file=quote_posix(env_file), s3env=s3env_command)
            + _BASH_REGISTER
        )


class ZshShell(PosixShell):
    name = "zsh"

    def hook(self, s3env_command: str, env_file: str) -> str:
        return (
            _BASH_HOOK.format(shell=self.name, env_file=quote_posix(env_file), s3env=s3env_command)
            + _ZSH_REGISTER
        )
