"""``s3env profile add|list|show|set|rm|rename|copy``."""

from __future__ import annotations

import os
import sys

import typer

from s3env.cli.commands._output import notice, print_json, print_table, show
from s3env.core.errors import ProfileExists, UsageError
from s3env.core.model import Profile, new_profile, parse_secret_lines, profile_to_json, update_profile
from s3env.store.profiles import ProfileStore

#: The ``profile`` group; ``cli.app`` registers the commands below on it from the command table
#: (``cli.table``), with their help and examples.
app = typer.Typer(
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    rich_markup_mode=None,
)


def _store() -> ProfileStore:
    return ProfileStore()


def _follow(store: ProfileStore, *, must_write: str | None = None) -> None:
    """Once s3env manages the tools' files, a profile change reaches them at once.  Called inside
    ``store.transaction()``: a refusal here takes the store change back too."""
    from s3env.integrations.sync import sync_if_managed

    result = sync_if_managed(store, must_write=must_write)
    if result is not None:
        for message in result.notices:
            notice(message)


def _read_stdin() -> str:
    """Standard input as text: invalid UTF-8 is one clear error, never a secret in a traceback."""
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"standard input is not valid UTF-8 (byte {exc.start})") from None


def _flush_notices(store: ProfileStore) -> None:
    for message in store.notices:
        notice(message)
    store.notices.clear()


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _read_keys(
    access_key_id: str | None, secret_stdin: bool, from_env: bool
) -> tuple[str | None, str | None, str | None]:
    """(access key id, secret key, session token) from exactly one of the allowed sources."""
    if secret_stdin and from_env:
        raise UsageError("--secret-stdin and --from-env cannot be used together")
    if from_env:
        key_id = access_key_id or os.environ.get("AWS_ACCESS_KEY_ID") or None
        secret = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
        if key_id is None or secret is None:
            raise UsageError(
                "--from-env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment"
            )
        return key_id, secret, os.environ.get("AWS_SESSION_TOKEN") or None
    if secret_stdin:
        if access_key_id is None:
            raise UsageError("--secret-stdin needs --access-key-id")
        secret, token = parse_secret_lines(_read_stdin())
        return access_key_id, secret, token
    if _stdin_is_tty():
        import getpass

        key_id = access_key_id or input("Access key id (empty for a profile without keys): ").strip() or None
        if key_id is None:
            return None, None, None
        secret = getpass.getpass("Secret access key: ")
        if not secret:
            raise UsageError("no secret access key given")
        token = getpass.getpass("Session token (optional, Enter to skip): ") or None
        return key_id, secret, token
    if access_key_id is not None:
        raise UsageError(
            "no secret given: pipe it with --secret-stdin, or use --from-env "
            "(secrets are never taken from the command line)"
        )
    return None, None, None


def add(
    name: str = typer.Argument(..., metavar="NAME", help="Profile name: 1-64 of A-Z a-z 0-9 _ . -"),
    endpoint_url: str | None = typer.Option(
        None, "--endpoint-url", metavar="URL", help="S3 endpoint; omit for AWS."
    ),
    region: str | None = typer.Option(None, "--region", metavar="REGION", help="Region, e.g. us-east-1."),
    addressing_style: str | None = typer.Option(
        None,
        "--addressing-style",
        metavar="STYLE",
        help="auto, path or virtual (default: the provider's, else auto).",
    ),
    provider: str | None = typer.Option(
        None, "--provider", metavar="PROVIDER", help="Preset: see 's3env providers'."
    ),
    access_key_id: str | None = typer.Option(
        None, "--access-key-id", metavar="ID", help="Access key id (not secret)."
    ),
    secret_stdin: bool = typer.Option(
        False, "--secret-stdin", help="Read the secret key (and a session token on line 2) from stdin."
    ),
    from_env: bool = typer.Option(
        False, "--from-env", help="Take keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN."
    ),
    credentials: str | None = typer.Option(
        None,
        "--credentials",
        metavar="MODE",
        help="file (keys in ~/.aws/credentials, default) or process (credential_process, no plain keys).",
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing profile of that name."),
) -> None:
    """Add a profile.  The secret key is read from a hidden prompt, stdin or the environment, never argv."""
    store = _store()
    options = {
        "endpoint_url": endpoint_url,
        "region": region,
        "addressing_style": addressing_style,
        "provider": provider,
        "access_key_id": access_key_id,
        "credentials": credentials,
    }
    existing = name in store.names()
    if existing and not force:
        raise ProfileExists(name)
    # Check everything that needs no secret first, so a bad option never costs a prompt.
    if existing:  # --force: change only what was given; keys only when keys were given
        current = store.get(name, secrets=True)
        draft = update_profile(current, **options)
        if access_key_id is None and not secret_stdin and not from_env:
            profile = draft
        else:
            key_id, secret, token = _read_keys(access_key_id or current.access_key_id, secret_stdin, from_env)
            profile = draft.replace(access_key_id=key_id, secret_access_key=secret, session_token=token)
    else:
        draft = new_profile(name, **options)
        key_id, secret, token = _read_keys(access_key_id, secret_stdin, from_env)
        profile = draft.replace(access_key_id=key_id, secret_access_key=secret, session_token=token)
    profile.validate()
    secret = profile.secret_access_key
    with store.transaction():
        store.add(profile, force=force)
        _flush_notices(store)
        _follow(store, must_write=name)
    where = ""
    if secret is not None:
        secret_store = store.secret_store()
        where = f"; secrets in {secret_store.describe()}" if secret_store is not None else ""
    print(f"Added profile '{profile.name}' ({_endpoint_label(profile)}{where}).")


def _endpoint_label(profile: Profile) -> str:
    return profile.endpoint_url or "AWS endpoints"


def list_(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array (see docs/profiles.md)."),
) -> None:
    """List profiles (no secrets are read)."""
    store = _store()
    data = store.read()
    active = data.settings.get("active")
    profiles = list(data.profiles.values())
    if as_json:
        print_json([profile_to_json(p, active=p.name == active, include_secrets=False) for p in profiles])
        return
    if not profiles:
        print("No profiles yet. Add one with 's3env profile add NAME'.")
        return
    rows = [
        [
            ("* " if p.name == active else "  ") + p.name,
            show(p.endpoint_url, "(AWS)"),
            show(p.region),
            show(p.provider),
            p.addressing_style,
        ]
        for p in profiles
    ]
    print_table(["  NAME", "ENDPOINT", "REGION", "PROVIDER", "ADDRESSING"], rows)


def show_(
    name: str = typer.Argument(..., metavar="NAME", help="Profile name."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (see docs/profiles.md)."),
) -> None:
    """Show one profile; secrets are masked to their last 4 characters."""
    store = _store()
    profile = store.get(name, secrets=True)
    active = store.active_name() == name
    data = profile_to_json(profile, active=active)
    secret_store = store.secret_store(for_write=False)
    if as_json:
        data["secret_store"] = secret_store.name if secret_store is not None else None
        print_json(data)
        return
    rows = [
        ("name", profile.name + ("  (active)" if active else "")),
        ("endpoint_url", show(profile.endpoint_url, "(AWS)")),
        ("region", show(profile.region)),
        ("addressing_style", profile.addressing_style),
        ("provider", show(profile.provider)),
        ("access_key_id", show(profile.access_key_id)),
        ("secret_access_key", show(data["secret_access_key"])),
        ("session_token", show(data["session_token"])),
        ("secret_store", secret_store.describe() if secret_store is not None else "-"),
    ]
    rows += [(f"extra.{k}", v) for k, v in sorted(profile.extra.items())]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")


def set_(
    name: str = typer.Argument(..., metavar="NAME", help="Profile name."),
    assignments: list[str] = typer.Argument(
        None,
        metavar="[KEY=VALUE...]",
        help="KEY=VALUE: endpoint_url, region, addressing_style, provider, access_key_id, extra.NAME",
    ),
    secret_stdin: bool = typer.Option(
        False,
        "--secret-stdin",
        help="Replace the keys: the secret key (and a session token on line 2) from stdin.",
    ),
    from_env: bool = typer.Option(
        False, "--from-env", help="Replace the keys with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/…"
    ),
    access_key_id: str | None = typer.Option(
        None, "--access-key-id", metavar="ID", help="With --secret-stdin: the new access key id."
    ),
) -> None:
    """Change settings of a profile (an empty VALUE clears it), or rotate its keys with
    --secret-stdin / --from-env; everything not named stays as it is."""
    pairs: list[tuple[str, str]] = []
    for item in assignments or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"expected KEY=VALUE, got {item.split('=')[0]!r}")
        pairs.append((key.strip(), value))
    if not pairs and not secret_stdin and not from_env:
        raise UsageError("nothing to change: give KEY=VALUE, --secret-stdin or --from-env")
    if access_key_id is not None and not (secret_stdin or from_env):
        raise UsageError("--access-key-id goes with --secret-stdin or --from-env (else: access_key_id=ID)")
    store = _store()
    current = store.get(name)  # ProfileNotFound before a secret is read
    keys = None
    if secret_stdin or from_env:
        keys = _read_keys(access_key_id or current.access_key_id, secret_stdin, from_env)
    with store.transaction():
        profile = store.update(name, pairs) if pairs else current
        if keys is not None:
            key_id, secret, token = keys
            assert secret is not None
            store.set_keys(name, access_key_id=key_id, secret_access_key=secret, session_token=token)
        _flush_notices(store)
        _follow(store)
    print(f"Updated profile '{profile.name}'{' (new keys)' if keys is not None else ''}.")


def rm(
    name: str = typer.Argument(..., metavar="NAME", help="Profile name."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Remove a profile and its secrets."""
    store = _store()
    store.get(name)  # fail before asking when it does not exist
    if not yes:
        if not _stdin_is_tty():
            raise UsageError("refusing to remove without --yes (standard input is not a terminal)")
        answer = input(f"Remove profile '{name}' and its secrets? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing removed.")
            raise typer.Exit(1)
    with store.transaction():
        store.remove(name)
        _follow(store)
    print(f"Removed profile '{name}'.")


def rename(
    old: str = typer.Argument(..., metavar="OLD", help="Current name."),
    new: str = typer.Argument(..., metavar="NEW", help="New name."),
) -> None:
    """Rename a profile (its secrets move with it)."""
    store = _store()
    with store.transaction():
        store.rename(old, new)
        _follow(store, must_write=new)
    chained = [p.name for p in store.list() if p.extra.get("source_profile") == old]
    if chained:  # role chains name profiles of the AWS files: theirs still name the old one
        notice(
            f"{', '.join(chained)} still name{'s' if len(chained) == 1 else ''} source_profile = {old}; "
            f"update with 's3env profile set NAME extra.source_profile={new}'"
        )
    print(f"Renamed profile '{old}' to '{new}'.")


def copy(
    src: str = typer.Argument(..., metavar="SRC", help="Profile to copy."),
    dst: str = typer.Argument(..., metavar="DST", help="Name of the copy."),
    force: bool = typer.Option(False, "--force", help="Replace an existing profile named DST."),
) -> None:
    """Copy a profile, secrets included."""
    store = _store()
    with store.transaction():
        store.copy(src, dst, force=force)
        _follow(store, must_write=dst)
    print(f"Copied profile '{src}' to '{dst}'.")
