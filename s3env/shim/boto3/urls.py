"""s5cmd's URL model, ported from s5cmd v2.3.0 ``storage/url/url.go`` so both backends agree
on what a source names, how wildcards match and which relative path each match gets.

- ``s3://bucket/key`` is remote, anything else local; a bucket never holds a wildcard.
- ``*`` matches any run of characters *including* ``/``; ``?`` one character.
- The part before the first wildcard is the listing prefix; without a wildcard the
  listing uses ``/`` as delimiter (one level, s5cmd's "non-batch" mode).
- ``relative`` of a match: in batch (wildcard) mode, the key from the last ``/`` of the
  prefix on; otherwise the first path element after the prefix (``parseNonBatch``).
"""

from __future__ import annotations

import posixpath
import re

from s3env.shim.boto3.errors import ShimError

GLOB_CHARACTERS = "?*"


class UrlError(ShimError, ValueError):
    """A malformed URL: the message is s5cmd's."""


# s5cmd checkVersinoningURLRemote's message (Go's %q around the flag names): a local URL
# with --all-versions or --version-id.
VERSIONS_NEED_REMOTE = '"all-versions", and "version-id" flags can only be used with remote objects'
# s5cmd checkVersioningFlagCompatibility's message
VERSIONS_COMBINED = 'it is not allowed to combine "all-versions" and "version-id" flags'


def version_arg(version_id: str) -> dict[str, str]:
    """``VersionId=…`` for a botocore call on one version of an object (--version-id), or none."""
    return {"VersionId": version_id} if version_id else {}


def wildcard_to_regex(pattern: str) -> str:
    """s5cmd ``strutil.WildCardToRegexp``: QuoteMeta, then ``\\*`` -> ``.*`` and ``\\?`` -> ``.``."""
    out = []
    for char in pattern:
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
    return "".join(out)


class ObjectURL:
    __slots__ = (
        "_pattern",
        "_regex",
        "all_versions",
        "bucket",
        "delimiter",
        "filter",
        "path",
        "prefix",
        "raw",
        "relative_path",
        "scheme",
        "version_id",
    )

    def __init__(self, text: str, *, raw: bool = False) -> None:
        self.raw = raw
        self.relative_path = ""
        # s5cmd --version-id / --all-versions (rm, cp, mv); set by the command after parsing
        self.version_id = ""
        self.all_versions = False
        self.delimiter = ""
        self.filter = ""
        scheme, sep, rest = text.partition("://")
        if not sep:
            self.scheme, self.bucket, self.path = "", "", text
        else:
            if scheme != "s3":
                raise UrlError('s3 url should start with "s3://"')
            bucket, _, key = rest.partition("/")
            if not bucket:
                raise UrlError("s3 url should have a bucket")
            if any(c in bucket for c in GLOB_CHARACTERS):
                raise UrlError("bucket name cannot contain wildcards")
            self.scheme, self.bucket, self.path = "s3", bucket, key
        self._set_prefix_and_filter()

    def _set_prefix_and_filter(self) -> None:
        self._regex: re.Pattern[str] | None = None
        if self.raw:  # (its pattern is made when first matched: most raw URLs never are)
            self.prefix = self.path
            self._pattern = ""
            return
        loc = next((i for i, c in enumerate(self.path) if c in GLOB_CHARACTERS), -1)
        if loc < 0:
            self.delimiter = "/"
            self.prefix = self.path
        else:
            self.prefix = self.path[:loc]
            self.filter = self.path[loc:]
        body = wildcard_to_regex(self.filter) if self.filter else ".*"
        self._pattern = re.escape(self.prefix) + body + r"\Z"

    @property
    def regex(self) -> re.Pattern[str]:
        """What the URL matches, compiled when first asked: every file a walk finds is an
        ObjectURL, and compiling a pattern for each (unique, so never in re's cache) cost
        ~0.2 ms a file, on the thread that feeds the workers."""
        if self._regex is None:
            pattern = self._pattern if not self.raw else re.escape(self.path) + r"\Z"
            self._regex = re.compile(pattern, re.S)
        return self._regex

    # --- what kind of URL -----------------------------------------------------------------

    def is_remote(self) -> bool:
        return self.scheme == "s3"

    def is_bucket(self) -> bool:
        return self.is_remote() and self.path == ""

    def is_prefix(self) -> bool:
        return self.is_remote() and self.path.endswith("/")

    def is_wildcard(self) -> bool:
        return not self.raw and any(c in self.path for c in GLOB_CHARACTERS)

    # --- naming ---------------------------------------------------------------------------

    def absolute(self) -> str:
        if not self.is_remote():
            return self.path
        return f"s3://{self.bucket}/{self.path}" if self.path else f"s3://{self.bucket}"

    def relative(self) -> str:
        return self.relative_path or self.absolute()

    def base(self) -> str:
        return posixpath.basename(self.path) if self.is_remote() else _local_base(self.path)

    def join(self, suffix: str) -> ObjectURL:
        """s5cmd ``Join``: local paths are cleaned, remote keys concatenated as they are."""
        if not self.is_remote():
            return ObjectURL(posixpath.normpath(posixpath.join(self.path, suffix)), raw=True)
        return ObjectURL(f"s3://{self.bucket}/{self.path}{suffix}", raw=True)

    def with_key(self, key: str) -> ObjectURL:
        """The URL of one matched object, carrying this URL's relative path for it."""
        url = ObjectURL(f"s3://{self.bucket}/{key}", raw=True)
        url.relative_path = self.relative_for(key) or ""
        return url

    # --- matching -------------------------------------------------------------------------

    def relative_for(self, key: str) -> str | None:
        """s5cmd ``Match``: None when ``key`` does not match, else its relative path."""
        if not self.regex.match(key):
            return None
        if self.filter:
            return _parse_batch(self.prefix, key)
        return _parse_non_batch(self.prefix, key)

    def __str__(self) -> str:
        return self.absolute()

    def __repr__(self) -> str:
        return f"ObjectURL({self.absolute()!r})"


def _local_base(path: str) -> str:
    stripped = path.rstrip("/")
    return posixpath.basename(stripped) if stripped else "/"


def _parse_batch(prefix: str, key: str) -> str:
    index = prefix.rfind("/")
    if index < 0 or not key.startswith(prefix):
        return key
    return key[index:].removeprefix("/")


def _parse_non_batch(prefix: str, key: str) -> str:
    if key == prefix or not key.startswith(prefix):
        return key
    parsed = key.removesuffix("/")
    loc = parsed.rfind("/")
    if loc < len(prefix):
        if loc < 0:
            return key
        return key[loc:].removeprefix("/")
    parsed = key[len(prefix) :].removeprefix("/")
    index = parsed.find("/") + 1
    if index <= 0 or index >= len(parsed):
        return parsed
    return parsed[:index]


# ---- local paths, as Go's path/filepath cleans them ----------------------------------------------


def go_clean(path: str) -> str:
    """Go ``filepath.Clean``."""
    cleaned = posixpath.normpath(path) if path else "."
    return cleaned[1:] if cleaned.startswith("//") else cleaned


def go_dir(path: str) -> str:
    """Go ``filepath.Dir``."""
    return go_clean(posixpath.dirname(path) or ".")


def local_url(path: str, relative: str = "") -> ObjectURL:
    """A local file's URL as a listing makes it: raw (its name is no pattern), with its path
    relative to what was listed."""
    url = ObjectURL(path, raw=True)
    url.relative_path = relative
    return url


def local_join(url: ObjectURL, suffix: str) -> ObjectURL:
    return local_url(go_clean(posixpath.join(url.path, suffix)))


def set_relative(path: str, base: ObjectURL) -> str:
    """s5cmd ``SetRelative`` for local paths: ``path`` relative to the directory of ``base``
    (for a pattern, of the part before its first wildcard)."""
    base_path = base.absolute()
    if base.is_wildcard():
        loc = min((base_path.index(c) for c in "?*" if c in base_path), default=-1)
        if loc >= 0:
            base_path = base_path[:loc]
    return posixpath.relpath(go_clean(path), go_dir(base_path))
