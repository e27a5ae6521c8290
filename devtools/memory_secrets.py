"""In-process secret store for unit tests of the pure layers (never selectable by users)."""

from __future__ import annotations

from s3env.store.secrets.base import SecretStore


class MemorySecretStore(SecretStore):
    name = "memory"

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], str] = {}

    def get(self, profile: str, field: str) -> str | None:
        return self._data.get((profile, field))

    def set(self, profile: str, field: str, value: str) -> None:
        self._data[(profile, field)] = value

    def delete(self, profile: str, field: str) -> None:
        self._data.pop((profile, field), None)

    def describe(self) -> str:
        return "memory (tests only)"
