"""Which profile applies: the one rule, shared by ``s3env env``, ``exec``, the shim, the Python
API, ``doctor`` and the bare ``s3env`` status.  Pure.

In order (docs/guide.md, "Which profile applies"):

1. ``flag``: a name given on purpose (``-p/--profile``, a NAME argument, ``name=`` in the API);
2. ``pinned``: the shell chose its own profile with ``eval "$(s3env env NAME)"``, which exported
   ``S3ENV_PINNED=NAME`` (an empty value is not a pin);
3. ``directory``: the nearest ``.s3env`` file in the current directory or a parent
   (``s3env.store.dirprofile`` finds it);
4. ``global``: the profile ``s3env use`` made active.

The shell hooks of ``s3env shell-init`` apply the same order.
"""

from __future__ import annotations

TYPE_CHECKING = False  # the start-up budget: tests/test_import_budget.py
if TYPE_CHECKING:
    from collections.abc import Mapping

FLAG = "flag"
PINNED = "pinned"
DIRECTORY = "directory"
GLOBAL = "global"
#: The rules in the order they are asked.
SOURCES: tuple[str, ...] = (FLAG, PINNED, DIRECTORY, GLOBAL)

#: The variable ``s3env env NAME`` exports to pin a shell to NAME.
PINNED_VAR = "S3ENV_PINNED"
#: The file that names the profile of a directory tree.
DIRECTORY_FILE = ".s3env"


def pinned_name(environ: Mapping[str, str]) -> str | None:
    """The pin of an environment (``S3ENV_PINNED``), or None when it is unset or empty."""
    return environ.get(PINNED_VAR) or None


def choose_profile(
    explicit: str | None,
    pinned: str | None,
    directory: tuple[str, str] | None,
    active: str | None,
) -> tuple[str, str]:
    """(name, source): the profile that applies and which rule decided (one of ``SOURCES``).

    ``explicit`` is a name given on purpose (None: none given), ``pinned`` the environment's
    ``S3ENV_PINNED`` (None or empty: not pinned), ``directory`` the nearest ``.s3env`` as
    (name, path) or None, ``active`` the store's global profile.  Raises ``NoActiveProfile`` when
    no rule names one.  Nothing is checked against the store here: the caller says what is wrong
    with a name in the words of the rule that chose it.
    """
    if explicit is not None:
        return explicit, FLAG
    if pinned:
        return pinned, PINNED
    if directory is not None:
        return directory[0], DIRECTORY
    if active:
        return active, GLOBAL
    from s3env.core.errors import NoActiveProfile

    raise NoActiveProfile("pass a NAME")


def pin_to_export(name: str, source: str) -> str | None:
    """The ``S3ENV_PINNED`` value an export of profile ``name`` carries: a name chosen on purpose
    or by the pin itself stays pinned; a directory or global choice unpins (None)."""
    return name if source in (FLAG, PINNED) else None
