"""The profile store as a library: round trips, comment preservation, error reporting."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import s3env
from devtools.memory_secrets import MemorySecretStore
from s3env.core.errors import ProfileExists, ProfileNotFound, StoreError
from s3env.core.model import MODELLED_INI_KEYS, SECRET_INI_KEYS, Profile
from s3env.store.paths import StorePaths
from s3env.store.profiles import ProfileStore, parse_store_text
from tests.conftest import Sandbox

names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,20}", fullmatch=True)
hosts = st.from_regex(r"[a-z][a-z0-9-]{0,15}(\.[a-z][a-z0-9-]{0,10}){0,2}", fullmatch=True)
endpoints = st.builds(
    lambda scheme, host, port: f"{scheme}://{host}" + (f":{port}" if port else ""),
    st.sampled_from(["http", "https"]),
    hosts,
    st.one_of(st.none(), st.integers(1, 65535)),
)
regions = st.from_regex(r"[a-z]{2}-[a-z]{4,9}-[1-9]", fullmatch=True)
key_ids = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=24)
# Secrets may hold anything TOML can carry except NUL: quotes, backslashes, newlines, unicode.
secrets_ = st.text(min_size=1, max_size=60).filter(lambda s: "\0" not in s)
# extra holds what one INI line carries exactly (no line break of any kind, no surrounding space),
# under lower-case names that are neither secrets nor keys s3env writes itself.
_LINE_BREAKS = "\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
extras = st.dictionaries(
    st.from_regex(r"[a-z_][a-z0-9_-]{0,10}(\.[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,8})?", fullmatch=True).filter(
        lambda k: k not in MODELLED_INI_KEYS and not SECRET_INI_KEYS & set(k.lower().split("."))
    ),
    st.text(st.characters(blacklist_characters=_LINE_BREAKS, blacklist_categories=("Cs",)), max_size=30).map(
        str.strip
    ),
    max_size=3,
)


@st.composite
def profiles(draw: st.DrawFn, name: str) -> Profile:
    key_id = draw(st.one_of(st.none(), key_ids))
    return Profile(
        name=name,
        endpoint_url=draw(st.one_of(st.none(), endpoints)),
        region=draw(st.one_of(st.none(), regions)),
        addressing_style=draw(st.sampled_from(["auto", "path", "virtual"])),
        provider=draw(st.one_of(st.none(), st.sampled_from(["aws", "minio", "ceph", "r2"]))),
        access_key_id=key_id,
        secret_access_key=draw(secrets_) if key_id else None,
        session_token=draw(st.one_of(st.none(), secrets_)) if key_id else None,
        extra=draw(extras),
    )


profile_sets = st.lists(names, min_size=1, max_size=5, unique_by=str.lower).flatmap(
    lambda ns: st.tuples(*[profiles(n) for n in ns])
)


class InMemorySecrets(ProfileStore):
    """The real store with its secrets in memory, so hypothesis can run hundreds of examples."""

    def __init__(self, paths: StorePaths) -> None:
        super().__init__(paths, env={})
        self._secret_store = MemorySecretStore()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profile_sets)
def test_any_valid_profile_set_round_trips(
    tmp_path_factory: pytest.TempPathFactory, batch: tuple[Profile, ...]
) -> None:
    store = InMemorySecrets(StorePaths(tmp_path_factory.mktemp("store")))
    for profile in batch:
        store.add(profile)
    assert [p.name for p in store.list()] == [p.name for p in batch]
    for profile in batch:
        assert store.get(profile.name, secrets=True) == profile
    # And a fresh store object (no caches) reads the same file the same way.
    fresh = ProfileStore(store.paths, env={})
    assert {p.name: p for p in fresh.list()} == {p.name: p.without_secrets() for p in batch}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profile_sets, st.data())
def test_user_comments_survive_every_write(
    tmp_path_factory: pytest.TempPathFactory, batch: tuple[Profile, ...], data: st.DataObject
) -> None:
    paths = StorePaths(tmp_path_factory.mktemp("store"))
    paths.root.mkdir(exist_ok=True)
    paths.profiles.write_text(
        "# my S3 profiles -- keep this comment\n"
        "\n"
        "[profiles.keepme]  # the NAS at home\n"
        "# endpoint is on the LAN\n"
        'endpoint_url = "http://nas.local:9000"  # inline note\n'
        'region = "us-east-1"\n'
    )
    store = InMemorySecrets(paths)
    for profile in batch:
        if profile.name != "keepme":
            store.add(profile)
    target = data.draw(st.sampled_from([p.name for p in batch if p.name != "keepme"] or ["keepme"]))
    store.update(target, [("region", "eu-west-3")])
    store.update("keepme", [("addressing_style", "path")])
    if target != "keepme":
        store.rename(target, target + "-renamed")
        store.remove(target + "-renamed")
    text = paths.profiles.read_text()
    for comment in (
        "# my S3 profiles -- keep this comment",
        "# the NAS at home",
        "# endpoint is on the LAN",
        "# inline note",
    ):
        assert comment in text
    assert store.get("keepme") == Profile(
        "keepme", endpoint_url="http://nas.local:9000", region="us-east-1", addressing_style="path"
    )


def test_library_api_matches_cli_semantics(sandbox: Sandbox) -> None:
    store = s3env.open_store()
    assert store.paths.root == sandbox.store
    store.add(
        s3env.Profile(
            "lib", endpoint_url="http://127.0.0.1:9", access_key_id="AK", secret_access_key="S3CRET!"
        )
    )
    with pytest.raises(ProfileExists):
        store.add(s3env.Profile("lib"))
    with pytest.raises(ProfileNotFound) as info:
        store.get("lbi")
    assert info.value.suggestion == "lib"
    assert store.get("lib", secrets=True).secret_access_key == "S3CRET!"
    assert store.get("lib").secret_access_key is None  # secrets only on request
    store.copy("lib", "lib2")
    store.rename("lib2", "lib3")
    assert store.get("lib3", secrets=True).secret_access_key == "S3CRET!"
    store.remove("lib3")
    assert store.names() == ["lib"]
    assert "S3CRET!" not in repr(store.get("lib", secrets=True))  # secrets stay out of reprs and tracebacks


def test_first_secret_pins_the_secret_store(sandbox: Sandbox) -> None:
    store = s3env.open_store()
    store.add(s3env.Profile("nokeys"))
    assert "secrets" not in store.read().settings  # nothing stored, nothing chosen
    store.add(s3env.Profile("keys", access_key_id="AK", secret_access_key="sk-value"))
    assert store.read().settings["secrets"] == "file"


@pytest.mark.parametrize(
    "text,line",
    [
        ('[profiles.a]\nregion = "x"\nregion = "y"\n', 3),
        ("[profiles.a]\nregion = \n", 2),
        ("\n\n[profiles.a\n", 3),
    ],
)
def test_toml_errors_carry_the_line(text: str, line: int) -> None:
    with pytest.raises(StoreError) as info:
        parse_store_text(text, "/x/profiles.toml")
    assert str(info.value).startswith(f"/x/profiles.toml:{line}: invalid TOML")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "text,needle",
    [
        ('[profiles."bad name"]\n', "invalid profile name"),
        ("[profiles.a]\nregion = 3\n", "must be a string"),
        ('[profiles.a]\nfoo = "x"\n', "unknown key 'foo'"),
        ('[settings]\nsecrets = "vault"\n[profiles.a]\n', "settings.secrets"),
        ("[other]\nx = 1\n", "unknown top-level key"),
        ("[profiles.a.extra]\nk = 1\n", "table of strings"),
    ],
)
def test_store_shape_errors(text: str, needle: str) -> None:
    with pytest.raises(StoreError) as info:
        parse_store_text(text, "p.toml")
    assert needle in str(info.value)
