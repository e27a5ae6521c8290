"""Every failure s3env reports, one type per kind.

The CLI edge turns any :class:`S3envError` into one line on stderr and its ``exit_code``;
nothing else in the package prints errors or calls ``sys.exit``.  Messages must never
contain secret values: callers pass names and paths, not secrets.
"""

from __future__ import annotations

EXIT_FAILURE = 1
EXIT_USAGE = 2


class S3envError(Exception):
    """Base class: a failure with a one-line, user-facing message."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- usage errors: the command line itself is wrong (exit 2) ---------------------------


class UsageError(S3envError):
    """The command line asks for something malformed."""

    exit_code = EXIT_USAGE


class InvalidProfileName(UsageError):
    pass


class InvalidValue(UsageError):
    """A setting value that s3env refuses (bad URL scheme, unknown addressing style…)."""


class UnknownProvider(UsageError):
    pass


# --- failures: the request was well formed but cannot be done (exit 1) ----------------


class ProfileNotFound(S3envError):
    def __init__(self, name: str, suggestion: str | None = None) -> None:
        hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
        super().__init__(f"no profile named '{name}'{hint}")
        self.name = name
        self.suggestion = suggestion


class NoActiveProfile(S3envError):
    """A command that uses the active profile ran while none is active (and no NAME was given).
    ``how`` names what the caller could give instead, e.g. "pass --profile NAME"."""

    def __init__(self, how: str | None = None) -> None:
        fix = f"{how} or run 's3env use NAME' first" if how else "run 's3env use NAME' first"
        super().__init__(f"no active profile: {fix}")
        self.how = how


class PinnedProfileNotFound(ProfileNotFound):
    """The shell is pinned (``S3ENV_PINNED``) to a name that is not a profile in the store."""

    def __init__(self, name: str, suggestion: str | None = None) -> None:
        super().__init__(name, suggestion)
        hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
        self.message = (
            f"this shell is pinned to '{name}' (S3ENV_PINNED), which is not a profile in the store{hint}: "
            'eval "$(s3env env NAME)" to pin another, or eval "$(s3env env --unset)" to unpin'
        )
        self.args = (self.message,)


class DirectoryProfileError(S3envError):
    """A ``.s3env`` file that would decide the profile names something that is not a profile of
    the store (not a valid name, or no such profile).  The message names the file."""

    def __init__(self, path: str, name: str, reason: str) -> None:
        super().__init__(f"{path} names {_quoted(name)}, which is {reason}")
        self.path = path
        self.name = name
        self.reason = reason


def _quoted(text: str) -> str:
    """``'text'`` as the user wrote it, or its repr when it holds quotes or control characters."""
    if text.isprintable() and "'" not in text:
        return f"'{text}'"
    return repr(text)


class ProfileExists(S3envError):
    def __init__(self, name: str) -> None:
        super().__init__(f"profile '{name}' already exists (use --force to replace it)")
        self.name = name


class StoreError(S3envError):
    """The profile store cannot be read or written (unreadable, not TOML, wrong shape)."""


class SecretStoreError(S3envError):
    """The secret store is unavailable or refused an operation."""


class SecretNotFound(SecretStoreError):
    pass


class FileParseError(S3envError):
    """A file s3env reads (another tool's configuration) that cannot be parsed.  The reason
    names the file, the line and what is wrong there, never the text of the line."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class AwsFileParseError(FileParseError):
    """An AWS shared file that botocore itself would refuse; s3env leaves it untouched."""


class ManagedSectionConflict(S3envError):
    """s3env would overwrite a section that it did not write."""


class ImportRefused(S3envError):
    """An import that would replace profiles of the store, or (strict) leave candidates out."""


class FileWriteError(S3envError):
    """An atomic write, lock or backup failed."""


class ProfileNotWritten(UserWarning):
    """``activate`` set ``AWS_PROFILE`` to a profile the AWS files do not have yet: boto3 and
    awscli would fail with "profile not found" until ``s3env.use`` or ``s3env.write`` runs."""


class UnsafePath(S3envError):
    """A file or directory s3env will not read or write through (see the subclasses)."""


class NotRegularFile(UnsafePath):
    """A file s3env reads or replaces is, after following links, not a regular file (a FIFO, a
    device, a directory, a socket): it is never opened for a blocking read nor written through."""


class UnsafeDirectory(UnsafePath):
    """One of s3env's own directories (the store, ``env/``, ``backups/``, the cache) is not the
    user's, or others can write in it: nothing that holds secrets or runs in a shell goes there."""


class SyncNotice(UserWarning):
    """``s3env.use`` / ``s3env.write`` left something as it was and says why (a section of the
    user's in the way, a key kept): the CLI prints these as notices."""


class DefaultNotManaged(SyncNotice):
    """The user's own ``[default]`` sections were left alone: tools run without ``AWS_PROFILE``
    still use them, not the profile just made active (``take_default=True`` changes that)."""
