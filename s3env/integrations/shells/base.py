"""The one interface every shell (and env-file format) implements.

An *export* is a mapping from variable name to value, where ``None`` means "unset".  A
shell renders it as text that, evaluated in that shell, makes the environment exactly so.
Every value is checked before anything is printed: ``eval "$(s3env env)"`` ignores the
command's exit status, so a half-printed script would still run.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod

from s3env.core.errors import InvalidValue
from s3env.store.locations import PROFILE_ENV_DIR

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    Export = Mapping[str, str | None]

_NAME_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_REST = _NAME_FIRST | frozenset("0123456789")


def profile_env_dir(env_dir: str) -> str:
    """Where the per-profile env files are, beside ``env/active.*`` (``StorePaths.profile_env_dir``)."""
    return os.path.join(env_dir, PROFILE_ENV_DIR)


def is_env_name(name: str) -> bool:
    """``[A-Za-z_][A-Za-z0-9_]*``: a name every shell can export (no ``re``: the start-up budget)."""
    return bool(name) and name[0] in _NAME_FIRST and all(c in _NAME_REST for c in name)


class Shell(ABC):
    name: str = ""
    #: suffix of the pre-rendered env file written by ``s3env use``
    file_suffix: str = ""
    #: whether ``s3env use`` also writes one env file per profile in this format
    #: (``env/profiles/NAME.SUFFIX``), for the hook's ``.s3env`` directories
    profile_files: bool = False
    #: characters this format cannot carry in a value (NUL never can)
    forbidden: str = "\0"

    def render(self, export: Export) -> str:
        """The whole text for ``export``; raises InvalidValue before producing anything."""
        for name, value in export.items():
            self.check(name, value)
        lines = [self.unset(name) for name in sorted(export) if export[name] is None]
        lines += [self.set(name, value) for name, value in sorted(export.items()) if value is not None]
        return "".join(line + "\n" for line in lines if line)

    def check(self, name: str, value: str | None) -> None:
        if not is_env_name(name):
            raise InvalidValue(f"cannot export {name!r}: not a valid environment variable name")
        if value is None:
            return
        for char in self.forbidden:
            if char in value:
                what = {
                    "\0": "a NUL byte",
                    "\n": "a newline",
                    "\r": "a carriage return",
                    "\\": "a backslash",
                    "'": "a single quote",
                }.get(char, repr(char))
                raise InvalidValue(f"the value of {name} contains {what}, which {self.name} cannot carry")

    @abstractmethod
    def set(self, name: str, value: str) -> str: ...

    @abstractmethod
    def unset(self, name: str) -> str: ...

    def render_file(self, export: Export, marker: str) -> str:
        """An env file: ``marker`` as a first-line comment (what prompt hooks compare), then the export."""
        line = self.comment(marker)
        body = self.render(export)
        return f"{line}\n{body}" if line is not None else body

    def refusal_file(self, marker: str, message: str) -> str:
        """An env file that applies nothing and says why (``message``: one line, no value), for a
        profile holding a value this format cannot carry.  Formats that run code override it to
        fail loudly (cmd); here the message is a comment."""
        first = self.comment(marker)
        return "" if first is None else f"{first}\n{self.comment('s3env: ' + message)}\n"

    def comment(self, text: str) -> str | None:
        """A comment line (no newline), or None for formats without comments."""
        return f"# {text}"

    def hook(self, s3env_command: str, env_file: str) -> str | None:
        """Code for the user's rc file: a ``s3env`` function that switches this shell on
        ``s3env use``, and a hook (at each prompt, and for bash, zsh and fish before each
        command line) that re-applies ``env_file`` -- or the per-profile file a ``.s3env``
        names -- when its first line changes.  None when the shell has no hook (sh, cmd,
        formats)."""
        return None
