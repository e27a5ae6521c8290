"""botocore's data files (the S3 model, the endpoint rule set, endpoints.json...), parsed once
and kept in s3env's cache directory.

Why: making an S3 client parses ~3 MB of (partly gzipped) JSON and walks botocore's data
directory twice to list the services; that is ~110 ms of the ~125 ms ``create_client`` takes,
on every ``s3env --backend boto3`` command.  The same data from one ``marshal`` file loads in a
few ms.  What is cached is exactly what botocore's own ``Loader`` returned, so the client is the
same; only the parsing is skipped.

The cache is used only where its answer cannot differ from botocore's:

- it is keyed by botocore's version and its data directory (path and mtime);
- it is not used at all when any other model directory is on the search path (``~/.aws/models``,
  ``AWS_DATA_PATH``, a profile's ``data_path``): those can change at any time;
- it is read and written through ``s3env.store.cachefile`` (the one fast-start mechanism: only
  from a directory and a file that are safely the user's own, with a CRC-32, written atomically
  0600 in a 0700 directory); each entry must also have the shape botocore's loader returns: a
  truncated, corrupted or foreign file is ignored (and replaced by the next write); a client
  that cannot be made from the cache is made again from botocore's own files
  (``Context.client``), which rewrites the cache.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from s3env.store import cachefile
from s3env.store.locations import cache_dir

CACHE_FILE = "botocore-models.marshal"
FORMAT = 2  # bump when the file's layout changes

MAX_SIZE = 64 << 20  # botocore's S3 data is ~2 MB marshalled


def plain_data(value: Any) -> Any:
    """botocore's parsed JSON (OrderedDicts) as plain dicts and lists, which marshal can write.
    Dicts keep their order, so the model reads the same."""
    if isinstance(value, dict):
        return {key: plain_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_data(item) for item in value]
    return value


def valid_content(content: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(data, services) if ``content`` has the shape ``CachedLoader`` keeps: every data entry
    None (botocore has no such file) or (a parsed JSON document, the path it came from), every
    service list a list of names."""
    if not isinstance(content, tuple) or len(content) != 2:
        return None
    data, services = content
    if not isinstance(data, dict) or not isinstance(services, dict):
        return None
    for name, entry in data.items():
        if not isinstance(name, str):
            return None
        if entry is None:
            continue
        if not (
            isinstance(entry, tuple)
            and len(entry) == 2
            and isinstance(entry[0], dict)
            and isinstance(entry[1], str)
        ):
            return None
    for type_name, names in services.items():
        if not isinstance(type_name, str) or not isinstance(names, list):
            return None
        if not all(isinstance(name, str) for name in names):
            return None
    return data, services


def read_cache(path: str, key: tuple[Any, ...]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(data by name, service lists by type) from the cache file, or None when it is missing,
    not safely ours, for another botocore, damaged, or not of the expected shape."""
    return valid_content(cachefile.read(path, key, max_size=MAX_SIZE))


def write_cache(path: str, key: tuple[Any, ...], data: dict[str, Any], services: dict[str, Any]) -> None:
    """Atomically replace the cache file (0600, in a 0700 directory); failures are ignored, and
    nothing is written into a directory that is not safely the user's."""
    cachefile.write(path, key, (data, services), temp_prefix=".models-")


def make_loader(
    search_path_string: str | None, env: Mapping[str, str] | None = None, trust_cache: bool = True
) -> Any:
    """The data loader for a botocore session: botocore's own (``create_loader``) where models
    may come from elsewhere than botocore's data directory, else one backed by the cache
    (``trust_cache=False``: one that does not read it, and rewrites it)."""
    from botocore.loaders import Loader, create_loader

    loader = create_loader(search_path_string)
    others = [path for path in loader.search_paths if path != Loader.BUILTIN_DATA_PATH]
    if any(os.path.isdir(path) for path in others):
        return loader
    try:
        builtin_mtime = os.stat(Loader.BUILTIN_DATA_PATH).st_mtime_ns
    except OSError:
        return loader
    import botocore

    key = (FORMAT, botocore.__version__, Loader.BUILTIN_DATA_PATH, builtin_mtime, tuple(loader.search_paths))
    return _cached_loader_class()(
        os.path.join(cache_dir(env), CACHE_FILE),
        key,
        trust_cache=trust_cache,
        extra_search_paths=list(loader.search_paths),
        include_default_search_paths=False,
    )


_CLASS: Any = None


def _cached_loader_class() -> Any:
    """``CachedLoader``, defined on first use so that importing this module imports no botocore."""
    global _CLASS
    if _CLASS is not None:
        return _CLASS
    from botocore.exceptions import DataNotFoundError
    from botocore.loaders import Loader

    class CachedLoader(Loader):
        """botocore's ``Loader``, answering ``load_data_with_path`` and ``list_available_services``
        from the cache file where it can; ``save`` writes back what it had to load."""

        def __init__(
            self, cache_path: str, key: tuple[Any, ...], trust_cache: bool = True, **kwargs: Any
        ) -> None:
            super().__init__(**kwargs)
            self.cache_path = cache_path
            self.cache_key = key
            self._stored: tuple[dict[str, Any], dict[str, Any]] | None = None
            self._dirty = False
            if not trust_cache:  # start empty; save() replaces the file
                self._stored = ({}, {})

        def _store(self) -> tuple[dict[str, Any], dict[str, Any]]:
            if self._stored is None:
                self._stored = read_cache(self.cache_path, self.cache_key) or ({}, {})
            return self._stored

        def list_available_services(self, type_name: str) -> list[str]:
            services = self._store()[1]
            if type_name in services:
                return list(services[type_name])
            found = super().list_available_services(type_name)
            services[type_name] = list(found)
            self._dirty = True
            return found

        def load_data_with_path(self, name: str) -> tuple[Any, str]:
            data = self._store()[0]
            if name in data:
                entry = data[name]
                if entry is None:  # botocore has no such file (an absent sdk-extras, say)
                    raise DataNotFoundError(data_path=name)
                return entry[0], entry[1]
            try:
                found, path = super().load_data_with_path(name)
            except DataNotFoundError:
                data[name] = None
                self._dirty = True
                raise
            data[name] = (plain_data(found), path)
            self._dirty = True
            return found, path

        def save(self) -> None:
            """Write the cache if this loader had to parse anything."""
            if self._dirty and self._stored is not None:
                write_cache(self.cache_path, self.cache_key, *self._stored)
                self._dirty = False

    _CLASS = CachedLoader
    return _CLASS


def save_loader(loader: Any) -> None:
    """Write back a cached loader's new entries (a no-op for botocore's own loader)."""
    save = getattr(loader, "save", None)
    if callable(save):
        save()
