"""``s3env use [NAME]``, ``s3env write [--check] [--diff]``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from s3env.cli.commands._output import notice
from s3env.core.errors import NoActiveProfile
from s3env.store.profiles import ProfileStore

if TYPE_CHECKING:
    from s3env.integrations.sync import SyncResult


def _report(result: SyncResult, *, quiet: bool = False) -> None:
    for message in result.notices:
        notice(message)
    if quiet:
        return
    for update in result.changed:
        if update.changes and update.owned_after is not None:
            print(f"  {update.path}: {', '.join(update.changes)}")


_TAKE_DEFAULT_HELP = (
    "Let s3env manage [default] too; yours is kept as profile aws-default (release puts it back)."
)


def _kept(result: SyncResult) -> None:
    if result.kept_default is not None:
        print(
            f"Kept your own [default] as profile '{result.kept_default}' ('s3env use "
            f"{result.kept_default}' switches back to it; 's3env release' puts it back as it was)."
        )


def use(
    name: str | None = typer.Argument(None, metavar="[NAME]", help="Profile to make active."),
    force: bool = typer.Option(False, "--force", help="Overwrite sections s3env did not write (backed up)."),
    take_default: bool = typer.Option(
        False,
        "--take-default",
        help=_TAKE_DEFAULT_HELP,
    ),
) -> None:
    """Make NAME the active profile for awscli, boto3, s5cmd and megfile (or print the active one)."""
    store = ProfileStore()
    if name is None:
        active = store.active_name()
        if active is None:
            raise NoActiveProfile()
        print(active)
        return
    from s3env.integrations.sync import sync

    result = sync(store, active=name, force=force, take_default=take_default)
    _report(result)
    _kept(result)
    profile = store.get(name)
    print(f"Now using '{name}' ({profile.endpoint_url or 'AWS endpoints'}).")


def write(
    check: bool = typer.Option(False, "--check", help="Change nothing; exit 1 if anything is out of date."),
    diff: bool = typer.Option(False, "--diff", help="Change nothing; print a unified diff (secrets masked)."),
    force: bool = typer.Option(False, "--force", help="Overwrite sections s3env did not write (backed up)."),
    take_default: bool = typer.Option(
        False,
        "--take-default",
        help=_TAKE_DEFAULT_HELP,
    ),
) -> None:
    """Re-render every section and env file s3env manages from the store."""
    from s3env.integrations.sync import plan, sync, unified_diff

    store = ProfileStore()
    if check or diff:
        result, state = plan(store, active=store.active_name(), force=force, take_default=take_default)
        if diff:
            sys.stdout.write(unified_diff(result.updates))
        if check:
            drift = result.drift(state)
            for _kind, line in drift:
                print(line)
            if drift:
                raise typer.Exit(1)
            print("Everything s3env manages is in sync with the store.")
        return
    result = sync(store, force=force, take_default=take_default)
    _report(result)
    _kept(result)
    print(f"Wrote {len(result.changed)} file(s)." if result.changed else "Everything was already up to date.")


def release(
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would change; change nothing."),
) -> None:
    """Give every tool's files back: remove every section and file s3env manages, put back your own
    [default] (and any section s3env took over) byte for byte, leave every other byte.  The store stays."""
    from s3env.integrations.release import release as run_release

    result = run_release(ProfileStore(), dry_run=dry_run)
    for message in result.notices:
        notice(message)
    for line in result.lines:
        print(f"  {line}")
    if result.active is not None:
        print(f"  no profile is active now (was '{result.active}')")
    if dry_run:
        print("Nothing was changed (--dry-run)." if result.steps or result.active else "Nothing to release.")
    elif result.steps or result.active:
        print("Released: the tools' files are yours again. 's3env use NAME' manages them again.")
    else:
        print("Nothing to release: s3env manages no file.")
