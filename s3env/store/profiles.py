"""The profile store: ``profiles.toml`` (non-secret settings) plus a secret store.

Reads go through ``storefile`` (``tomllib``, or the cache of the parsed file beside it, which
every read refreshes and every write rewrites).  Writes go through ``tomlkit`` so that a
user's comments and layout in ``profiles.toml`` survive, happen under the store lock, and
replace the file atomically.  A file that does not parse is reported with its path and line
and is never rewritten.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

from s3env.core.errors import ProfileExists, ProfileNotFound, StoreError
from s3env.core.model import SECRET_FIELDS, Profile, apply_setting, closest_name, validate_name
from s3env.store.paths import StorePaths
from s3env.store.secrets import SECRET_STORES, SecretStore, open_secret_store, requested_store
from s3env.store.storefile import (
    PROFILE_KEYS,
    SETTINGS_KEYS,
    StoreData,
    drop_cache,
    load_store,
    parse_store_text,
    parse_toml,
    save_cache,
    store_data_from_dict,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class ProfileStore:
    """All profile operations.  The CLI is a thin layer over this class."""

    def __init__(self, paths: StorePaths | None = None, env: Mapping[str, str] | None = None) -> None:
        self.env: Mapping[str, str] = os.environ if env is None else env
        self.paths = paths or StorePaths.from_env(self.env)
        self._secret_store: SecretStore | None = None
        self._journal: dict[tuple[str, str], str | None] | None = None  # inside transaction()
        self.notices: list[str] = []  # one-line notices for the CLI to show (e.g. file fallback)

    def __repr__(self) -> str:
        return f"ProfileStore({str(self.paths.profiles)!r})"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[ProfileStore]:
        """Every change made inside happens, or none does.

        Under the store lock; if the block raises (a refusal found after the store was changed,
        a failed write of the tools' files, Ctrl-C), ``profiles.toml`` gets its old text back and
        every secret written or deleted inside gets its old value back."""
        from s3env.store import fsio

        with fsio.locked(self.paths.lock):
            if self._journal is not None:  # nested: the outer transaction restores
                yield self
                return
            before = self._read_text()
            self._journal = {}
            try:
                yield self
            except BaseException:
                self._restore(before, self._journal)
                raise
            finally:
                self._journal = None

    def _restore(self, text: str | None, journal: dict[tuple[str, str], str | None]) -> None:
        if journal and self._secret_store is not None:
            old: dict[str, dict[str, str | None]] = {}
            for (profile, field), value in journal.items():
                old.setdefault(profile, {}).update({field: value})
            # _note records every field of a profile it journals: this is each one's whole old state
            _unwrap(self._secret_store).set_many(old)
        if text is None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.paths.profiles)
            drop_cache(str(self.paths.root))
        elif self._read_text() != text:
            self._write_text(text)

    def _write_text(self, text: str, raw: dict[str, Any] | None = None) -> None:
        """Replace ``profiles.toml`` with ``text`` (checked already; ``raw``: its parsed table) and
        its cache with them."""
        from s3env.store import fsio

        fsio.atomic_write_text(self.paths.profiles, text, secret=False, new_file_mode=0o600)
        root, path = str(self.paths.root), str(self.paths.profiles)
        if raw is None:  # a restore: the old text, which may not have been valid
            try:
                raw = parse_toml(text, path)
                store_data_from_dict(raw, path)  # the cache holds only checked tables: no secret
            except StoreError:
                drop_cache(root)
                return
        save_cache(root, text.encode("utf-8"), raw)

    # ---- reading -------------------------------------------------------------------------

    def _read_bytes(self) -> bytes | None:
        from s3env.store.fileguard import read_regular

        try:
            return read_regular(str(self.paths.profiles))  # a FIFO or device: refused, never read
        except OSError as exc:
            raise StoreError(f"cannot read {self.paths.profiles}: {exc.strerror}") from None

    def _read_text(self) -> str | None:
        data = self._read_bytes()
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise StoreError(f"{self.paths.profiles}:{line}: not valid UTF-8") from None

    def read(self) -> StoreData:
        source = self._read_bytes()
        if source is None:
            return StoreData()
        return load_store(str(self.paths.root), source, str(self.paths.profiles))

    def names(self) -> list[str]:
        return list(self.read().profiles)

    def list(self) -> list[Profile]:
        return list(self.read().profiles.values())

    def active_name(self) -> str | None:
        return self.read().settings.get("active")

    def get(self, name: str, *, secrets: bool = False) -> Profile:
        data = self.read()
        profile = self._require(data, name)
        if secrets:
            store = self.secret_store(data.settings, for_write=False)
            if store is not None:
                values = store.get_all(name)
                profile = profile.replace(**values)
        return profile

    def _require(self, data: StoreData, name: str) -> Profile:
        try:
            return data.profiles[name]
        except KeyError:
            raise ProfileNotFound(name, closest_name(name, list(data.profiles))) from None

    # ---- secret store --------------------------------------------------------------------

    def secret_store(
        self, settings: Mapping[str, Any] | None = None, *, for_write: bool = True
    ) -> SecretStore | None:
        """The secret store in use.  For a read with nothing ever stored, None (no discovery)."""
        if self._secret_store is not None:
            return self._secret_store
        settings = self.read().settings if settings is None else settings
        name, _source = requested_store(self.env, settings)
        if name == "auto" and not for_write:
            return None
        store, notice = open_secret_store(self.paths, self.env, settings)
        if notice:
            self.notices.append(notice)
        self._secret_store = _JournaledSecrets(store, self)
        return self._secret_store

    def secret_store_status(self) -> tuple[str, str]:
        """(requested name, source) without opening anything: for fast status output."""
        return requested_store(self.env, self.read().settings)

    # ---- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _edit(self) -> Iterator[Any]:
        """Lock, parse with tomlkit, let the caller mutate, check, write atomically."""
        import tomlkit
        from tomlkit.exceptions import ParseError

        from s3env.store import fsio

        with fsio.locked(self.paths.lock):
            text = self._read_text()
            if text is not None:
                # Check with the strict reader first: tomlkit accepts some files tomllib refuses.
                parse_store_text(text, str(self.paths.profiles))
                try:
                    doc = tomlkit.parse(text)
                except ParseError as exc:
                    raise StoreError(f"{self.paths.profiles}:{exc.line}: invalid TOML: {exc}") from None
            else:
                doc = tomlkit.document()
                doc.add(
                    tomlkit.comment("s3env profiles. Secrets are not kept here: see 's3env profile show'.")
                )
                doc.add(tomlkit.nl())
            yield doc
            new_text = tomlkit.dumps(doc)
            path = str(self.paths.profiles)
            raw = parse_toml(new_text, path)
            store_data_from_dict(raw, path)  # never write what we cannot read back
            if new_text != text:
                self._write_text(new_text, raw)

    def add(self, profile: Profile, *, force: bool = False) -> Profile:
        self.add_many([profile], force=force)
        return profile

    def add_many(self, profiles: list[Profile], *, force: bool = False) -> None:
        """Add (or with ``force`` replace) several profiles: one write of ``profiles.toml`` and one
        of the secrets, after every profile was checked."""
        for profile in profiles:
            profile.validate()
        with self.transaction(), self._edit() as doc:
            data = store_data_from_dict(doc.unwrap(), str(self.paths.profiles))
            if not force:
                for profile in profiles:
                    if profile.name in data.profiles:
                        raise ProfileExists(profile.name)
            has_secrets = any(any(p.secrets.values()) for p in profiles)
            secrets = {
                p.name: p.secrets for p in profiles if any(p.secrets.values()) or p.name in data.profiles
            }
            if secrets:
                store = self.secret_store(data.settings, for_write=has_secrets)
                if has_secrets:
                    self._remember_secret_store(doc, data.settings, store)
                if store is not None:
                    store.set_many(secrets)
            for profile in profiles:
                _set_profile_table(doc, profile)

    def set_keys(
        self,
        name: str,
        *,
        secret_access_key: str,
        session_token: str | None = None,
        access_key_id: str | None = None,
    ) -> Profile:
        """Replace a profile's keys (key rotation); every other setting stays."""
        profile = self.get(name)
        changed = profile.replace(
            access_key_id=access_key_id or profile.access_key_id,
            secret_access_key=secret_access_key,
            session_token=session_token,
        )
        if changed.access_key_id is None:
            from s3env.core.errors import UsageError

            raise UsageError(f"profile '{name}' has no access key id: give one with --access-key-id")
        self.add(changed, force=True)
        return changed.without_secrets()

    def update(self, name: str, assignments: list[tuple[str, str]]) -> Profile:
        with self._edit() as doc:
            data = store_data_from_dict(doc.unwrap(), str(self.paths.profiles))
            profile = self._require(data, name)
            for key, value in assignments:
                profile = apply_setting(profile, key, value)
            profile.validate()
            _set_profile_table(doc, profile)
        return profile

    def remove(self, name: str) -> None:
        with self._edit() as doc:
            data = store_data_from_dict(doc.unwrap(), str(self.paths.profiles))
            self._require(data, name)
            store = self.secret_store(data.settings, for_write=False)
            if store is not None:
                store.delete_all(name)
            del doc["profiles"][name]
            if data.settings.get("active") == name:
                del doc["settings"]["active"]

    def rename(self, old: str, new: str) -> Profile:
        validate_name(new)
        with self._edit() as doc:
            data = store_data_from_dict(doc.unwrap(), str(self.paths.profiles))
            profile = self._require(data, old)
            if new in data.profiles:
                raise ProfileExists(new)
            store = self.secret_store(data.settings, for_write=False)
            if store is not None:
                store.rename(old, new)
            table = doc["profiles"][old]
            del doc["profiles"][old]
            doc["profiles"][new] = table
            if data.settings.get("active") == old:
                doc["settings"]["active"] = new
        return profile.replace(name=new)

    def copy(self, src: str, dst: str, *, force: bool = False) -> Profile:
        validate_name(dst)
        with self._edit() as doc:
            data = store_data_from_dict(doc.unwrap(), str(self.paths.profiles))
            profile = self._require(data, src)
            if dst in data.profiles and not force:
                raise ProfileExists(dst)
            store = self.secret_store(data.settings, for_write=False)
            if store is not None:
                store.copy(src, dst)
            copied = profile.replace(name=dst)
            _set_profile_table(doc, copied)
        return copied

    def set_setting(self, key: str, value: str | None) -> None:
        import tomlkit

        if key not in SETTINGS_KEYS:
            raise StoreError(f"unknown setting '{key}'")
        with self._edit() as doc:
            settings = doc.get("settings")
            if value is None:
                if settings is not None and key in settings:
                    del settings[key]
                return
            if settings is None:
                settings = tomlkit.table()
                _insert_settings_first(doc, settings)
            settings[key] = value

    def _remember_secret_store(
        self, doc: Any, settings: Mapping[str, Any], store: SecretStore | None
    ) -> None:
        """Pin the store chosen for the first secret, so later reads look in the same place."""
        import tomlkit

        if store is None or "secrets" in settings or store.name not in SECRET_STORES:
            return
        table = doc.get("settings")
        if table is None:
            table = tomlkit.table()
            _insert_settings_first(doc, table)
        table["secrets"] = store.name


def _insert_settings_first(doc: Any, table: Any) -> None:
    keys = list(doc.keys())
    if "profiles" in keys:
        # Keep [settings] above the profiles, as a person would write it.
        profiles = doc["profiles"]
        del doc["profiles"]
        doc["settings"] = table
        doc["profiles"] = profiles
    else:
        doc["settings"] = table


def _set_profile_table(doc: Any, profile: Profile) -> None:
    """Write ``profile`` into ``doc`` changing only what differs (keeps comments in the table)."""
    import tomlkit

    profiles = doc.get("profiles")
    if profiles is None:
        profiles = tomlkit.table(is_super_table=True)
        doc["profiles"] = profiles
    table = profiles.get(profile.name)
    if table is None:
        table = tomlkit.table()
        profiles[profile.name] = table
    wanted: dict[str, str | None] = {key: getattr(profile, key) for key in PROFILE_KEYS}
    if wanted["credentials"] == "file" and "credentials" not in table:
        wanted["credentials"] = None  # the default needs no line
    for key, value in wanted.items():
        if value is None:
            if key in table:
                del table[key]
        elif table.get(key) != value:
            table[key] = value
    extra = table.get("extra")
    if profile.extra:
        if extra is None:
            extra = tomlkit.table()
            table["extra"] = extra
        for key in [k for k in extra if k not in profile.extra]:
            del extra[key]
        for key, value in profile.extra.items():
            if extra.get(key) != value:
                extra[key] = value
    elif extra is not None:
        del table["extra"]


class _JournaledSecrets(SecretStore):
    """The secret store as ``ProfileStore`` uses it: inside a transaction, the old value of every
    secret is noted before it is first changed, so the transaction can put it back."""

    def __init__(self, inner: SecretStore, owner: ProfileStore) -> None:
        self.inner = inner
        self.owner = owner
        self.name = inner.name
        self.plaintext = inner.plaintext

    def _note(self, profiles: list[str]) -> None:
        journal = self.owner._journal
        if journal is None:
            return
        for profile in profiles:
            if any((profile, f) not in journal for f in SECRET_FIELDS):
                for field, value in self.inner.get_all(profile).items():
                    journal.setdefault((profile, field), value)

    def get(self, profile: str, field: str) -> str | None:
        return self.inner.get(profile, field)

    def get_all(self, profile: str) -> dict[str, str | None]:
        return self.inner.get_all(profile)

    def set(self, profile: str, field: str, value: str) -> None:
        self._note([profile])
        self.inner.set(profile, field, value)

    def delete(self, profile: str, field: str) -> None:
        self._note([profile])
        self.inner.delete(profile, field)

    def set_all(self, profile: str, values: dict[str, str | None]) -> None:
        self._note([profile])
        self.inner.set_all(profile, values)

    def set_many(self, values: dict[str, dict[str, str | None]]) -> None:
        self._note(list(values))
        self.inner.set_many(values)

    def delete_all(self, profile: str) -> None:
        self._note([profile])
        self.inner.delete_all(profile)

    def copy(self, src: str, dst: str) -> None:
        self._note([dst])
        self.inner.copy(src, dst)

    def rename(self, old: str, new: str) -> None:
        self._note([old, new])
        self.inner.rename(old, new)

    def describe(self) -> str:
        return self.inner.describe()

    def __getattr__(self, name: str) -> Any:  # backend, path … of the store underneath
        return getattr(self.inner, name)


def _unwrap(store: SecretStore) -> SecretStore:
    return store.inner if isinstance(store, _JournaledSecrets) else store
