"""The one small interface every secret store implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

from s3env.core.model import SECRET_FIELDS


class SecretStore(ABC):
    """Secrets of a profile, keyed by (profile name, field).  Fields: see ``SECRET_FIELDS``."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"

    name: str = ""
    #: True when values rest unencrypted on disk (the 0600 file store; a plaintext keyring).
    plaintext: bool = False

    @abstractmethod
    def get(self, profile: str, field: str) -> str | None: ...

    @abstractmethod
    def set(self, profile: str, field: str, value: str) -> None: ...

    @abstractmethod
    def delete(self, profile: str, field: str) -> None:
        """Remove one secret; absent is fine."""

    @abstractmethod
    def describe(self) -> str:
        """Where secrets live, for humans (``doctor``, notices).  Never a secret."""

    # Whole-profile helpers; stores may override them with one round trip.
    def get_all(self, profile: str) -> dict[str, str | None]:
        return {f: self.get(profile, f) for f in SECRET_FIELDS}

    def set_all(self, profile: str, values: dict[str, str | None]) -> None:
        for f in SECRET_FIELDS:
            value = values.get(f)
            if value is None:
                self.delete(profile, f)
            else:
                self.set(profile, f, value)

    def set_many(self, values: dict[str, dict[str, str | None]]) -> None:
        """``set_all`` for several profiles (the file store writes once)."""
        for profile, fields in values.items():
            self.set_all(profile, fields)

    def delete_all(self, profile: str) -> None:
        for f in SECRET_FIELDS:
            self.delete(profile, f)

    def copy(self, src: str, dst: str) -> None:
        self.set_all(dst, self.get_all(src))

    def rename(self, old: str, new: str) -> None:
        self.copy(old, new)
        self.delete_all(old)
