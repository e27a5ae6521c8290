"""One clean environment for everything that runs s3env beside the user's own setup: the test
suite (tests/conftest.py), ``make demo`` (devtools/demo.py) and the benchmarks.

``sandbox_env(root)`` starts from the caller's environment, drops everything that could point a
tool at the developer's real setup or change how a child behaves, and pins every location into
``root/home``: HOME, the XDG directories, S3ENV_HOME and the AWS files.  So a developer's
``OSS_ENDPOINT``, ``AWS_PROFILE``, ``S3_ENDPOINT_URL``, proxy or ``~/.aws`` can change neither
a test nor the demo nor a measurement.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

#: Every variable with one of these prefixes is dropped: S3 tools' and their clients' settings
#: (awscli/boto3, s5cmd, megfile, Alibaba OSS, MinIO's mc, rclone, boto 2), s3env's own, the XDG
#: directories (pinned again below) and the keyring's (a test that wants the keyring says so).
SCRUB_PREFIXES = (
    "AWS_",
    "S3ENV_",
    "S3_",
    "MEGFILE_",
    "OSS_",
    "MINIO_",
    "MC_",
    "RCLONE_",
    "BOTO_",
    "XDG_",
    "PYTHON_KEYRING",
    "KEYRING_",
    "DBUS_SESSION",
)
#: Proxies (both spellings: curl and Go read the lower case, botocore both), CA bundles, and the
#: Python settings that change how a child behaves: with PYTHONUNBUFFERED a child's output
#: survives ``os._exit``, which once hid a test that failed on a clean machine.
SCRUB_NAMES = frozenset(
    {
        *(f"{name}_PROXY" for name in ("HTTP", "HTTPS", "ALL", "NO", "FTP")),
        *(f"{name}_proxy" for name in ("http", "https", "all", "no", "ftp")),
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "PYTHONUNBUFFERED",
        "PYTHONIOENCODING",
        "PYTHONWARNINGS",
        "PYTHONSTARTUP",
        "PYTHONINSPECT",
        "PYTHONOPTIMIZE",
        "PYTHONDEVMODE",
        "PYTHONUTF8",
        "PYTHONBREAKPOINT",
    }
)


def scrubbed(name: str) -> bool:
    """Whether ``sandbox_env`` drops the caller's variable ``name``."""
    return name.startswith(SCRUB_PREFIXES) or name in SCRUB_NAMES


def clean_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) without any scrubbed variable."""
    base = os.environ if base is None else base
    return {name: value for name, value in base.items() if not scrubbed(name)}


def sandbox_env(
    root: Path, base: Mapping[str, str] | None = None, *, bin_dir: Path | None = None
) -> dict[str, str]:
    """The environment of a throwaway home under ``root`` (created): ``clean_env(base)`` with
    every location pinned inside it, secrets in the 0600 file store (never the user's keyring),
    no D-Bus, no EC2 metadata look-ups, and ``bin_dir`` (default: this interpreter's, where the
    ``s3env`` script is) first on PATH."""
    base = os.environ if base is None else base
    env = clean_env(base)
    home = root / "home"
    for sub in ("", ".config", ".local/share", ".local/state", ".cache", ".aws"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    bin_dir = Path(sys.executable).parent if bin_dir is None else bin_dir
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        S3ENV_HOME=str(home / ".config" / "s3env"),
        # Tools read these rather than ~ in some code paths; pin them inside the sandbox too.
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        # Secrets go to the 0600 file: nothing here may write into the user's real keyring.
        S3ENV_SECRETS="file",
        # No D-Bus: keyring must not reach a real Secret Service.
        DBUS_SESSION_BUS_ADDRESS="disabled:",
        # botocore without keys would otherwise ask 169.254.169.254 for some (seconds to time out).
        AWS_EC2_METADATA_DISABLED="true",
        PATH=f"{bin_dir}{os.pathsep}{base.get('PATH', '')}",
    )
    return env
