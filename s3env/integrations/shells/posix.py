"""POSIX sh, bash and zsh.

Single quotes keep every byte literal in all three (``$``, backticks, ``\\``, ``!`` in eval'd
text, newlines); the only character that cannot appear inside them is ``'`` itself, written
as ``'\\''`` (close, escaped quote, reopen).  Unset with ``unset N``: ``export -n`` is
rejected by zsh and dash.
"""

from __future__ import annotations

import os

from s3env.integrations.shells.base import Shell, profile_env_dir


def quote_posix(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


class PosixShell(Shell):
    name = "sh"
    file_suffix = "sh"
    profile_files = True  # bash and zsh share the .sh files; sh itself has no hook

    def set(self, name: str, value: str) -> str:
        return f"export {name}={quote_posix(value)}"

    def unset(self, name: str) -> str:
        return f"unset {name}"


# The hook (see docs/shells.md) runs at each prompt and again right before each command line,
# with builtins only: no fork, no Python.  It decides which env file applies -- nothing while
# the shell is pinned (S3ENV_PINNED: the marker becomes `pinned:NAME`, so unpinning re-applies),
# else the per-profile file named by the nearest `.s3env` in $PWD or a parent (a regular file,
# not a link, yours; first line, spaces and tabs stripped, a profile name), else env/active --
# reads that file's first line (a marker that changes exactly when what it applies does) and
# sources the file when the marker differs from the one applied last (_S3ENV_APPLIED).
# It sources only a regular file (not a link) that the user owns, in directories the user owns:
# another local user cannot plant one.  zsh's glob qualifiers also see the mode bits (`^IW`:
# neither group- nor world-writable); bash has no builtin that reads them, so its hook checks
# ownership only and s3env itself keeps the files 0600 in 0700 directories (and refuses a
# wider directory).  The walk up from $PWD costs one stat per level (see docs/performance.md).
_HOOK = r"""# s3env shell integration for @SHELL@: eval "$(s3env shell-init @SHELL@)" in your rc file.
_s3env_env_file=@ENV_FILE@
_s3env_env_dir=@ENV_DIR@
_s3env_prof_dir=@PROF_DIR@
_s3env_said=${_s3env_said-}
_s3env_hook() {
  local _s3env_status=$?
  _s3env_apply
  _s3env_armed=1
  return $_s3env_status
}
_s3env_once() {
  # Say $2 (one line, on stderr) unless it was said for the key $1 already in this shell.
  [[ $_s3env_said == *"
$1
"* ]] && return 0
  _s3env_said="$_s3env_said
$1
"
  printf '%s\n' "$2" >&2
}
_s3env_show() {
  # $1 as the user reads it: $HOME as ~, control characters as ?.
  _s3env_shown=$1
  if [[ -n ${HOME-} && $HOME != / && ( $1 == "$HOME" || $1 == "$HOME"/* ) ]]; then
    _s3env_shown="~${1#"$HOME"}"
  fi
  _s3env_shown=${_s3env_shown//[[:cntrl:]]/?}
}
_s3env_apply() {@LOCAL_OPTIONS@
  local _s3env_file=$_s3env_env_file _s3env_fdir=$_s3env_env_dir _s3env_line= _s3env_root= _s3env_name=
  local _s3env_d= _s3env_f=
  if [[ -n ${S3ENV_PINNED-} ]]; then
    _S3ENV_APPLIED="pinned:$S3ENV_PINNED"
    _s3env_at=
    return 0
  fi
  if [[ ${PWD-} != "${_s3env_cwd-}" ]]; then
    # The .s3env each directory from $PWD up to / may hold, nearest first (made once per cd).
    _s3env_cwd=${PWD-}
    _s3env_cands=()
    if [[ $_s3env_cwd == /* ]]; then
      _s3env_d=${_s3env_cwd%/}
      while :; do
        _s3env_cands+=("$_s3env_d/.s3env")
        [[ -n $_s3env_d ]] || break
        _s3env_d=${_s3env_d%/*}
      done
    fi
  fi
  @FIND@
    if [[ -f $_s3env_f && ! -L $_s3env_f && -O $_s3env_f ]]; then
      { IFS=$' \t' read -r _s3env_name < "$_s3env_f"; } 2>/dev/null
      _s3env_root=${_s3env_f%/.s3env}
      _s3env_root=${_s3env_root:-/}
      break
    elif [[ ! -d $_s3env_f ]]; then
      _s3env_show "$_s3env_f"
      _s3env_once "$_s3env_f" "s3env: ignoring $_s3env_shown: it is a link or is not yours"
    fi
  done
  if [[ -n $_s3env_root ]]; then
    if [[ $_s3env_name == [@ALNUM@]* && $_s3env_name != *[!@ALNUM@_.-]* && ${#_s3env_name} -le 64
          && -e $_s3env_prof_dir/$_s3env_name.sh ]]; then
      _s3env_file=$_s3env_prof_dir/$_s3env_name.sh
      _s3env_fdir=$_s3env_prof_dir
    else
      _s3env_show "$_s3env_f"
      _s3env_line=$_s3env_shown
      _s3env_show "${_s3env_name:0:80}"
      _s3env_once "$_s3env_f
$_s3env_name" "s3env: $_s3env_line names '$_s3env_shown', which is not an s3env profile; ignored"
      _s3env_root=
    fi
  fi
  if ! { @SAFE_CHECK@; }; then
    # Silent when there is no file; said once per file when there is one it will not source.
    if [[ -e $_s3env_file || -L $_s3env_file ]]; then
      _s3env_once "$_s3env_file" "s3env: not applying $_s3env_file: @REFUSAL@ (see: s3env doctor)"
    fi
    return 0
  fi
  { IFS= read -r _s3env_line < "$_s3env_file"; } 2>/dev/null || return 0
  if [[ $_s3env_line != "${_S3ENV_APPLIED-}" ]]; then
    . "$_s3env_file"
    _S3ENV_APPLIED=$_s3env_line
  fi
  if [[ $_s3env_root != "${_s3env_at-}" || ( -n $_s3env_root && $_s3env_name != "${_s3env_at_name-}" ) ]]
  then
    if [[ -n $_s3env_root ]]; then
      _s3env_show "$_s3env_root"
      printf "s3env: using '%s' for %s\n" "$_s3env_name" "$_s3env_shown" >&2
    elif [[ -n ${_s3env_at-} ]]; then
      _s3env_show "$_s3env_at"
      _s3env_line=${_s3env_line#\# s3env-env }
      _s3env_line=${_s3env_line%% *}
      if [[ $_s3env_line == - ]]; then
        printf 's3env: left %s; no profile is active\n' "$_s3env_shown" >&2
      else
        printf "s3env: left %s, back to '%s'\n" "$_s3env_shown" "$_s3env_line" >&2
      fi
    fi
    _s3env_at=$_s3env_root
    _s3env_at_name=$_s3env_name
  fi
}
s3env() {
  command @S3ENV@ "$@"
  local _s3env_rc=$?
  if [ "$_s3env_rc" -eq 0 ] && [ "${1-}" = use ] && [ $# -ge 2 ]; then
    # `s3env use NAME` typed here: this shell follows it, pinned or not.
    unset S3ENV_PINNED
    _s3env_hook
  fi
  return $_s3env_rc
}
"""

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"  # no ranges: locales

# Which of the candidates exist, nearest first: one `stat` each, every time (so a new .s3env
# counts without a cd).  bash tests them one by one; zsh globs them all in one expression.
_BASH_FIND = """for _s3env_f in ${_s3env_cands[@]+"${_s3env_cands[@]}"}; do
    [[ -e $_s3env_f ]] || continue"""
_ZSH_FIND = """local -a _s3env_found=( ${^_s3env_cands}(N) )
  for _s3env_f in $_s3env_found; do"""
# bash: builtin `test` sees the owner (-O) but no mode bits.  The env directory is checked
# with a per-profile file's directory (env/profiles) too.
_BASH_CHECK = (
    "[[ -f $_s3env_file && ! -L $_s3env_file && -O $_s3env_file && -O $_s3env_fdir && ! -L $_s3env_fdir ]]"
    ' && { [[ $_s3env_fdir == "$_s3env_env_dir" ]] || [[ -O $_s3env_env_dir && ! -L $_s3env_env_dir ]]; }'
)
_BASH_REFUSAL = "it or its directory is a link or is not yours"
# zsh: glob qualifiers on the literal path (`.` plain file, `/` directory, neither a link; `U`
# owned by the effective uid; `^IW` not group- or world-writable); `emulate -L zsh` makes them
# work whatever options the user set (and is undone when the hook returns).
_ZSH_CHECK = (
    "local -a _s3env_ok=( $_s3env_file(N.U^IW) $_s3env_fdir(N/U^IW) $_s3env_env_dir(N/U^IW) ); "
    "(( $#_s3env_ok == 3 ))"
)
_ZSH_REFUSAL = "it or its directory is a link, is not yours, or others can write it"

# Right before each command line, too: a switch made elsewhere while this shell sat at its
# prompt reaches the very command typed next.  With bash-preexec loaded, s3env is one of its
# preexec_functions.  Otherwise a DEBUG trap, chained after any trap already set (which keeps
# running as it did, seeing the same $?, $_ and $BASH_COMMAND, and deciding the trap's status
# for extdebug); it applies once per command line: armed by the prompt hook and by PS0
# (expanded after a line is read, so later PROMPT_COMMAND entries cannot use up the turn),
# disarmed by its first run.
_BASH_REGISTER = r"""_s3env_debug() {
  local _s3env_status=$?
  if [[ -n ${_s3env_armed-} ]]; then
    _s3env_armed=
    _s3env_apply
  fi
  [[ -z ${_s3env_user_debug-} ]] || return $_s3env_status
}
_s3env_preexec() {
  local _s3env_status=$?
  if [[ -n ${_s3env_armed-} ]]; then
    _s3env_armed=
    _s3env_apply
  fi
  return $_s3env_status
}
if [[ ";${PROMPT_COMMAND[*]:-};" != *";_s3env_hook;"* ]]; then
  if [[ "$(declare -p PROMPT_COMMAND 2>&1)" == "declare -a"* ]]; then
    PROMPT_COMMAND=(_s3env_hook "${PROMPT_COMMAND[@]}")
  else
    PROMPT_COMMAND="_s3env_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
  fi
fi
if [[ -n ${bash_preexec_imported-}${__bp_imported-} ]]; then
  if [[ " ${preexec_functions[*]-} " != *" _s3env_preexec "* ]]; then
    preexec_functions+=(_s3env_preexec)
  fi
else
  _s3env_trap=$(trap -p DEBUG)
  if [[ $_s3env_trap != *_s3env_debug* ]]; then
    _s3env_user_debug=
    if [[ -n $_s3env_trap ]]; then
      _s3env_grab() { _s3env_user_debug=$2; }
      eval "_s3env_grab ${_s3env_trap#trap }"
      unset -f _s3env_grab
    fi
    if [[ -n $_s3env_user_debug ]]; then
      trap -- '_s3env_debug "$_"'"
$_s3env_user_debug" DEBUG
    else  # the flag tested inline: a disarmed trap costs no more than an empty one
      trap -- '[[ -z ${_s3env_armed-} ]] || _s3env_debug "$_"' DEBUG
    fi
  fi
  unset _s3env_trap
fi
_s3env_ps0=
if [[ ${PS0-} != *_s3env_armed* ]] && shopt -q promptvars; then
  PS0=${PS0-}'${_s3env_ps0:0:$((_s3env_armed=1,0))}'
fi
_s3env_hook
"""

_ZSH_REGISTER = r"""_s3env_preexec() {
  _s3env_armed=
  _s3env_apply
}
autoload -Uz add-zsh-hook
add-zsh-hook precmd _s3env_hook
add-zsh-hook preexec _s3env_preexec
_s3env_hook
"""


def _hook_text(shell: str, s3env_command: str, env_file: str, **parts: str) -> str:
    env_dir = os.path.dirname(env_file)
    text = (
        _HOOK.replace("@SAFE_CHECK@", parts["safe_check"])
        .replace("@REFUSAL@", parts["refusal"])
        .replace("@LOCAL_OPTIONS@", parts["local_options"])
        .replace("@FIND@", parts["find"])
        .replace("@ALNUM@", _ALNUM)
        .replace("@SHELL@", shell)
        .replace("@ENV_FILE@", quote_posix(env_file))
        .replace("@ENV_DIR@", quote_posix(env_dir))
        .replace("@PROF_DIR@", quote_posix(profile_env_dir(env_dir)))
    )
    return text.replace("@S3ENV@", s3env_command)  # last: the command is the user's text


class BashShell(PosixShell):
    name = "bash"

    def hook(self, s3env_command: str, env_file: str) -> str:
        parts = {"local_options": "", "safe_check": _BASH_CHECK, "refusal": _BASH_REFUSAL, "find": _BASH_FIND}
        return _hook_text(self.name, s3env_command, env_file, **parts) + _BASH_REGISTER


class ZshShell(PosixShell):
    name = "zsh"

    def hook(self, s3env_command: str, env_file: str) -> str:
        parts = {
            "local_options": "\n  emulate -L zsh",
            "safe_check": _ZSH_CHECK,
            "refusal": _ZSH_REFUSAL,
            "find": _ZSH_FIND,
        }
        return _hook_text(self.name, s3env_command, env_file, **parts) + _ZSH_REGISTER
