"""``s3env import aws|env|megfile|rclone|mc [--dry-run] [--prefix P] [--force] [--name N]``."""

from __future__ import annotations

import os

import typer

from s3env.cli.commands._output import print_table, show


def import_(
    source: str = typer.Argument(..., metavar="SOURCE", help="aws, env, megfile, rclone or mc."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be created; change nothing."),
    prefix: str = typer.Option("", "--prefix", metavar="P", help="Prefix every imported profile name."),
    force: bool = typer.Option(False, "--force", help="Replace profiles of the same name."),
    strict: bool = typer.Option(
        False, "--strict", help="Import nothing if any profile would be skipped (invalid or not carried)."
    ),
    name: str | None = typer.Option(
        None, "--name", metavar="NAME", help="import env: the name of the profile to create (default: env)."
    ),
) -> None:
    """Adopt an existing setup: profiles from the AWS files, the environment, megfile, rclone or mc."""
    from s3env.core.model import mask_secret, mask_url
    from s3env.integrations.importing import import_profiles
    from s3env.store.profiles import ProfileStore

    store = ProfileStore()
    result = import_profiles(
        store, source, os.environ, prefix=prefix, force=force, dry_run=dry_run, strict=strict, name=name
    )
    if not result.candidates:
        print(f"Nothing to import from {source}.")
        if result.hint:
            print(f"{result.hint}.")
        return
    rows = [
        [
            c.profile.name,
            show(mask_url(c.profile.endpoint_url) if c.profile.endpoint_url else None, "(AWS)"),
            show(c.profile.region),
            c.profile.addressing_style,
            show(c.profile.access_key_id),
            show(mask_secret(c.profile.secret_access_key)),
            c.source,
        ]
        for c in result.imported
    ]
    if rows:
        print_table(["NAME", "ENDPOINT", "REGION", "ADDRESSING", "KEY ID", "SECRET", "FROM"], rows)
    for c in result.imported:
        for note in c.notes:
            print(f"  {c.profile.name}: {note}")
        kept = [k for k in c.profile.extra if k != "credential_process"] if source == "aws" else []
        if kept:
            print(f"  {c.profile.name}: keeps {', '.join(kept)}")
    for c in result.skipped:
        print(f"skipped {c.profile.name} ({c.source}): {c.skip}")
    if result.written:
        print(f"Imported {len(result.imported)} profile(s); the source files were not changed.")
        if result.adopted:
            print(
                f"s3env now owns {len(result.adopted)} section(s) of the AWS files: 's3env use NAME' "
                "edits them in place (every key kept) so every tool reaches the same endpoint."
            )
    elif dry_run:
        print("Dry run: nothing was written.")
    else:
        print("Nothing new to import.")
