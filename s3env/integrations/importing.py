"""``s3env import``: adopt an existing setup into the store.

Candidates come from one importer (``s3env.integrations.importers``); the sources are only read.  Every
candidate is checked before anything is written: s3env's own sections are never imported,
one that is invalid or that s3env cannot carry is listed with the reason and skipped (fatal
with ``strict``), and a name clash stops the whole import (unless ``force``).  Then the store
changes in one write, or not at all.

For ``aws``, the sections a profile came from under its own name are then *adopted*: recorded
in managed.json as s3env's, with every key they hold, so ``s3env use X`` edits them in place
(keys the store carries stay as they were) and every tool reaches the endpoint X was imported
with.  A prefixed import is a copy: the user's sections stay theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from s3env.core.errors import ImportRefused, S3envError
from s3env.integrations.importers import Candidate, reader
from s3env.store import fsio
from s3env.store.managed import OwnedSection, digest, load_state, save_state, value_keys
from s3env.store.paths import aws_config_file
from s3env.store.profiles import ProfileStore


@dataclass
class ImportResult:
    candidates: list[Candidate]  # every candidate; the skipped ones have ``skip`` set
    written: bool
    adopted: list[tuple[str, str]]
    #: with no candidate: where the keys are instead (``megfile config s3`` writes the AWS files)
    hint: str | None = None

    @property
    def imported(self) -> list[Candidate]:
        return [c for c in self.candidates if c.skip is None]

    @property
    def skipped(self) -> list[Candidate]:
        return [c for c in self.candidates if c.skip is not None]


UNCHANGED = "already in the store, unchanged"


def plan_import(
    store: ProfileStore,
    source: str,
    env: Mapping[str, str],
    *,
    prefix: str = "",
    force: bool = False,
    name: str | None = None,
) -> list[Candidate]:
    """Read the source and decide each candidate's fate.  Writes nothing.  ``name``: the name of
    the one profile ``env`` makes (instead of ``env``); only for that source.

    Raises :class:`ImportRefused` when a candidate would replace a different profile of the store
    (without ``force``)."""
    if name is not None:
        from s3env.core.errors import UsageError
        from s3env.core.model import validate_name

        if source != "env":
            raise UsageError(f"--name is for 'import env' (one profile); {source} names its own profiles")
        validate_name(name)
    state = load_state(store.paths.root)
    owned = {(path, header) for path, sections in state.files.items() for header in sections}
    data = store.read()
    candidates: list[Candidate] = []
    for candidate in reader(source)(env):
        if any(section in owned for section in candidate.sections):
            continue  # s3env's own section (a profile of the store, or its copy in [default])
        if name is not None:
            candidate.profile = candidate.profile.replace(name=name)
        if prefix:
            candidate.profile = candidate.profile.replace(name=f"{prefix}{candidate.profile.name}")
            candidate.adoptable = False
        if candidate.skip is None and candidate.adoptable and candidate.adopt_blocker:
            candidate.skip = (
                f"s3env cannot take it over: {candidate.adopt_blocker}; left as yours "
                "(import a copy with --prefix P)"
            )
        if candidate.skip is None:
            try:
                candidate.profile.validate()
            except S3envError as exc:
                candidate.skip = f"invalid: {exc.message}"
        candidates.append(candidate)
    clashes: list[str] = []
    for candidate in candidates:
        name = candidate.profile.name
        if candidate.skip is not None or name not in data.profiles:
            continue
        if store.get(name, secrets=True) == candidate.profile:
            candidate.skip = UNCHANGED
        elif not force:
            clashes.append(name)
    if clashes:
        raise ImportRefused(
            f"profile(s) already in the store: {', '.join(sorted(clashes))} (use --prefix P to import "
            "under other names, or --force to replace them)"
        )
    return candidates


def import_profiles(
    store: ProfileStore,
    source: str,
    env: Mapping[str, str],
    *,
    prefix: str = "",
    force: bool = False,
    dry_run: bool = False,
    strict: bool = False,
    name: str | None = None,
) -> ImportResult:
    with fsio.locked(store.paths.lock):
        candidates = plan_import(store, source, env, prefix=prefix, force=force, name=name)
        failed = [c for c in candidates if c.skip is not None and c.skip != UNCHANGED]
        if strict and failed:
            raise ImportRefused(
                f"{len(failed)} profile(s) cannot be imported ({failed[0].source}: {failed[0].skip})"
                f"{' and more' if len(failed) > 1 else ''}; nothing was imported"
            )
        chosen = [c for c in candidates if c.skip is None]
        # A profile already in the store as it is in the files (e.g. after `s3env release` gave
        # its sections back): adopted again, so `s3env use` can write it.
        again = [c for c in candidates if c.skip == UNCHANGED and c.adoptable and not c.adopt_blocker]
        if dry_run or not (chosen or again):
            hint = None if candidates else empty_hint(store, source, env)
            return ImportResult(candidates, written=False, adopted=[], hint=hint)
        state, adopted = _adoption(store, chosen + again, str(aws_config_file(env)))
        with store.transaction():
            if chosen:
                store.add_many([c.profile for c in chosen], force=force)
            if adopted:
                save_state(store.paths.root, state)
    return ImportResult(candidates, written=bool(chosen or adopted), adopted=adopted)


def empty_hint(store: ProfileStore, source: str, env: Mapping[str, str]) -> str | None:
    """Where the keys are when ``source`` had none.  megfile reads the AWS files first, and
    ``megfile config s3`` writes its keys there (``~/.aws/credentials``), not in megfile's own
    settings: then ``import aws`` is the import that finds them."""
    if source != "megfile":
        return None
    try:  # s3env's own sections are left out; force: a clash is no error here
        found = [
            c
            for c in plan_import(store, "aws", env, force=True)
            if c.profile.access_key_id and c.skip != UNCHANGED
        ]
    except S3envError:
        return None  # unreadable AWS files: `import aws` says why
    if not found:
        return None
    where = ", ".join(c.source for c in found[:3]) + (" and more" if len(found) > 3 else "")
    return (
        "megfile takes its keys from the AWS files, where `megfile config s3` writes them, and "
        f"they hold some ({where}): run 's3env import aws' to import them"
    )


def _adoption(store: ProfileStore, candidates: list[Candidate], config_path: str):
    """managed.json with the imported sections recorded as s3env's, every key they hold as written
    by s3env (the store now carries them all), and the list of (path, header) adopted."""
    from s3env.core import ini

    state = load_state(store.paths.root)
    texts: dict[str, str] = {}
    adopted: list[tuple[str, str]] = []
    for candidate in candidates:
        if not candidate.adoptable:
            continue
        for path, header in candidate.sections:
            if path not in texts:
                texts[path] = fsio.read_text_exact(Path(path)) or ""
            kind = "config" if path == config_path else "credentials"
            current = ini.section_text(texts[path], header, path, kind=kind)
            values = ini.section_values(texts[path], header, path, kind=kind)
            if current is None or values is None:
                continue
            state.files.setdefault(path, {})[header] = OwnedSection(
                sha256=digest(current),
                profile=candidate.profile.name,
                keys=value_keys(values),
                original=current,  # the user's section: `s3env release` puts it back as it was
            )
            adopted.append((path, header))
    return state, adopted
