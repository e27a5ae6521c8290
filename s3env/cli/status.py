"""``s3env`` with no arguments: the active profile, its endpoint, and whether this shell follows."""

from __future__ import annotations

import os
from collections.abc import Mapping

from s3env.integrations.envvars import KEY_VARS, profile_env
from s3env.store.profiles import ProfileStore


def shell_matches(env: Mapping[str, str], expected: Mapping[str, str | None]) -> list[str]:
    """Variables of this shell that differ from what ``s3env env`` would set (keys not compared)."""
    return [
        name for name, value in sorted(expected.items()) if name not in KEY_VARS and env.get(name) != value
    ]


def print_status(env: Mapping[str, str] | None = None) -> None:
    env = os.environ if env is None else env
    store = ProfileStore(env=env)
    data = store.read()
    active = data.settings.get("active")
    if active is None or active not in data.profiles:
        count = len(data.profiles)
        print(f"No active profile ({count} profile{'s' if count != 1 else ''} in {store.paths.profiles}).")
        print("  s3env profile add NAME …   then   s3env use NAME       (s3env --help for more)")
        return
    profile = data.profiles[active]
    print(f"active profile: {active}")
    print(f"  endpoint: {profile.endpoint_url or 'AWS'}   region: {profile.region or '-'}")
    differ = shell_matches(env, profile_env(profile))
    if not differ:
        print("  this shell: follows it")
    else:
        shown = ", ".join(differ[:4]) + ("…" if len(differ) > 4 else "")
        print(f"  this shell: does not follow it ({shown} differ)")
        print('  fix: eval "$(s3env env)"  — or once in your rc file: eval "$(s3env shell-init bash)"')
    print("  s3env doctor: what each tool would use; s3env --help: all commands")
