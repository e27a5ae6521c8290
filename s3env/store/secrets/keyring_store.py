"""Secrets in the OS keyring through the ``keyring`` library.

``keyring.get_keyring()`` is not used: it runs entry-point discovery (~100 ms) and happily
returns ``fail.Keyring`` (every call raises) or keyrings.alt's ``PlaintextKeyring`` (base64
in a file) as if either were a keyring.  s3env instead
1. honours a backend the user configured on purpose (``PYTHON_KEYRING_BACKEND`` or
   keyring's own ``keyringrc.cfg``), reporting it as plain text when it is one;
2. otherwise tries the well-known secure backends directly (no discovery);
3. otherwise runs discovery once and keeps only secure, working backends.
A chainer is never used as such: its ``set_password`` silently falls through to the next
backend (possibly plaintext) when the first one fails.
"""

from __future__ import annotations

import sys
from typing import Any

from s3env.core.errors import SecretStoreError
from s3env.store.secrets.base import SecretStore

SERVICE = "s3env"

# Tried in order without entry-point discovery; all of them encrypt at rest.
_KNOWN_SECURE: dict[str, tuple[str, ...]] = {
    "linux": (
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
    ),
    "darwin": ("keyring.backends.macOS.Keyring",),
    "win32": ("keyring.backends.Windows.WinVaultKeyring",),
}

_INSECURE_MODULE_PREFIXES = (
    "keyrings.alt",
    "keyring.backends.fail",
    "keyring.backends.null",
    "keyring.backends.chainer",
)


def backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_failing(backend: Any) -> bool:
    name = backend_name(backend)
    return name.startswith(("keyring.backends.fail", "keyring.backends.null"))


def is_secure(backend: Any) -> bool:
    return not backend_name(backend).startswith(_INSECURE_MODULE_PREFIXES)


def _load_class(dotted: str) -> Any | None:
    """An instance of a viable backend class, or None when it is unusable here."""
    from keyring.core import load_keyring

    try:
        return load_keyring(dotted)
    except Exception:  # ImportError, RuntimeError(not viable), dbus errors: all mean "not here"
        return None


def configured_backend() -> Any | None:
    """A backend the user chose explicitly for ``keyring`` (env var or keyringrc.cfg)."""
    from keyring import core

    try:
        return core.load_env() or core.load_config()
    except Exception as exc:
        raise SecretStoreError(
            f"the keyring backend configured for 'keyring' cannot be loaded: {exc}"
        ) from None


def find_secure_backend() -> Any | None:
    """The best secure backend available without asking anything of the user, or None."""
    platform = "linux" if sys.platform.startswith("linux") else sys.platform
    for dotted in _KNOWN_SECURE.get(platform, ()):
        backend = _load_class(dotted)
        if backend is not None:
            return backend
    from keyring import backend as kb

    candidates = [b for b in kb.get_all_keyring() if is_secure(b) and not is_failing(b)]
    return max(candidates, key=kb.by_priority, default=None)


class KeyringSecretStore(SecretStore):
    name = "keyring"

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.plaintext = not is_secure(backend)

    @classmethod
    def open(cls, *, explicit: bool) -> KeyringSecretStore | None:
        """Choose a backend.  ``explicit``: the user asked for the keyring store by name.

        Returns None when no secure backend exists and the choice was automatic.
        """
        configured = configured_backend()
        if configured is not None:
            if is_failing(configured):
                if explicit:
                    raise SecretStoreError(
                        f"the keyring backend {backend_name(configured)} cannot store secrets; "
                        "set S3ENV_SECRETS=file to use s3env's 0600 file instead"
                    )
                return None
            if is_secure(configured) or explicit:
                return cls(configured)
            return None
        backend = find_secure_backend()
        if backend is None:
            if explicit:
                raise SecretStoreError(
                    "no secure OS keyring is available (no Secret Service, KWallet, macOS or Windows "
                    "keychain); set S3ENV_SECRETS=file to use s3env's 0600 file instead"
                )
            return None
        return cls(backend)

    def describe(self) -> str:
        kind = " (plain text)" if self.plaintext else ""
        return f"keyring {backend_name(self.backend)}{kind}"

    def _username(self, profile: str, field: str) -> str:
        return f"{profile}/{field}"

    def get(self, profile: str, field: str) -> str | None:
        try:
            return self.backend.get_password(SERVICE, self._username(profile, field))
        except Exception as exc:
            raise SecretStoreError(
                f"keyring {backend_name(self.backend)} refused a read: {_why(exc)}"
            ) from None

    def set(self, profile: str, field: str, value: str) -> None:
        try:
            self.backend.set_password(SERVICE, self._username(profile, field), value)
        except Exception as exc:
            raise SecretStoreError(
                f"keyring {backend_name(self.backend)} refused a write: {_why(exc)}"
            ) from None

    def delete(self, profile: str, field: str) -> None:
        from keyring.errors import PasswordDeleteError

        try:
            self.backend.delete_password(SERVICE, self._username(profile, field))
        except PasswordDeleteError:
            pass
        except Exception as exc:
            raise SecretStoreError(
                f"keyring {backend_name(self.backend)} refused a delete: {_why(exc)}"
            ) from None


def _why(exc: BaseException) -> str:
    # Exception texts from keyring backends describe the backend, not the secret; keep one line.
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
