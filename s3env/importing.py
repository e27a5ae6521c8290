"""``s3env import``: adopt an existing setup into the store.

Candidates come from one importer (``s3env.importers``); the sources are only read.  For
``aws``, the sections the profiles came from are then *adopted*: recorded in managed.json as
s3env's, so ``s3env use X`` rewrites them in the consistent layout (the old file is backed
up) and every tool reaches the endpoint X was imported with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from s3env import fsio
from s3env.errors import S3envError
from s3env.importers import Candidate, reader
from s3env.managed import OwnedSection, digest, load_state, save_state
from s3env.store import ProfileStore


@dataclass
class ImportResult:
    candidates: list[Candidate]
    written: bool
    adopted: list[tuple[str, str]]


def plan_import(source: str, env: Mapping[str, str], *, prefix: str = "") -> list[Candidate]:
    """Read the source and name the candidates (prefix applied, every profile validated)."""
    candidates = reader(source)(env)
    for candidate in candidates:
        if prefix:
            candidate.profile = candidate.profile.replace(name=f"{prefix}{candidate.profile.name}")
        try:
            candidate.profile.validate()
        except S3envError as exc:
            raise type(exc)(f"{candidate.source}: {exc.message}") from None
    return candidates


def import_profiles(
    store: ProfileStore,
    source: str,
    env: Mapping[str, str],
    *,
    prefix: str = "",
    force: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    candidates = plan_import(source, env, prefix=prefix)
    existing = set(store.names())
    clashes = [c.profile.name for c in candidates if c.profile.name in existing]
    if clashes and not force:
        shown = ", ".join(sorted(clashes))
        raise S3envError(
            f"profile(s) already in the store: {shown} (use --prefix P to import under other names, "
            "or --force to replace them)"
        )
    if dry_run:
        return ImportResult(candidates, written=False, adopted=[])
    adopted: list[tuple[str, str]] = []
    with fsio.locked(store.paths.lock):
        for candidate in candidates:
            store.add(candidate.profile, force=force)
        adopted = _adopt(store, [c for c in candidates if c.adopt])
    return ImportResult(candidates, written=True, adopted=adopted)


def _adopt(store: ProfileStore, candidates: list[Candidate]) -> list[tuple[str, str]]:
    """Record the imported sections as s3env's (their current text is what s3env 'wrote')."""
    from s3env.writers import ini_edit

    if not candidates:
        return []
    state = load_state(store.paths.root)
    texts: dict[str, str] = {}
    adopted: list[tuple[str, str]] = []
    for candidate in candidates:
        for path, header in candidate.adopt:
            if path not in texts:
                texts[path] = fsio.read_text_exact(Path(path)) or ""
            kind = "config" if header.startswith(("profile ", "services ")) else "credentials"
            current = ini_edit.section_text(texts[path], header, path, kind=kind)
            if current is None:
                continue
            state.files.setdefault(path, {})[header] = OwnedSection(
                sha256=digest(current), profile=candidate.profile.name
            )
            adopted.append((path, header))
    save_state(store.paths.root, state)
    return adopted
