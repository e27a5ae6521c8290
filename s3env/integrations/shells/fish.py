"""fish.

Inside single quotes fish treats only ``\\`` and ``'`` specially, so both are escaped with
a backslash; newlines are literal.  Double quotes are unsafe (``"$(…)"`` runs a command in
fish 3.6+).  ``set -e`` returns 4 for an absent variable: ``; or true`` keeps a sourced
script's status clean.  Load with ``s3env env | source`` (``eval (cmd)`` joins lines).
"""

from __future__ import annotations

import os

from s3env.integrations.shells.base import Shell, profile_env_dir


def quote_fish(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class FishShell(Shell):
    name = "fish"
    file_suffix = "fish"
    profile_files = True

    def set(self, name: str, value: str) -> str:
        return f"set -gx {name} {quote_fish(value)}"

    def unset(self, name: str) -> str:
        return f"set -e {name}; or true"

    def hook(self, s3env_command: str, env_file: str) -> str:
        env_dir = os.path.dirname(env_file)
        text = (
            _FISH_HOOK.replace("@ENV_FILE@", quote_fish(env_file))
            .replace("@ENV_DIR@", quote_fish(env_dir))
            .replace("@PROF_DIR@", quote_fish(profile_env_dir(env_dir)))
        )
        return text.replace("@S3ENV@", s3env_command)  # last: the command is the user's text


# fish's builtin `test` sees the owner (-O) but no mode bits (and `path filter --perm` only the
# current user's own permissions), so, as in bash, the hook checks that the file and its
# directories are the user's and not links; s3env keeps them 0600 and 0700.  What it applies
# and when: see posix.py (the same rules, with fish's builtins; `fish_preexec` runs it right
# before each command line, `fish_prompt` at each prompt).
_FISH_HOOK = r"""# s3env shell integration for fish: s3env shell-init fish | source   (in config.fish)
set -g __s3env_env_file @ENV_FILE@
set -g __s3env_env_dir @ENV_DIR@
set -g __s3env_prof_dir @PROF_DIR@
set -q __s3env_said; or set -g __s3env_said
set -g __s3env_path_builtin (builtin -n | string match -x path)
function __s3env_once --description 's3env: say $argv[2] unless it was said for the key $argv[1]'
    contains -- $argv[1] $__s3env_said; and return 0
    set -ga __s3env_said $argv[1]
    printf '%s\n' $argv[2] >&2
end
function __s3env_show --description 's3env: $argv[1] as the user reads it ($HOME as ~)'
    set -l shown $argv[1]
    if test -n "$HOME" -a "$HOME" != /
        set shown (string replace -r -- '^'(string escape --style=regex -- $HOME)'(?=/|$)' '~' $shown)
    end
    string replace -ra -- '[[:cntrl:]]' '?' $shown
end
function __s3env_hook --on-event fish_prompt --on-event fish_preexec
    if test -n "$S3ENV_PINNED"
        set -g _S3ENV_APPLIED "pinned:$S3ENV_PINNED"
        set -g __s3env_at
        return 0
    end
    set -l file $__s3env_env_file
    set -l fdir $__s3env_env_dir
    set -l root
    set -l name
    set -l f
    if test "$PWD" != "$__s3env_cwd"
        # The .s3env each directory from $PWD up to / may hold, nearest first (made once per cd).
        set -g __s3env_cwd $PWD
        set -g __s3env_cands
        if string match -q -- '/*' $PWD
            set -l d (string replace -r -- '/$' '' $PWD)
            while true
                set -a __s3env_cands $d/.s3env
                test -n "$d"; or break
                set d (string replace -r -- '/[^/]*$' '' $d)
            end
        end
    end
    # Which exist, nearest first: one stat each, every time (a new .s3env counts without a cd);
    # `path filter` (fish 3.5+) does them all in one builtin.
    set -l found
    if set -q __s3env_cands[1]
        if set -q __s3env_path_builtin[1]
            set found (path filter -- $__s3env_cands)
        else
            for f in $__s3env_cands
                test -e $f; and set -a found $f
            end
        end
    end
    for f in $found
        if test -f $f; and not test -L $f; and test -O $f
            read -l line <$f
            set name (string trim -c ' '\t -- "$line")
            set root (string replace -r -- '/\.s3env$' '' $f)
            test -n "$root"; or set root /
            break
        else if not test -d $f
            __s3env_once $f "s3env: ignoring "(__s3env_show $f)": it is a link or is not yours"
        end
    end
    if test -n "$root"
        if string match -qr -- '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' "$name"
            and test -e $__s3env_prof_dir/$name.fish
            set file $__s3env_prof_dir/$name.fish
            set fdir $__s3env_prof_dir
        else
            set -l shown (__s3env_show (string sub -l 80 -- "$name"))
            __s3env_once "$f"\n"$name" \
                "s3env: "(__s3env_show $f)" names '$shown', which is not an s3env profile; ignored"
            set root
        end
    end
    if not test -f $file; or test -L $file; or not test -O $file
        or test -L $fdir; or not test -O $fdir
        or test -L $__s3env_env_dir; or not test -O $__s3env_env_dir
        # Silent when there is no file; said once per file when there is one it will not source.
        if test -e $file; or test -L $file
            __s3env_once $file "s3env: not applying $file:" \
                "it or its directory is a link or is not yours (see: s3env doctor)"
        end
        return 0
    end
    read -l line <$file; or return 0
    if test "$line" != "$_S3ENV_APPLIED"
        source $file
        set -g _S3ENV_APPLIED $line
    end
    if test "$root" != "$__s3env_at"; or begin; test -n "$root"; and test "$name" != "$__s3env_at_name"; end
        if test -n "$root"
            printf "s3env: using '%s' for %s\n" $name (__s3env_show $root) >&2
        else if test -n "$__s3env_at"
            set -l global (string replace -r -- '^# s3env-env (\S+) .*' '$1' $line)
            if test "$global" = -
                printf 's3env: left %s; no profile is active\n' (__s3env_show $__s3env_at) >&2
            else
                printf "s3env: left %s, back to '%s'\n" (__s3env_show $__s3env_at) $global >&2
            end
        end
        set -g __s3env_at $root
        set -g __s3env_at_name $name
    end
end
function s3env
    command @S3ENV@ $argv
    set -l __s3env_rc $status
    if test $__s3env_rc -eq 0; and test (count $argv) -ge 2; and test "$argv[1]" = use
        # `s3env use NAME` typed here: this shell follows it, pinned or not.
        set -e S3ENV_PINNED
        __s3env_hook
    end
    return $__s3env_rc
end
__s3env_hook
"""
