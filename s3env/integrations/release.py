"""``s3env release``: give every tool's files back as they were before s3env.

Everything recorded in managed.json goes: the sections s3env wrote to the AWS files (with their
``credential_process`` lines), its keys in megfile's ``[alias]``, and the env files.  A section
s3env took over from the user (``use --take-default``, ``--force``, adopted by ``import aws``)
gets its original bytes back.  A key the user added by hand to a section s3env wrote stays (the
section stays with it, as the writers do when a profile goes); a key of s3env's the user edited
by hand stays too (it is theirs now).  Every byte s3env does not own stays where it is, and a
file that is then exactly what it was before s3env first wrote it gets the tail s3env added
(a line ending, an ``[alias]`` header) taken off again, or is deleted when s3env created it.

The store (profiles.toml, the secrets, backups) stays; the active profile is cleared, so nothing
writes the tools' files again until the next ``s3env use``.  Everything is planned and checked
before the first write; a write that fails puts back the files already changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from s3env.core.errors import FileWriteError
from s3env.integrations import sync as sync_mod
from s3env.integrations.writers import (
    WRITERS,
    IniKeysTarget,
    IniTarget,
    WholeFileDir,
    WholeFileTarget,
    WriteContext,
    ini_edit,
    ini_keys,
)
from s3env.store import fileguard, fsio
from s3env.store.managed import ManagedState, OwnedSection, digest, load_state, save_state, state_path
from s3env.store.paths import aws_config_file, aws_credentials_file, home_dir
from s3env.store.profiles import ProfileStore

_NO_RECORD = object()


@dataclass
class ReleaseStep:
    """One file ``release`` changes: its new text, or None to delete it."""

    path: Path
    label: str
    secret: bool
    # The texts may hold every secret of the credentials file: never in a repr.
    old_text: str | None = field(repr=False)
    new_text: str | None = field(repr=False)
    changes: list[str] = field(default_factory=list)

    @property
    def line(self) -> str:
        return f"{self.path}: {', '.join(self.changes)}"


@dataclass
class ReleaseResult:
    steps: list[ReleaseStep]
    notices: list[str]
    #: the profile that was active (no profile is active after a release)
    active: str | None
    dry_run: bool

    @property
    def lines(self) -> list[str]:
        """What release did (or, with ``dry_run``, would do): one line per file."""
        return [step.line for step in self.steps]


def _context(store: ProfileStore) -> WriteContext:
    """The writers' targets need names and paths only: no secret is read."""
    data = store.read()
    return WriteContext(
        profiles=tuple(data.profiles.values()),
        active=data.settings.get("active"),
        store_root=store.paths.root,
        aws_config=aws_config_file(store.env),
        aws_credentials=aws_credentials_file(store.env),
        home=home_dir(store.env),
        s3env_command=("s3env",),
    )


def _is_bare(line: str) -> bool:
    """A line s3env may have added around what it wrote: blank, or a section header alone."""
    body = line.strip()
    return not body or (body.startswith("[") and body.endswith("]"))


def untrimmed(text: str, pristine: str | None) -> str | None:
    """``text`` with what s3env added at its end taken off when that gives back exactly the file
    before s3env first wrote it (``pristine``: its digest; None: there was no file, then None
    means delete it).  Otherwise ``text`` unchanged.  Pure."""
    if digest(text) == pristine:
        return text
    lines = text.splitlines(keepends=True)
    for cut in range(min(3, len(lines)) + 1):
        if cut and not _is_bare(lines[len(lines) - cut]):
            break
        head = "".join(lines[: len(lines) - cut])
        for candidate in (head, head.rstrip("\r\n") if head.endswith(("\n", "\r")) else None):
            if candidate is None:
                continue
            if pristine is None and candidate == "":
                return None
            if candidate and digest(candidate) == pristine:
                return candidate
    return text


def _release_ini(text: str, owned: dict[str, OwnedSection], path: str, kind: str):
    ini_edit.validate(text, path, kind)
    new, changes, notices = text, [], []
    for header, entry in sorted(owned.items(), key=lambda item: item[1].original is None):
        new, change, notice = sync_mod.give_back(new, header, entry, path, kind)
        changes += change
        notices += notice
    return new, changes, notices


def _release_keys(text: str, section: str, owned: dict[str, OwnedSection], path: str):
    sync_mod.validate_configparser(text, path)
    prefix = f"[{section}] "
    new, changes, notices = text, [], []
    for header, entry in owned.items():
        if not header.startswith(prefix):
            continue
        key = header[len(prefix) :]
        now = ini_keys.key_text(new, section, key, path)
        if now is None:
            continue
        if not entry.pending and digest(now) != entry.sha256:
            notices.append(f"{path}: left '{key}' in [{section}]: you edited it, it is yours now")
            continue
        new = ini_keys.remove_key(new, section, key, path)
        changes.append(f"removed {key} from [{section}]")
    return new, changes, notices


def plan_release(store: ProfileStore) -> tuple[ReleaseResult, ManagedState]:
    """What ``release`` would change, computed and checked without writing anything."""
    ctx = _context(store)
    state = load_state(store.paths.root)
    steps: list[ReleaseStep] = []
    notices: list[str] = []
    seen: set[str] = set()
    targets = [t for writer in WRITERS.values() for t in writer.targets(ctx)]
    target_paths = {str(t.path) for t in targets if not isinstance(t, WholeFileDir)}
    for path_text in state.files:  # a file s3env wrote that is no target now (AWS_CONFIG_FILE moved)
        if path_text not in target_paths:
            targets.append(_stray_target(path_text, state))
    for target in targets:
        if isinstance(target, WholeFileDir):  # files s3env wrote there that no target names now
            named = {t.path for t in targets if isinstance(t, WholeFileTarget)}
            for stale in sync_mod._stale_files(target, named):
                steps.append(ReleaseStep(stale.path, target.label, True, None, None, ["deleted"]))
            continue
        path = str(target.path)
        if path in seen:
            continue
        seen.add(path)
        if isinstance(target, WholeFileTarget):
            if os.path.lexists(path):
                steps.append(ReleaseStep(target.path, target.label, True, None, None, ["deleted"]))
            continue
        old = sync_mod._read(target.path)
        owned = state.owned(path)
        if old is None or not (owned or path in state.pristine):
            continue
        if isinstance(target, IniTarget):
            new, changes, found = _release_ini(old, owned, path, target.kind)
        else:
            assert isinstance(target, IniKeysTarget)
            new, changes, found = _release_keys(old, target.section, owned, path)
        notices += found
        pristine = state.pristine.get(path, _NO_RECORD)
        final: str | None = new if pristine is _NO_RECORD else untrimmed(new, pristine)  # type: ignore[arg-type]
        if final is None and os.path.islink(path):
            final = ""  # never delete a link of the user's: empty the file it points to
        if final == old:
            continue
        if final is None:
            changes.append("deleted (s3env created it)")
        elif not changes:
            changes.append("took off the line ending s3env added")
        steps.append(ReleaseStep(target.path, target.label, target.secret, old, final, changes))
    result = ReleaseResult(steps, notices, ctx.active, dry_run=True)
    return result, state


def _stray_target(path: str, state: ManagedState) -> IniTarget | IniKeysTarget:
    headers = list(state.owned(path))
    if headers and all(h.startswith("[") for h in headers):
        section = headers[0][1 : headers[0].index("]")]
        return IniKeysTarget("stray", Path(path), section, {})
    kind = "credentials" if "credentials" in os.path.basename(path) else "config"
    return IniTarget("stray", Path(path), kind, secret=True)


def _check(store: ProfileStore, result: ReleaseResult) -> None:
    """Refuse, before anything is written, a file release could not write or delete safely."""
    for directory in (store.paths.root, store.paths.backups):
        fileguard.check_private_dir(str(directory))
    fsio.check_write_target(state_path(store.paths.root))
    for step in result.steps:
        fsio.check_write_target(step.path)


def _undo(done: list[tuple[ReleaseStep, int | None]]) -> None:
    """Put back the files a failed release already changed (best effort: it is failing already)."""
    for step, mode in reversed(done):
        with contextlib.suppress(Exception):
            if step.old_text is None:
                continue
            fsio.atomic_write_text(step.path, step.old_text, secret=step.secret, new_file_mode=mode or 0o600)


def release(store: ProfileStore, *, dry_run: bool = False) -> ReleaseResult:
    """Remove every section and file s3env manages and give back what it took over; with
    ``dry_run`` only say what would change."""
    with store.transaction():
        result, state = plan_release(store)
        result.dry_run = dry_run
        idle = not result.steps and state.is_empty() and not state.pristine and result.active is None
        if dry_run or idle:
            return result
        _check(store, result)
        done: list[tuple[ReleaseStep, int | None]] = []
        try:
            for step in result.steps:
                mode = None
                with contextlib.suppress(OSError):
                    mode = stat.S_IMODE(os.stat(step.path).st_mode)
                if step.old_text is not None:
                    tag = hashlib.sha256(str(step.path).encode()).hexdigest()[:8]
                    fsio.write_backup(
                        store.paths.backups,
                        f"{step.label}-{tag}",
                        step.old_text.encode("utf-8"),
                        sync_mod.BACKUPS_KEPT,
                    )
                done.append((step, mode))
                if step.new_text is None:
                    try:
                        os.unlink(step.path)
                    except FileNotFoundError:
                        pass
                    except OSError as exc:
                        raise FileWriteError(f"cannot delete {step.path}: {exc.strerror}") from None
                else:
                    fsio.atomic_write_text(step.path, step.new_text, secret=step.secret)
            save_state(store.paths.root, ManagedState(told=state.told))
            if result.active is not None:
                store.set_setting("active", None)
        except BaseException:
            _undo(done)
            with contextlib.suppress(Exception):
                save_state(store.paths.root, state)
            raise
        return result
