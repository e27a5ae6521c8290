"""Which sections of which files s3env wrote: the ownership record.

s3env never guesses ownership from names or comments: a section is s3env's only if it is
recorded here.  A section is recorded (``pending``) *before* the file is written and
confirmed with the digest of what was written afterwards, so a kill at any point leaves
no section that s3env wrote but does not know about.  The digest tells "edited by hand"
apart from "still as s3env wrote it".

Stored as JSON (machine state, not user configuration) in the store directory.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from s3env.core.errors import StoreError
from s3env.store import fsio

STATE_FILE = "managed.json"
VERSION = 1


def digest(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class OwnedSection:
    sha256: str | None  # of the section text s3env last wrote
    pending: bool = False  # recorded, write not yet confirmed
    profile: str | None = None
    #: the keys s3env wrote there (``block.key`` inside a nested block); a key a user adds by hand
    #: is not among them and is kept.  None in records made before keys were tracked.
    keys: tuple[str, ...] | None = None
    #: the user's own section, as it was before s3env took it over (``use --take-default``,
    #: ``--force``, ``import aws`` adopting it): ``release`` puts these bytes back.  It may hold
    #: keys (the credentials file): never in a repr; managed.json is 0600.
    original: str | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sha256": self.sha256, "pending": self.pending, "profile": self.profile}
        if self.keys is not None:
            data["keys"] = list(self.keys)
        if self.original is not None:
            data["original"] = self.original
        return data


#: ``ManagedState.told``: the notice that the user's own [default] was left alone was shown
DEFAULT_LEFT_ALONE = "default-left-alone"


@dataclass
class ManagedState:
    files: dict[str, dict[str, OwnedSection]] = field(default_factory=dict)
    #: path -> digest of the file before s3env first wrote to it (None: there was no file), so
    #: ``release`` can tell a file it gives back byte for byte, or one it created, from the rest
    pristine: dict[str, str | None] = field(default_factory=dict)
    #: one-time notices already shown for this store (``DEFAULT_LEFT_ALONE``)
    told: set[str] = field(default_factory=set)

    def owned(self, path: Path | str) -> dict[str, OwnedSection]:
        return self.files.get(str(path), {})

    def owns(self, path: Path | str, header: str) -> bool:
        return header in self.owned(path)

    def is_empty(self) -> bool:
        return not any(self.files.values())

    def to_json(self) -> str:
        data = {
            "version": VERSION,
            "files": {
                path: {header: owned.to_json() for header, owned in sorted(sections.items())}
                for path, sections in sorted(self.files.items())
                if sections
            },
        }
        if self.pristine:
            data["pristine"] = dict(sorted(self.pristine.items()))
        if self.told:
            data["told"] = sorted(self.told)
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str) -> ManagedState:
        try:
            data = json.loads(text)
            if data.get("version") != VERSION or not isinstance(data.get("files"), dict):
                raise ValueError("unknown format")
            files = {
                str(path): {
                    str(header): OwnedSection(
                        sha256=entry.get("sha256"),
                        pending=bool(entry.get("pending", False)),
                        profile=entry.get("profile"),
                        keys=_keys(entry.get("keys")),
                        original=_optional_str(entry.get("original"), "original"),
                    )
                    for header, entry in sections.items()
                }
                for path, sections in data["files"].items()
            }
            pristine = {
                str(path): _optional_str(value, "pristine")
                for path, value in dict(data.get("pristine") or {}).items()
            }
            told = data.get("told") or []
            if not isinstance(told, list) or not all(isinstance(t, str) for t in told):
                raise ValueError("'told' must be a list of strings")
        except (ValueError, AttributeError, TypeError) as exc:
            raise StoreError(f"{where}: cannot read s3env's record of managed sections ({exc})") from None
        return cls(files=files, pristine=pristine, told=set(told))


def _optional_str(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"'{what}' must be a string")
    return value


def _keys(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise ValueError("'keys' must be a list of strings")
    return tuple(value)


def item_keys(items: Any) -> tuple[str, ...]:
    """The key names of a section's items as ``OwnedSection.keys`` records them."""
    keys: list[str] = []
    for key, value in items:
        if isinstance(value, str):
            keys.append(key.lower())
        else:
            keys.extend(f"{key.lower()}.{sub}" for sub, _v in value)
    return tuple(keys)


def value_keys(values: Any) -> tuple[str, ...]:
    """The key names of a section as ``ini_edit.section_values`` reads it (a nested block as a
    dict), recorded as ``item_keys`` records them."""
    return item_keys((k, v if isinstance(v, str) else list(v.items())) for k, v in values.items())


def state_path(store_root: Path) -> Path:
    return store_root / STATE_FILE


def load_state(store_root: Path) -> ManagedState:
    path = state_path(store_root)
    try:
        text = fsio.read_text_exact(path)
    except UnicodeDecodeError:
        raise StoreError(f"{path}: cannot read s3env's record of managed sections (not UTF-8)") from None
    if text is None:
        return ManagedState()
    return ManagedState.from_json(text, str(path))


def save_state(store_root: Path, state: ManagedState) -> None:
    fsio.atomic_write_text(state_path(store_root), state.to_json(), secret=True)
