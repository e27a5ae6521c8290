"""Secrets in a 0600 TOML file beside the profiles: for machines without a real keyring.

This is plain text protected only by file permissions, and s3env says so wherever it
reports the secret store.  The file is rewritten atomically under the store lock and is
never wider than 0600 (fsio creates it that way and tightens an existing one).
"""

from __future__ import annotations

from pathlib import Path

from s3env.core.model import SECRET_FIELDS
from s3env.store import fsio
from s3env.store.secrets.base import SecretStore
from s3env.store.secrets.file_format import read_secret_file

_HEADER = (
    "# s3env secrets (plain text, readable only by you). Managed by s3env: edit with\n"
    "# `s3env profile add NAME --force --secret-stdin`, not by hand.\n"
)


class FileSecretStore(SecretStore):
    name = "file"
    plaintext = True

    def __init__(self, path: Path, lock_path: Path) -> None:
        self.path = path
        self.lock_path = lock_path

    def describe(self) -> str:
        return f"file {self.path} (plain text, mode 0600)"

    def _load(self) -> dict[str, dict[str, str]]:
        return read_secret_file(str(self.path))

    def _save(self, profiles: dict[str, dict[str, str]]) -> None:
        import tomlkit

        doc = tomlkit.document()
        doc.add(tomlkit.comment(_HEADER.splitlines()[0][2:]))
        doc.add(tomlkit.comment(_HEADER.splitlines()[1][2:]))
        table = tomlkit.table(is_super_table=True)
        for name in sorted(profiles):
            values = {f: profiles[name][f] for f in SECRET_FIELDS if profiles[name].get(f) is not None}
            if values:
                inner = tomlkit.table()
                for key, value in values.items():
                    inner.add(key, tomlkit.string(value, literal=False, multiline=False))
                table.add(name, inner)
        doc.add("profiles", table)
        fsio.atomic_write_text(self.path, tomlkit.dumps(doc), secret=True)

    def get(self, profile: str, field: str) -> str | None:
        value = self._load().get(profile, {}).get(field)
        return value if isinstance(value, str) else None

    def get_all(self, profile: str) -> dict[str, str | None]:
        entry = self._load().get(profile, {})
        return {f: entry.get(f) if isinstance(entry.get(f), str) else None for f in SECRET_FIELDS}

    def set(self, profile: str, field: str, value: str) -> None:
        self.set_all(profile, {**self.get_all(profile), field: value})

    def delete(self, profile: str, field: str) -> None:
        self.set_all(profile, {**self.get_all(profile), field: None})

    def set_all(self, profile: str, values: dict[str, str | None]) -> None:
        self.set_many({profile: values})

    def set_many(self, values: dict[str, dict[str, str | None]]) -> None:
        with fsio.locked(self.lock_path):
            data = self._load()
            before = {name: dict(entry) for name, entry in data.items()}
            for profile, fields in values.items():
                entry = {f: v for f in SECRET_FIELDS if (v := fields.get(f)) is not None}
                if entry:
                    data[profile] = entry
                else:
                    data.pop(profile, None)
            if data != before:
                self._save(data)

    def delete_all(self, profile: str) -> None:
        self.set_all(profile, {})

    def rename(self, old: str, new: str) -> None:
        with fsio.locked(self.lock_path):
            data = self._load()
            if old in data:
                data[new] = data.pop(old)
                self._save(data)
