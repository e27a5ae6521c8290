"""``s3env`` with no arguments: the active profile, its endpoint, which profile applies in this
shell and why (pinned, a ``.s3env`` file, the global profile), and whether its variables follow."""

from __future__ import annotations

import os
from collections.abc import Mapping

from s3env.core.choose import DIRECTORY, GLOBAL, PINNED, pin_to_export
from s3env.core.errors import DirectoryProfileError, NoActiveProfile
from s3env.core.model import Profile
from s3env.integrations.envvars import KEY_VARS, profile_env
from s3env.store.dirprofile import choose_here
from s3env.store.profiles import ProfileStore

UNPIN = 'eval "$(s3env env --unset)"'


def shell_matches(env: Mapping[str, str], expected: Mapping[str, str | None]) -> list[str]:
    """Variables of this shell that differ from what ``s3env env`` would set (keys not compared)."""
    return [
        name for name, value in sorted(expected.items()) if name not in KEY_VARS and env.get(name) != value
    ]


def home_short(path: str | None, env: Mapping[str, str] | None = None) -> str:
    """``path`` with the home directory shown as ``~`` (``~/proj/.s3env``)."""
    if path is None:
        return "-"
    home = (os.environ if env is None else env).get("HOME", "").rstrip("/")
    if home and (path == home or path.startswith(home + "/")):
        return "~" + path[len(home) :]
    return path


def print_status(env: Mapping[str, str] | None = None, cwd: str | None = None) -> None:
    env = os.environ if env is None else env
    store = ProfileStore(env=env)
    data = store.read()
    active = data.settings.get("active")
    if active is None or active not in data.profiles:
        count = len(data.profiles)
        print(f"No active profile ({count} profile{'s' if count != 1 else ''} in {store.paths.profiles}).")
        print("  s3env profile add NAME …   then   s3env use NAME       (s3env --help for more)")
        active = None
    else:
        profile = data.profiles[active]
        print(f"active profile: {active}")
        print(f"  endpoint: {profile.endpoint_url or 'AWS'}   region: {profile.region or '-'}")
    _print_shell(env, cwd, data.profiles, active)
    if active is not None:
        print("  s3env doctor: what each tool would use; s3env --help: all commands")


def _print_shell(
    env: Mapping[str, str], cwd: str | None, profiles: Mapping[str, Profile], active: str | None
) -> None:
    """The lines on this shell: which profile applies here and why, and whether it follows."""
    try:
        name, source, where = choose_here(None, env, cwd, active)
    except DirectoryProfileError as exc:
        print(f"  this shell: {exc.message}")
        return
    except NoActiveProfile:
        return
    profile = profiles.get(name)
    if source == DIRECTORY:
        shown = home_short(where, env)
        if profile is None:
            print(f"  this shell: {shown} names '{name}', which is not a profile in the store")
            return
        print(f"  this shell: uses '{name}' from {shown}")
    elif source == PINNED:
        print(f"  this shell: pinned to '{name}' ({UNPIN} to follow the global profile)")
    if profile is None:
        print(f"  '{name}' is not a profile in the store: s3env profile list")
        return
    if name != active:
        print(f"  {name}: endpoint: {profile.endpoint_url or 'AWS'}   region: {profile.region or '-'}")
    differ = shell_matches(env, profile_env(profile, pinned=pin_to_export(name, source)))
    if not differ:
        if source == GLOBAL:
            print("  this shell: follows it")
        return
    shown = ", ".join(differ[:4]) + ("…" if len(differ) > 4 else "")
    if source == GLOBAL:
        print(f"  this shell: does not follow it ({shown} differ)")
    else:
        print(f"  this shell: does not follow '{name}' ({shown} differ)")
    print('  fix: eval "$(s3env env)"  — or once in your rc file: eval "$(s3env shell-init bash)"')
