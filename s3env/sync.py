"""Bring every tool's files in line with the store: ``s3env use`` and ``s3env write``.

Planning is pure (``plan_ini_target``): given a file's text and what s3env owns in it, the
new text, the new ownership and what changed.  ``sync`` does the I/O around it, in an
order that survives a kill at any point:

1. under the store lock, read the store and every target file, refuse files botocore cannot
   parse and sections s3env does not own, then check every file about to be written
   (``check_targets``: a regular file or absent, in s3env's private directories) — nothing
   is written before all of it passed;
2. record every section about to be written as owned (``pending``) in managed.json;
3. back up each file that changes (0600, last 3 kept) and replace it atomically;
4. confirm the ownership record with the digests of what was written.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from s3env import fileguard, fsio
from s3env.errors import AwsFileParseError, ManagedSectionConflict, S3envError
from s3env.managed import ManagedState, OwnedSection, digest, load_state, save_state, state_path
from s3env.paths import aws_config_file, aws_credentials_file, home_dir
from s3env.selfcmd import self_command
from s3env.store import ProfileStore
from s3env.writers import WRITERS, IniKeysTarget, IniTarget, WholeFileTarget, WriteContext, ini_edit, ini_keys

BACKUPS_KEPT = 3


@dataclass
class FileUpdate:
    label: str
    path: Path
    secret: bool
    old_text: str | None
    new_text: str
    owned_after: dict[str, OwnedSection] | None  # None: a file s3env owns whole
    changes: list[str] = field(default_factory=list)
    hand_edited: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text


@dataclass
class SyncResult:
    updates: list[FileUpdate]
    notices: list[str]
    active: str | None

    @property
    def changed(self) -> list[FileUpdate]:
        return [u for u in self.updates if u.changed]

    def drift(self) -> list[str]:
        """Human lines for every difference between the files and the store."""
        lines: list[str] = []
        for update in self.updates:
            for header in update.hand_edited:
                lines.append(f"{update.path}: [{header}] was edited by hand since s3env wrote it")
            if update.changed:
                described = ", ".join(update.changes) or "content differs"
                lines.append(f"{update.path}: out of date ({described})")
        return lines


def _group_blocked(
    targets: list[IniTarget], texts: dict[Path, str | None], state: ManagedState, group: str
) -> list[str]:
    """Where a section of ``group`` exists that s3env does not own: 'path [header]' strings."""
    blockers: list[str] = []
    for target in targets:
        text = texts.get(target.path)
        if not text:
            continue
        for header in target.group_headers.get(group, ()):
            for section in ini_edit.find_sections(text, header, target.kind, str(target.path)):
                if not state.owns(target.path, section.header):
                    blockers.append(f"{target.path} [{section.header}]")
    return blockers


def plan_ini_target(
    target: IniTarget,
    text: str | None,
    owned: dict[str, OwnedSection],
    *,
    force: bool,
    taken_groups: set[str],
    skipped_groups: set[str],
) -> FileUpdate:
    """The new text of one INI file.  Pure.  Raises before anything is decided on bad input."""
    path = str(target.path)
    current = text if text is not None else ""
    if text is not None:
        ini_edit.validate(text, path, target.kind)
    hand_edited = [
        header
        for header, entry in owned.items()
        if not entry.pending
        and (now := ini_edit.section_text(current, header, path, kind=target.kind)) is not None
        and digest(now) != entry.sha256
    ]
    new = current
    owned_after: dict[str, OwnedSection] = {}
    changes: list[str] = []
    desired_headers: set[str] = set()
    for section in target.sections:
        if section.group in skipped_groups:
            continue
        desired_headers.add(section.header)
        existing = ini_edit.find_sections(new, section.header, target.kind, path)
        foreign = [s.header for s in existing if s.header != section.header or section.header not in owned]
        takeover = section.group in taken_groups
        if foreign and not (force or takeover):
            shown = ", ".join(f"[{h}]" for h in foreign)
            raise ManagedSectionConflict(
                f"{path}: {shown} was not written by s3env; refusing to overwrite it "
                "(use --force to replace it; the old file is kept as a backup)"
            )
        before = ini_edit.section_text(new, section.header, path, kind=target.kind)
        new = ini_edit.upsert_section(new, section.header, list(section.items), path, kind=target.kind)
        after = ini_edit.section_text(new, section.header, path, kind=target.kind)
        owned_after[section.header] = OwnedSection(sha256=digest(after), profile=section.profile)
        if before is None:
            changes.append(f"added [{section.header}]")
        elif before != after:
            changes.append(f"updated [{section.header}]")
    for header in owned:
        if header in desired_headers:
            continue
        if ini_edit.section_text(new, header, path, kind=target.kind) is not None:
            new = ini_edit.remove_section(new, header, path, kind=target.kind)
            changes.append(f"removed [{header}]")
    # With --take-default, the user's own members of a taken group that we do not rewrite go too.
    for group in taken_groups:
        for header in target.group_headers.get(group, ()):
            if header not in desired_headers and ini_edit.section_text(new, header, path, kind=target.kind):
                new = ini_edit.remove_section(new, header, path, kind=target.kind)
                changes.append(f"removed [{header}]")
    return FileUpdate(
        label=target.label,
        path=target.path,
        secret=target.secret,
        old_text=text,
        new_text=new,
        owned_after=owned_after,
        changes=changes,
        hand_edited=hand_edited,
    )


def _key_header(section: str, key: str) -> str:
    return f"[{section}] {key}"


def validate_configparser(text: str, path: str) -> None:
    """Refuse what Python's configparser (megfile's reader) refuses, as a one-line error."""
    import configparser

    ini_edit.validate(text, path, "config")
    parser = configparser.ConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # megfile keeps key case
    try:
        parser.read_string(text, source=path)
        for section in parser.sections():
            dict(parser.items(section))  # interpolation errors surface on read
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        reason = str(exc).splitlines()[0]
        raise AwsFileParseError(path, line, f"configparser cannot read it: {reason}") from None


def plan_keys_target(
    target: IniKeysTarget, text: str | None, owned: dict[str, OwnedSection], *, force: bool
) -> FileUpdate:
    """The new text of a file where s3env owns single keys of one section.  Pure."""
    path = str(target.path)
    current = text if text is not None else ""
    if text is not None:
        validate_configparser(text, path)
    prefix = _key_header(target.section, "")
    owned_keys = {
        header[len(prefix) :]: entry for header, entry in owned.items() if header.startswith(prefix)
    }
    hand_edited = [
        _key_header(target.section, key)
        for key, entry in owned_keys.items()
        if not entry.pending
        and (now := ini_keys.key_text(current, target.section, key, path)) is not None
        and digest(now) != entry.sha256
    ]
    new = current
    owned_after: dict[str, OwnedSection] = {}
    changes: list[str] = []
    notices: list[str] = []
    for key, value in sorted(target.keys.items()):
        before = ini_keys.key_text(new, target.section, key, path)
        if before is not None and key not in owned_keys and not force:
            notices.append(f"{path}: left your own '{key}' in [{target.section}] alone")
            continue
        new = ini_keys.upsert_key(new, target.section, key, value, path)
        after = ini_keys.key_text(new, target.section, key, path)
        owned_after[_key_header(target.section, key)] = OwnedSection(sha256=digest(after), profile=key)
        if before != after:
            changes.append(f"{'added' if before is None else 'updated'} {key} in [{target.section}]")
    for key in owned_keys:
        if key not in target.keys and ini_keys.key_text(new, target.section, key, path) is not None:
            new = ini_keys.remove_key(new, target.section, key, path)
            changes.append(f"removed {key} from [{target.section}]")
    return FileUpdate(
        label=target.label,
        path=target.path,
        secret=target.secret,
        old_text=text,
        new_text=new,
        owned_after=owned_after,
        changes=changes,
        hand_edited=hand_edited,
        notices=notices,
    )


def build_context(store: ProfileStore, active: str | None) -> WriteContext:
    data = store.read()
    secret_store = store.secret_store(data.settings, for_write=False)
    profiles = []
    for profile in data.profiles.values():
        if secret_store is not None:
            profile = profile.replace(**secret_store.get_all(profile.name))
        profiles.append(profile)
    return WriteContext(
        profiles=tuple(profiles),
        active=active,
        store_root=store.paths.root,
        aws_config=aws_config_file(store.env),
        aws_credentials=aws_credentials_file(store.env),
        home=home_dir(store.env),
        s3env_command=self_command(),
    )


def _read(path: Path) -> str | None:
    try:
        return fsio.read_text_exact(path)
    except UnicodeDecodeError as exc:
        raise AwsFileParseError(
            str(path), None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None
    except OSError as exc:
        raise S3envError(f"cannot read {path}: {exc.strerror}") from None


def plan(
    store: ProfileStore, *, active: str | None, force: bool = False, take_default: bool = False
) -> tuple[SyncResult, ManagedState]:
    """Everything ``sync`` would write, computed without writing (used by --check and --diff)."""
    ctx = build_context(store, active)
    state = load_state(store.paths.root)
    notices: list[str] = []
    updates: list[FileUpdate] = []
    for writer in WRITERS.values():
        targets = writer.targets(ctx)
        ini_targets = [t for t in targets if isinstance(t, IniTarget)]
        texts = {t.path: _read(t.path) for t in ini_targets}
        for target in ini_targets:
            if texts[target.path] is not None:
                ini_edit.validate(texts[target.path] or "", str(target.path), target.kind)
        groups = {s.group for t in ini_targets for s in t.sections if s.group}
        groups |= {g for t in ini_targets for g in t.group_headers}
        taken: set[str] = set()
        skipped: set[str] = set()
        for group in sorted(groups):
            blockers = _group_blocked(ini_targets, texts, state, group)
            if not blockers:
                continue
            if take_default:
                taken.add(group)
            else:
                skipped.add(group)
                if any(s.group == group for t in ini_targets for s in t.sections):
                    notices.append(
                        f"left your own {', '.join(blockers)} alone: tools run without AWS_PROFILE "
                        "still use it (pass --take-default to let s3env manage [default]; "
                        "the old file is backed up)"
                    )
        for target in targets:
            if isinstance(target, IniKeysTarget):
                updates.append(
                    plan_keys_target(target, _read(target.path), state.owned(target.path), force=force)
                )
            elif isinstance(target, IniTarget):
                updates.append(
                    plan_ini_target(
                        target,
                        texts[target.path],
                        state.owned(target.path),
                        force=force,
                        taken_groups=taken,
                        skipped_groups=skipped,
                    )
                )
            else:
                assert isinstance(target, WholeFileTarget)
                old = _read(target.path)
                updates.append(
                    FileUpdate(
                        label=target.label,
                        path=target.path,
                        secret=target.secret,
                        old_text=old,
                        new_text=target.text,
                        owned_after=None,
                        changes=[] if old == target.text else ["rewritten"],
                        notices=[target.notice] if target.notice else [],
                    )
                )
    # A file that does not exist and would stay empty is not created.
    updates = [u for u in updates if not (u.old_text is None and u.new_text == "")]
    notices += [n for u in updates for n in u.notices]
    return SyncResult(updates=updates, notices=notices, active=active), state


def _backup_label(update: FileUpdate) -> str:
    tag = hashlib.sha256(str(update.path).encode()).hexdigest()[:8]
    return f"{update.label}-{tag}"


def check_targets(store: ProfileStore, result: SyncResult, *, switching: bool) -> None:
    """Refuse, before anything is written, what ``apply`` (and, when ``switching``, recording
    the active profile) could not write safely, so that a refusal changes nothing anywhere:
    s3env's own directories must be the user's and closed to others, and every file about to
    be replaced must be, through its links, a regular file or absent."""
    paths = store.paths
    for directory in (paths.root, paths.env_dir, paths.backups):
        fileguard.check_private_dir(str(directory))
    targets = [state_path(paths.root), *(u.path for u in result.changed)]
    if switching:
        targets.append(paths.profiles)
    for path in targets:
        fsio.check_write_target(path)


def apply(store: ProfileStore, result: SyncResult, state: ManagedState) -> None:
    """Write a planned result (the caller holds the store lock)."""
    root = store.paths.root
    ini_updates = [u for u in result.updates if u.owned_after is not None]
    # 1. Record before writing: the union of what is owned now and what is about to be.
    for update in ini_updates:
        assert update.owned_after is not None
        owned = dict(state.owned(update.path))
        for header, entry in update.owned_after.items():
            if owned.get(header) != entry:
                owned[header] = OwnedSection(sha256=entry.sha256, pending=True, profile=entry.profile)
        state.files[str(update.path)] = owned
    save_state(root, state)
    # 2. Back up and replace each changed file.
    for update in result.changed:
        if update.old_text is not None and update.owned_after is not None:
            fsio.write_backup(
                store.paths.backups, _backup_label(update), update.old_text.encode("utf-8"), BACKUPS_KEPT
            )
        fsio.atomic_write_text(update.path, update.new_text, secret=update.secret, new_file_mode=0o600)
    # 3. Confirm.
    for update in ini_updates:
        assert update.owned_after is not None
        state.files[str(update.path)] = dict(update.owned_after)
    save_state(root, state)


_KEEP = object()


def sync(
    store: ProfileStore,
    *,
    active: object = _KEEP,
    force: bool = False,
    take_default: bool = False,
) -> SyncResult:
    """Re-render every managed section and env file; with ``active`` (a name or None) also switch."""
    with fsio.locked(store.paths.lock):
        current_active = store.active_name()
        new_active = current_active if active is _KEEP else active
        assert new_active is None or isinstance(new_active, str)
        if new_active is not None:
            store.get(new_active)  # ProfileNotFound with a did-you-mean
        result, state = plan(store, active=new_active, force=force, take_default=take_default)
        check_targets(store, result, switching=new_active != current_active)
        if new_active != current_active:
            store.set_setting("active", new_active)
        apply(store, result, state)
        return result


def sync_if_managed(store: ProfileStore) -> SyncResult | None:
    """After a profile change: keep the tools' files in line, once s3env manages any."""
    if load_state(store.paths.root).is_empty() and store.active_name() is None:
        return None
    return sync(store)


_SECRET_LINE = re.compile(
    r"^(\s*(?:aws_secret_access_key|aws_session_token|aws_security_token)\s*[=:]\s*)(.+)$", re.I
)


def masked(text: str) -> list[str]:
    """Lines of ``text`` with secret values replaced: for --diff output."""
    from s3env.model import mask_secret

    def hide(match: re.Match[str]) -> str:
        value = match.group(2).rstrip("\r\n")
        return match.group(1) + (mask_secret(value) or "") + match.group(2)[len(value) :]

    return [_SECRET_LINE.sub(hide, line) for line in text.splitlines(keepends=True)]


def unified_diff(updates: Iterable[FileUpdate]) -> str:
    out: list[str] = []
    for update in updates:
        if not update.changed:
            continue
        out.extend(
            difflib.unified_diff(
                masked(update.old_text or ""),
                masked(update.new_text),
                fromfile=f"{update.path} (now)",
                tofile=f"{update.path} (after s3env write)",
            )
        )
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in out)
