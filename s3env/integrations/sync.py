"""Bring every tool's files in line with the store: ``s3env use`` and ``s3env write``.

Planning is pure (``plan_ini_target``): given a file's text and what s3env owns in it, the
new text, the new ownership and what changed.  ``sync`` does the I/O around it, in an
order that survives a kill at any point:

1. under the store lock, read the store and every target file, refuse files botocore cannot
   parse and sections s3env does not own, then check every file about to be written
   (``check_targets``: a regular file or absent, in s3env's private directories) — nothing
   is written before all of it passed;
2. record every section about to be written as owned (``pending``) in managed.json;
3. back up each file that changes (0600, last 3 kept) and replace it atomically (or remove it:
   a per-profile env file of a profile that is gone);
4. confirm the ownership record with the digests of what was written.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from s3env.core.errors import AwsFileParseError, ImportRefused, ManagedSectionConflict, S3envError
from s3env.core.model import Profile
from s3env.core.selfcmd import credential_process_command
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
from s3env.store.managed import (
    DEFAULT_LEFT_ALONE,
    ManagedState,
    OwnedSection,
    digest,
    item_keys,
    load_state,
    save_state,
    state_path,
    value_keys,
)
from s3env.store.paths import aws_config_file, aws_credentials_file, home_dir
from s3env.store.profiles import ProfileStore

BACKUPS_KEPT = 3


@dataclass
class FileUpdate:
    label: str
    path: Path
    secret: bool
    # The texts hold every secret of the credentials file: never in a repr (a notebook shows it).
    old_text: str | None = field(repr=False)
    new_text: str | None = field(repr=False)  # None: the file is removed
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
    #: profiles left out because the user has sections of their own where they would go
    blocked: dict[str, list[str]] = field(default_factory=dict)
    #: the user's own [default] sections, left alone (tools run without AWS_PROFILE use them)
    default_left_alone: list[str] = field(default_factory=list)
    #: ``--take-default``: the profile the user's own [default] was kept as, when it was added now
    kept_default: str | None = None

    @property
    def changed(self) -> list[FileUpdate]:
        return [u for u in self.updates if u.changed]

    def drift(self, state: ManagedState) -> list[tuple[str, str]]:
        """``(kind, line)`` for every difference between the files and the store that s3env would
        have to write; kind is ``edited`` (a section s3env wrote, edited by hand) or ``out-of-date``.

        Before s3env manages anything (no active profile, no section recorded as s3env's) nothing
        is out of date: ``profile add`` writes nothing until the first ``use``.  Without an active
        profile, an env file that does not exist is not out of date either: it would only unset
        variables, and the prompt hook applies nothing when there is no file."""
        if self.active is None and state.is_empty():
            return []
        lines: list[tuple[str, str]] = []
        for update in self.updates:
            if self.active is None and update.owned_after is None and update.old_text is None:
                continue
            for header in update.hand_edited:
                lines.append(("edited", f"{update.path}: [{header}] was edited by hand since s3env wrote it"))
            if update.changed:
                described = ", ".join(update.changes) or "content differs"
                lines.append(("out-of-date", f"{update.path}: out of date ({described})"))
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


def _user_keys(
    values: dict[str, str | dict[str, str]], owned_keys: set[str]
) -> tuple[set[str], dict[str, list[tuple[str, str]]]]:
    """The keys of a section that are not s3env's: (top-level keys, nested keys per block)."""
    top = {k for k, v in values.items() if isinstance(v, str) and k not in owned_keys}
    nested = {
        block: [(sub, v) for sub, v in subs.items() if f"{block}.{sub}" not in owned_keys]
        for block, subs in values.items()
        if isinstance(subs, dict)
    }
    return top, {b: subs for b, subs in nested.items() if subs}


def _owned_keys(entry: OwnedSection, values: dict[str, str | dict[str, str]], now: str, items) -> set[str]:
    """Which keys of an owned section s3env wrote.  Records from before keys were tracked: every key
    while the section is as s3env wrote it; once edited by hand, only what s3env writes now."""
    if entry.keys is not None:
        return set(entry.keys)
    if digest(now) == entry.sha256:
        return set(value_keys(values))
    return set(item_keys(items))


def _with_user_keys(items, values, owned_keys: set[str]) -> tuple[list, frozenset[str], list[str]]:
    """``items`` plus the keys a user added by hand to a section s3env owns: (items to write, top-level
    keys to leave as they stand, names of the user's keys for notices)."""
    top, nested = _user_keys(values, owned_keys)
    wanted = {k.lower() for k, _v in items}
    keep = frozenset(k for k in top if k not in wanted)
    out = list(items)
    for block, subs in nested.items():
        if block in wanted:
            index = next(i for i, (k, _v) in enumerate(out) if k.lower() == block)
            mine = {sub for sub, _v in out[index][1]}
            out[index] = (out[index][0], [*out[index][1], *((s, v) for s, v in subs if s not in mine)])
        elif len(subs) == len(values[block]):  # type: ignore[arg-type]
            keep |= {block}
        else:
            out.append((block, subs))
    return out, keep, sorted(keep) + [f"{b}.{s}" for b, subs in nested.items() for s, _v in subs]


def plan_ini_target(
    target: IniTarget,
    text: str | None,
    owned: dict[str, OwnedSection],
    *,
    force: bool,
    taken_groups: set[str],
    skipped_groups: set[str],
    skipped_profiles: frozenset[str] = frozenset(),
    managed_groups: frozenset[str] = frozenset(),
) -> FileUpdate:
    """The new text of one INI file.  Pure.  Raises before anything is decided on bad input.

    Sections are edited key by key (``ini_edit.edit_section``): a key a user added by hand to a
    section s3env owns stays where it is, and a section s3env no longer wants keeps such keys."""
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
    notices: list[str] = []
    desired_headers: set[str] = set()
    for section in target.sections:
        if section.group in skipped_groups or (section.group is None and section.profile in skipped_profiles):
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
        items, keep = list(section.items), frozenset[str]()
        entry = owned.get(section.header)
        original = entry.original if entry is not None else None
        if entry is None and len(existing) == 1 and existing[0].header == section.header:
            original = before  # the user's own section, taken over: release puts it back
        if entry is not None and not foreign and before is not None:
            values = ini_edit.section_values(new, section.header, path, kind=target.kind) or {}
            items, keep, _names = _with_user_keys(items, values, _owned_keys(entry, values, before, items))
        if entry is None and original is not None:
            # Taken over whole (comments inside too), so that release can put back exactly its bytes.
            new = ini_edit.upsert_section(new, section.header, items, path, kind=target.kind)
        else:
            new = ini_edit.edit_section(new, section.header, items, path, kind=target.kind, keep=keep)
        after = ini_edit.section_text(new, section.header, path, kind=target.kind)
        owned_after[section.header] = OwnedSection(
            sha256=digest(after), profile=section.profile, keys=item_keys(section.items), original=original
        )
        if before is None:
            changes.append(f"added [{section.header}]")
        elif before != after:
            changes.append(f"updated [{section.header}]")
    held = {h for group in managed_groups for h in target.group_headers.get(group, ())}
    for header, entry in owned.items():
        if header in desired_headers:
            continue
        if entry.profile in skipped_profiles:
            owned_after[header] = entry  # the profile's other sections wait with it
            continue
        if entry.original is not None and header in held:
            # A taken member of a group s3env still writes (credentials [default] while the active
            # profile uses credential_process): it stays s3env's, empty, until the group is given back.
            new, emptied = _emptied(new, header, entry, path, target.kind, entry.original)
            owned_after[header] = emptied
            continue
        new, change, notice = give_back(new, header, entry, path, target.kind)
        changes += change
        notices += notice
    # With --take-default, the user's own members of a taken group that we do not rewrite are
    # emptied (kept for release when they can be put back exactly, else removed; backed up).
    for group in taken_groups:
        for header in target.group_headers.get(group, ()):
            if header in desired_headers or header in owned_after:
                continue
            found = ini_edit.find_sections(new, header, target.kind, path)
            if len(found) == 1 and found[0].header == header:
                original = ini_edit.section_text(new, header, path, kind=target.kind)
                new, owned_after[header] = _emptied(new, header, None, path, target.kind, original)
                changes.append(f"emptied [{header}]")
            elif found:
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
        notices=notices,
    )


def _emptied(
    text: str, header: str, entry: OwnedSection | None, path: str, kind: str, original: str | None
) -> tuple[str, OwnedSection]:
    """``[header]`` with none of s3env's keys (a user's key added since stays), owned by s3env."""
    if entry is None:  # taken over whole (comments inside too): release puts back exactly its bytes
        new = ini_edit.upsert_section(text, header, [], path, kind=kind)
    else:
        now = ini_edit.section_text(text, header, path, kind=kind) or ""
        values = ini_edit.section_values(text, header, path, kind=kind) or {}
        leftover, keep, _names = _with_user_keys([], values, _owned_keys(entry, values, now, []))
        new = ini_edit.edit_section(text, header, leftover, path, kind=kind, keep=keep)
    after = ini_edit.section_text(new, header, path, kind=kind)
    return new, OwnedSection(sha256=digest(after), keys=(), original=original)


def _replace_section(text: str, header: str, replacement: str, path: str, kind: str) -> str:
    """``text`` with the span of ``[header]`` (the exact spelling, else its first look-alike)
    replaced by ``replacement``; every other character kept."""
    found = ini_edit.find_sections(text, header, kind, path)
    target = next((s for s in found if s.header == header), found[0])
    out = text[: target.start] + replacement + text[target.end :]
    ini_edit.validate(out, path, kind)
    return out


def give_back(
    text: str, header: str, entry: OwnedSection, path: str, kind: str
) -> tuple[str, list[str], list[str]]:
    """An owned section s3env no longer writes: (new text, changes, notices).  Pure.

    A section s3env took over from the user gets its original bytes back (with any key the user
    added by hand since); one s3env created loses s3env's keys, and goes when none of the user's
    is left in it.  A section the user deleted stays deleted."""
    now = ini_edit.section_text(text, header, path, kind=kind)
    if now is None:
        return text, [], []
    values = ini_edit.section_values(text, header, path, kind=kind) or {}
    owned_keys = _owned_keys(entry, values, now, [])
    if entry.original is not None:
        new = _replace_section(text, header, entry.original, path, kind)
        original = ini_edit.section_values(entry.original, header, path, kind=kind) or {}
        top, nested = _user_keys(values, owned_keys)
        items: list[tuple[str, object]] = [(k, values[k]) for k in sorted(top)]
        for block, subs in nested.items():
            base = original.get(block)
            merged = dict(base) if isinstance(base, dict) else {}
            merged.update(subs)
            items.append((block, list(merged.items())))
        notices: list[str] = []
        if items:
            keep = frozenset(k for k in original if k not in {k2 for k2, _v in items})
            new = ini_edit.edit_section(new, header, items, path, kind=kind, keep=keep)
            names = ", ".join(k for k, _v in items)
            notices.append(f"{path}: put back your own [{header}], with the {names} you added")
        return new, [f"put back your own [{header}]"], notices
    leftover, keep, names = _with_user_keys([], values, owned_keys)
    if names:
        new = ini_edit.edit_section(text, header, leftover, path, kind=kind, keep=keep)
        notice = f"{path}: left [{header}] with your own {', '.join(names)}; it is yours again"
        return new, [f"removed s3env's keys from [{header}]"], [notice]
    return ini_edit.remove_section(text, header, path, kind=kind), [f"removed [{header}]"], []


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
        raise ini_keys.configparser_error(exc, path) from None


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


def build_context(store: ProfileStore, active: str | None, adding: tuple[Profile, ...] = ()) -> WriteContext:
    """What the writers need; ``adding``: profiles (with their secrets) about to join the store."""
    data = store.read()
    secret_store = store.secret_store(data.settings, for_write=False)
    profiles = [
        p.replace(**secret_store.get_all(p.name)) if secret_store is not None else p
        for p in data.profiles.values()
        if p.name not in {a.name for a in adding}
    ]
    profiles += adding
    return WriteContext(
        profiles=tuple(profiles),
        active=active,
        store_root=store.paths.root,
        aws_config=aws_config_file(store.env),
        aws_credentials=aws_credentials_file(store.env),
        home=home_dir(store.env),
        s3env_command=credential_process_command(),
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


def _profiles_blocked(
    targets: list[IniTarget], texts: dict[Path, str | None], state: ManagedState
) -> dict[str, list[str]]:
    """Profiles with a section s3env would write where the user has one of their own (or a
    look-alike of it): profile -> 'path [header]' strings."""
    blocked: dict[str, list[str]] = {}
    for target in targets:
        text = texts.get(target.path)
        if not text:
            continue
        for section in target.sections:
            if section.group is not None or section.profile is None:
                continue
            for found in ini_edit.find_sections(text, section.header, target.kind, str(target.path)):
                if found.header != section.header or not state.owns(target.path, found.header):
                    blocked.setdefault(section.profile, []).append(f"{target.path}: [{found.header}]")
    return blocked


def plan(
    store: ProfileStore,
    *,
    active: str | None,
    force: bool = False,
    take_default: bool = False,
    must_write: str | None = None,
    adding: tuple[Profile, ...] = (),
) -> tuple[SyncResult, ManagedState]:
    """Everything ``sync`` would write, computed without writing (used by --check and --diff).

    A profile whose sections would overwrite sections of the user's is left out (a notice says so),
    so one such profile never blocks the others; the active profile raises instead, and so does
    ``must_write`` (a profile just added, renamed or copied)."""
    ctx = build_context(store, active, adding)
    state = load_state(store.paths.root)
    notices: list[str] = []
    updates: list[FileUpdate] = []
    blocked: dict[str, list[str]] = {}
    default_left_alone: list[str] = []
    for writer in WRITERS.values():
        targets = writer.targets(ctx)
        ini_targets = [t for t in targets if isinstance(t, IniTarget)]
        texts = {t.path: _read(t.path) for t in ini_targets}
        for target in ini_targets:
            if texts[target.path] is not None:
                ini_edit.validate(texts[target.path] or "", str(target.path), target.kind)
        notices += writer.notices(ctx, texts)
        writer_blocked = {} if force else _profiles_blocked(ini_targets, texts, state)
        if must_write in writer_blocked:
            raise ManagedSectionConflict(
                f"{writer_blocked[must_write][0]} is yours, not s3env's, so profile '{must_write}' "
                f"cannot be written there; choose another name (e.g. '{must_write}-s3'), "
                "or adopt your section with 's3env import aws'"
            )
        if active in writer_blocked:
            raise ManagedSectionConflict(
                f"{writer_blocked[active][0]} was not written by s3env; refusing to overwrite it "
                f"(adopt it with 's3env import aws', rename the s3env profile with "
                f"'s3env profile rename {active} NEW', or use --force to replace it; "
                "the old file is kept as a backup)"
            )
        for name, where in writer_blocked.items():
            notices.append(
                f"left your own {', '.join(where)} alone: s3env profile '{name}' is not written there "
                f"(rename it with 's3env profile rename {name} NEW', or adopt yours with 's3env import aws')"
            )
        blocked.update(writer_blocked)
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
                    default_left_alone.extend(blockers)
                    if DEFAULT_LEFT_ALONE not in state.told:  # said once per store; doctor always
                        state.told.add(DEFAULT_LEFT_ALONE)
                        notices.append(default_left_alone_notice(blockers, active))
        managed_groups = frozenset(
            s.group for t in ini_targets for s in t.sections if s.group and s.group not in skipped
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
                        skipped_profiles=frozenset(writer_blocked),
                        managed_groups=managed_groups,
                    )
                )
            elif isinstance(target, WholeFileDir):
                named = {t.path for t in targets if isinstance(t, WholeFileTarget)}
                updates.extend(_stale_files(target, named))
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
    result = SyncResult(
        updates=updates,
        notices=notices,
        active=active,
        blocked=blocked,
        default_left_alone=default_left_alone,
    )
    return result, state


def _stale_files(target: WholeFileDir, named: set[Path]) -> list[FileUpdate]:
    """Removals of the files in ``target.directory`` that s3env wrote and no target names now."""
    try:
        entries = sorted(os.scandir(target.directory), key=lambda e: e.name)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise S3envError(f"cannot list {target.directory}: {exc.strerror}") from None
    removals = []
    for entry in entries:
        path = Path(entry.path)
        if path in named or not entry.name.endswith(tuple(f".{suffix}" for suffix in target.suffixes)):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or (hasattr(os, "geteuid") and info.st_uid != os.geteuid()):
            continue
        try:
            text = _read(path)
        except S3envError:
            continue  # not UTF-8: not a file s3env wrote
        if text is None or not text.startswith(target.marker):
            continue
        removals.append(
            FileUpdate(
                label=target.label,
                path=path,
                secret=True,
                old_text=text,
                new_text=None,
                owned_after=None,
                changes=["removed"],
            )
        )
    return removals


def default_left_alone_notice(blockers: list[str], active: str | None) -> str:
    """The one notice (once per store; ``doctor`` reports it every time) about the user's own
    ``[default]``: what it means and the way out."""
    name = active or "NAME"
    return (
        f"left your own {', '.join(blockers)} alone: tools run without AWS_PROFILE (plain shells, "
        f"cron, IDEs) still use it, not s3env's profile. To switch those too: s3env use {name} "
        "--take-default (your [default] is kept as profile 'aws-default'; 's3env release' puts it "
        "back). Said once; 's3env doctor' reports it."
    )


def _backup_label(update: FileUpdate) -> str:
    tag = hashlib.sha256(str(update.path).encode()).hexdigest()[:8]
    return f"{update.label}-{tag}"


def check_targets(store: ProfileStore, result: SyncResult, *, switching: bool) -> None:
    """Refuse, before anything is written, what ``apply`` (and, when ``switching``, recording
    the active profile) could not write safely, so that a refusal changes nothing anywhere:
    s3env's own directories must be the user's and closed to others, and every file about to
    be replaced must be, through its links, a regular file or absent."""
    paths = store.paths
    for directory in (paths.root, paths.env_dir, paths.profile_env_dir, paths.backups):
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
                owned[header] = replace(entry, keys=None, pending=True)
        state.files[str(update.path)] = owned
    for update in result.changed:  # what release gives back byte for byte (or deletes)
        state.pristine.setdefault(str(update.path), digest(update.old_text))
    save_state(root, state)
    # 2. Back up and replace (or remove) each changed file.
    for update in result.changed:
        if update.new_text is None:
            fsio.remove_file(update.path)
            continue
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

#: the name ``use --take-default`` keeps the user's own [default] under (as ``import aws`` does)
KEPT_DEFAULT = "aws-default"


def default_to_keep(store: ProfileStore) -> Profile | None:
    """The user's own ``[default]`` (config and credentials sections, every key) as profile
    ``aws-default``, for ``--take-default`` to add before it takes the sections over; None when
    there is no such section of the user's, or when ``aws-default`` already is exactly it.

    Refuses (:class:`ImportRefused`, before anything is written) what ``s3env use aws-default``
    could not give back exactly: a key s3env cannot carry, look-alike headers, endpoints that
    disagree, or an ``aws-default`` in the store that is something else."""
    from s3env.integrations.importers import aws as aws_importer

    state = load_state(store.paths.root)
    config_path, creds_path = aws_config_file(store.env), aws_credentials_file(store.env)
    texts: dict[str, str | None] = {}
    theirs = False
    for path, kind in ((config_path, "config"), (creds_path, "credentials")):
        text = _read(path)
        found = ini_edit.find_sections(text or "", "default", kind, str(path)) if text else []
        if text is not None:
            ini_edit.validate(text, str(path), kind)
        mine = [s for s in found if not state.owns(path, s.header)]
        if mine and (len(found) > 1 or any(s.header != "default" for s in found)):
            shown = ", ".join(f"[{s.header}]" for s in found)
            raise ImportRefused(
                f"{path}: your [default] is spelled {shown}; botocore reads them as one section, "
                "which s3env cannot give back exactly: merge them into one [default] first "
                "(nothing was changed)"
            )
        texts[str(path)] = text if mine else None
        theirs = theirs or bool(mine)
    if not theirs:
        return None
    candidates = aws_importer.candidates_from_texts(
        texts[str(config_path)], texts[str(creds_path)], str(config_path), str(creds_path)
    )
    candidate = next(c for c in candidates if any(h == "default" for _p, h in c.sections))
    why = candidate.skip
    if why is None and any(n.startswith("endpoints disagree") for n in candidate.notes):
        why = "its endpoints disagree (awscli and megfile would reach different servers)"
    if why is None:
        try:
            candidate.profile.validate()
        except S3envError as exc:
            why = exc.message
    if why is not None:
        raise ImportRefused(
            f"your own [default] cannot be kept exactly as profile '{KEPT_DEFAULT}' ({why}); "
            "nothing was changed: edit it, or leave it yours (use without --take-default)"
        )
    profile = candidate.profile.replace(name=KEPT_DEFAULT)
    if KEPT_DEFAULT in store.names():
        if store.get(KEPT_DEFAULT, secrets=True) == profile:
            return None  # already kept (s3env import aws, or an earlier --take-default)
        raise ImportRefused(
            f"profile '{KEPT_DEFAULT}' already exists and is not your current [default]; "
            f"rename it first ('s3env profile rename {KEPT_DEFAULT} NEW') so --take-default can keep "
            "your [default] under that name (nothing was changed)"
        )
    return profile


def sync(
    store: ProfileStore,
    *,
    active: object = _KEEP,
    force: bool = False,
    take_default: bool = False,
    must_write: str | None = None,
) -> SyncResult:
    """Re-render every managed section and env file; with ``active`` (a name or None) also switch.

    ``must_write``: a profile just added, renamed or copied: if the user's own sections stand
    where its sections would go, refuse (before anything is written) rather than leave it out."""
    with store.transaction():  # a failed write takes the switch of the active profile back too
        current_active = store.active_name()
        new_active = current_active if active is _KEEP else active
        assert new_active is None or isinstance(new_active, str)
        if new_active is not None:
            store.get(new_active)  # ProfileNotFound with a did-you-mean
        kept = default_to_keep(store) if take_default else None
        adding = (kept,) if kept is not None else ()
        result, state = plan(
            store,
            active=new_active,
            force=force,
            take_default=take_default,
            must_write=must_write,
            adding=adding,
        )
        check_targets(store, result, switching=new_active != current_active)
        if kept is not None:
            store.add(kept)
            result.kept_default = kept.name
        if new_active != current_active:
            store.set_setting("active", new_active)
        apply(store, result, state)
        return result


def sync_if_managed(store: ProfileStore, *, must_write: str | None = None) -> SyncResult | None:
    """After a profile change: keep the tools' files in line, once s3env manages any."""
    if load_state(store.paths.root).is_empty() and store.active_name() is None:
        return None
    return sync(store, must_write=must_write)


_SECRET_LINE = re.compile(
    r"^(\s*(?:aws_secret_access_key|aws_session_token|aws_security_token)\s*[=:]\s*)(.+)$", re.I
)


def masked(text: str) -> list[str]:
    """Lines of ``text`` with secret values replaced: for --diff output."""
    from s3env.core.model import mask_secret

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
                masked(update.new_text or ""),
                fromfile=f"{update.path} (now)",
                tofile=f"{update.path} (after s3env write)" if update.new_text is not None else "/dev/null",
            )
        )
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in out)
