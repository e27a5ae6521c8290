"""POSIX sh, bash and zsh.

Single quotes keep every byte literal in all three (``$``, backticks, ``\\``, ``!`` in eval'd
text, newlines); the only character that cannot appear inside them is ``'`` itself, written
as ``'\\''`` (close, escaped quote, reopen).  Unset with ``unset N``: ``export -n`` is
rejected by zsh and dash.
"""

from __future__ import annotations

import os

from s3env.integrations.shells.base import Shell


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
# and sources the file when that line differs from the one applied last.  It sources only a
# regular file (not a link) that the user owns, in a directory the user owns: another local
# user cannot plant one.  zsh's glob qualifiers also see the mode bits (`^IW`: neither group-
# nor world-writable); bash has no builtin that reads them, so its hook checks ownership only
# and s3env itself keeps the file 0600 in a 0700 directory (and refuses a wider directory).
_BASH_HOOK = """\
# s3env shell integration for {shell}: eval "$(s3env shell-init {shell})" in your rc file.
_s3env_env_file={env_file}
_s3env_env_dir={env_dir}
_s3env_hook() {{
  local _s3env_status=$? _s3env_line={local_options}
  {safe_check} || {{ _s3env_refuse; return $_s3env_status; }}
  {{ IFS= read -r _s3env_line < "$_s3env_env_file"; }} 2>/dev/null || return $_s3env_status
  if [ "$_s3env_line" != "${{_S3ENV_APPLIED-}}" ]; then
    . "$_s3env_env_file"
    _S3ENV_APPLIED=$_s3env_line
  fi
  return $_s3env_status
}}
_s3env_refuse() {{
  # Silent when there is no file; said once per shell when there is one it will not source.
  if [[ -z ${{_s3env_refused-}} && ( -e $_s3env_env_file || -L $_s3env_env_file ) ]]; then
    _s3env_refused=1
    printf '%s\\n' "s3env: not applying $_s3env_env_file: {refusal} (see: s3env doctor)" >&2
  fi
}}
s3env() {{
  command {s3env} "$@"
  local _s3env_rc=$?
  if [ "$_s3env_rc" -eq 0 ] && [ "${{1-}}" = use ] && [ $# -ge 2 ]; then _s3env_hook; fi
  return $_s3env_rc
}}
"""

# bash: builtin `test` sees the owner (-O) but no mode bits.
_BASH_CHECK = (
    "[[ -f $_s3env_env_file && ! -L $_s3env_env_file && -O $_s3env_env_file "
    "&& -O $_s3env_env_dir && ! -L $_s3env_env_dir ]]"
)
_BASH_REFUSAL = "it or its directory is a link or is not yours"
# zsh: glob qualifiers on the literal path (`.` plain file, `/` directory, neither a link; `U`
# owned by the effective uid; `^IW` not group- or world-writable); `emulate -L zsh` makes them
# work whatever options the user set (and is undone when the hook returns).
_ZSH_CHECK = "local -a _s3env_ok=( $_s3env_env_file(N.U^IW) $_s3env_env_dir(N/U^IW) ); (( $#_s3env_ok == 2 ))"
_ZSH_REFUSAL = "it or its directory is a link, is not yours, or others can write it"

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


def _hook_text(shell: str, s3env_command: str, env_file: str, **checks: str) -> str:
    return _BASH_HOOK.format(
        shell=shell,
        env_file=quote_posix(env_file),
        env_dir=quote_posix(os.path.dirname(env_file)),
        s3env=s3env_command,
        **checks,
    )


class BashShell(PosixShell):
    name = "bash"

    def hook(self, s3env_command: str, env_file: str) -> str:
        checks = {"local_options": "", "safe_check": _BASH_CHECK, "refusal": _BASH_REFUSAL}
        return _hook_text(self.name, s3env_command, env_file, **checks) + _BASH_REGISTER


class ZshShell(PosixShell):
    name = "zsh"

    def hook(self, s3env_command: str, env_file: str) -> str:
        checks = {"local_options": "\n  emulate -L zsh", "safe_check": _ZSH_CHECK, "refusal": _ZSH_REFUSAL}
        return _hook_text(self.name, s3env_command, env_file, **checks) + _ZSH_REGISTER
