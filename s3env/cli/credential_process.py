"""``s3env credential-process NAME``: the AWS ``credential_process`` protocol (Version 1).

awscli, boto3 and megfile run this every time they need keys for a profile written with
``credentials = process`` (or one whose keys cannot sit on an INI line).  It runs without
typer so it stays cheap, prints the JSON on stdout and nothing else, and exits non-zero
with one line on stderr when the secret is missing.
"""

from __future__ import annotations

import json
import sys

from s3env.core.errors import EXIT_USAGE, SecretNotFound
from s3env.core.model import validate_name


def credentials_json(name: str) -> str:
    from s3env.store.profiles import ProfileStore

    validate_name(name)
    profile = ProfileStore().get(name, secrets=True)
    if not profile.access_key_id or not profile.secret_access_key:
        raise SecretNotFound(
            f"profile '{name}' has no stored keys "
            f"(add them with 's3env profile add {name} --force --secret-stdin')"
        )
    data = {"Version": 1, "AccessKeyId": profile.access_key_id, "SecretAccessKey": profile.secret_access_key}
    if profile.session_token:
        data["SessionToken"] = profile.session_token
    return json.dumps(data)


def main(args: list[str]) -> int:
    if len(args) != 1 or args[0].startswith("-"):
        if args and args[0] in ("-h", "--help"):
            from s3env.cli.helptext import command_help

            sys.stdout.write(command_help("credential-process"))
            return 0
        print("s3env: error: usage: s3env credential-process NAME", file=sys.stderr)
        return EXIT_USAGE
    from s3env.core.errorline import run_guarded

    def emit(names: list[str]) -> int:
        sys.stdout.write(credentials_json(names[0]) + "\n")
        return 0

    return run_guarded(emit, args)
