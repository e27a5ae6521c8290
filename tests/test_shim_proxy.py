"""Proxy variables on the boto3 backend follow Go's rules (s5cmd's), not Python's.

- ``proxy_for`` against Go's own test table (golang.org/x/net/http/httpproxy ``proxy_test.go``,
  the version s5cmd v2.3.0 is built with: unknown proxy schemes are read as ``http://VALUE``,
  as the real binary shows) and against properties (hypothesis): loopback never proxied,
  ``NO_PROXY`` domains, ports and CIDR blocks as Go matches them.
- End to end, both backends: a proxy variable pointing at a dead port must not stop a command
  to a loopback endpoint (Python's rules proxied 127.0.0.1: ``Failed to connect to proxy
  URL``); for a non-loopback endpoint, a recording proxy sees exactly the same requests from
  both backends whatever ``NO_PROXY`` says; Go's CGI rule (``REQUEST_METHOD`` set) refuses
  ``HTTP_PROXY`` with s5cmd's error line.
"""

from __future__ import annotations

import ipaddress
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3env.shim.boto3.proxy import CGI_REFUSAL, ProxyRefusedError, proxy_for
from tests.conftest import S3ENV, Sandbox, make_shim, s3_client, unique_bucket
from tests.faultproxy import FaultProxy
from tests.proxyrecorder import ProxyRecorder

# ---- Go's own cases --------------------------------------------------------------------------

# (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, CGI, request URL, expected proxy or None)
GO_PROXY_FOR_URL = [
    ("127.0.0.1:8080", "", "", False, "http://example.com", "http://127.0.0.1:8080"),
    (
        "cache.corp.example.com:1234",
        "",
        "",
        False,
        "http://example.com",
        "http://cache.corp.example.com:1234",
    ),
    ("cache.corp.example.com", "", "", False, "http://example.com", "http://cache.corp.example.com"),
    ("localhost", "", "", False, "http://example.com", "http://localhost"),
    ("https://cache.corp.example.com", "", "", False, "http://example.com", "https://cache.corp.example.com"),
    ("http://127.0.0.1:8080", "", "", False, "http://example.com", "http://127.0.0.1:8080"),
    ("https://127.0.0.1:8080", "", "", False, "http://example.com", "https://127.0.0.1:8080"),
    ("socks5://127.0.0.1", "", "", False, "http://example.com", "socks5://127.0.0.1"),
    # s5cmd 2.3.0's Go: an unknown scheme is taken for a host ("lookup foo: no such host")
    ("foo://host", "", "", False, "http://example.com", "http://foo://host"),
    ("http.proxy.tld", "secure.proxy.tld", "", False, "http://insecure.tld/", "http://http.proxy.tld"),
    ("http.proxy.tld", "secure.proxy.tld", "", False, "https://secure.tld/", "http://secure.proxy.tld"),
    (
        "http.proxy.tld",
        "https://secure.proxy.tld",
        "",
        False,
        "https://secure.tld/",
        "https://secure.proxy.tld",
    ),
    ("http.proxy.tld", "", "", False, "https://secure.tld/", None),
    ("http.proxy.tld", "", "", False, "ftp://insecure.tld/", None),
    ("", "https://secure.proxy.tld", "", True, "https://secure.tld/", "https://secure.proxy.tld"),
    ("", "", "", False, "http://example.com", None),
    ("proxy", "", "example.com", False, "http://example.com/", None),
    ("proxy", "", ".example.com", False, "http://example.com/", "http://proxy"),
    ("proxy", "", "ample.com", False, "http://example.com/", "http://proxy"),
    ("proxy", "", "example.com", False, "http://foo.example.com/", None),
    ("proxy", "", ".foo.com", False, "http://example.com/", "http://proxy"),
    ("proxy", "", ".示例.com", False, "http://www.示例.com", None),
    ("proxy", "", "xn--fsq092h.com", False, "http://www.示例.com", None),
    ("proxy", "", "示例.com", False, "http://www.xn--fsq092h.com", None),
]


def env_of(http: str = "", https: str = "", no: str = "", cgi: bool = False) -> dict[str, str]:
    env = {"HTTP_PROXY": http, "HTTPS_PROXY": https, "NO_PROXY": no}
    if cgi:
        env["REQUEST_METHOD"] = "GET"
    return {k: v for k, v in env.items() if v}


@pytest.mark.parametrize(("http", "https", "no", "cgi", "url", "want"), GO_PROXY_FOR_URL)
def test_go_proxy_for_url_table(
    http: str, https: str, no: str, cgi: bool, url: str, want: str | None
) -> None:
    assert proxy_for(url, env_of(http, https, no, cgi)) == want


def test_go_cgi_rule() -> None:
    with pytest.raises(ProxyRefusedError, match="refusing to use HTTP_PROXY value in CGI environment"):
        proxy_for("http://example.com", env_of("http://10.1.2.3:8080", cgi=True))
    # before any NO_PROXY or loopback exemption, as in Go
    with pytest.raises(ProxyRefusedError):
        proxy_for("http://127.0.0.1:9000", {"http_proxy": "p:1", "REQUEST_METHOD": "POST", "NO_PROXY": "*"})
    assert str(ProxyRefusedError(CGI_REFUSAL)).endswith("see golang.org/s/cgihttpproxy")


GO_NO_PROXY = (
    "foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, "
    "10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64"
)
# Go's UseProxyTests: host (port 80) -> proxied?
GO_USE_PROXY = [
    ("localhost", False),
    ("127.0.0.1", False),
    ("127.0.0.2", False),
    ("[::1]", False),
    ("[::2]", True),
    ("192.168.1.1", False),
    ("192.168.1.2", True),
    ("192.168.1.3", False),
    ("192.168.1.4", True),
    ("10.0.0.2", False),
    ("[2001:db8::52:0:1]", False),
    ("[2001:db8::52:0:2]", True),
    ("[2001:db8::52:0:3]", False),
    ("[2002:db8:a::123]", False),
    ("[fe80::424b:c8be:1643:a1b6]", True),
    ("barbaz.net", True),
    ("www.barbaz.net", False),
    ("foobar.com", False),
    ("www.foobar.com", False),
    ("foofoobar.com", True),
    ("baz.com", True),
    ("localhost.net", True),
    ("local.localhost", True),
    ("barbarbaz.net", True),
    ("wildcard.io", True),
    ("nested.wildcard.io", False),
    ("awildcard.io", True),
]


@pytest.mark.parametrize(("host", "proxied"), GO_USE_PROXY)
def test_go_use_proxy_table(host: str, proxied: bool) -> None:
    url = f"http://{host}:80/"
    assert (proxy_for(url, env_of("proxy:3128", no=GO_NO_PROXY)) is not None) == proxied
    assert proxy_for(url, env_of("proxy:3128", no="*")) is None  # Go's TestAllNoProxy
    assert proxy_for(url, env_of("proxy:3128", no=":1")) == (
        "http://proxy:3128" if host not in ("localhost", "127.0.0.1", "127.0.0.2", "[::1]") else None
    )  # Go's TestInvalidNoProxy: a malformed entry is ignored


def test_variable_names_as_go_reads_them() -> None:
    url = "http://example.com/"
    # Go: the upper-case name first (Python: the lower-case one), an empty value is unset
    assert proxy_for(url, {"HTTP_PROXY": "upper:1", "http_proxy": "lower:1"}) == "http://upper:1"
    assert proxy_for(url, {"HTTP_PROXY": "", "http_proxy": "lower:1"}) == "http://lower:1"
    assert proxy_for(url, {"http_proxy": "lower:1", "no_proxy": "example.com"}) is None
    assert proxy_for(url, {"http_proxy": "lower:1", "NO_PROXY": "other.com", "no_proxy": "example.com"}) == (
        "http://lower:1"
    )
    assert proxy_for("https://example.com/", {"http_proxy": "lower:1"}) is None  # no fallback
    assert (
        proxy_for("http://example.com:8080/", {"http_proxy": "p:1", "no_proxy": "example.com:8080"}) is None
    )
    assert (
        proxy_for("http://example.com/", {"http_proxy": "p:1", "no_proxy": "example.com:8080"})
        == "http://p:1"
    )
    assert proxy_for("https://example.com/", {"https_proxy": "p:1", "no_proxy": "example.com:443"}) is None


# ---- properties ----------------------------------------------------------------------------

proxy_envs = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_PROXY": st.sampled_from(["http://10.9.9.9:3128", "proxy.corp:8080", "127.0.0.1:9"]),
        "http_proxy": st.sampled_from(["http://10.9.9.9:3128", "proxy.corp:8080"]),
        "HTTPS_PROXY": st.sampled_from(["http://10.9.9.9:3128", "https://proxy.corp"]),
        "https_proxy": st.sampled_from(["http://10.9.9.9:3128"]),
        "NO_PROXY": st.text(alphabet="abc.,:*/0123456789 []", max_size=30),
        "no_proxy": st.text(alphabet="abc.,:*/0123456789 ", max_size=20),
    },
)
loopback_hosts = st.one_of(
    st.just("localhost"),
    st.builds(lambda a, b, c: f"127.{a}.{b}.{c}", *[st.integers(0, 255)] * 3),
    st.just("[::1]"),
    st.builds(lambda a, b: f"[::ffff:127.0.{a}.{b}]", st.integers(0, 255), st.integers(0, 255)),
)


@given(
    env=proxy_envs, host=loopback_hosts, scheme=st.sampled_from(["http", "https"]), port=st.integers(1, 65535)
)
def test_loopback_is_never_proxied(env: dict[str, str], host: str, scheme: str, port: int) -> None:
    assert proxy_for(f"{scheme}://{host}:{port}/bucket/key", env) is None


labels = st.text(alphabet="abcdefghij0123456789-", min_size=1, max_size=8).filter(lambda s: s[0] != "-")
names = st.builds(  # the last label has a letter: a name, never an IP address
    lambda first, tld: ".".join([*first, tld]),
    st.lists(labels, min_size=1, max_size=3),
    st.from_regex(r"[a-z]{2,6}", fullmatch=True),
)


@given(
    name=names,
    sub=labels,
    others=st.lists(labels, max_size=3),
)
def test_no_proxy_domains(name: str, sub: str, others: list[str]) -> None:
    """``name`` covers itself and its subdomains, ``.name`` and ``*.name`` only subdomains;
    other entries change nothing; a name that merely ends with the same letters is proxied."""
    pad = ",".join(f"{o}.unrelated" for o in others)
    for entry, itself in ((name, True), ("." + name, False), ("*." + name, False)):
        env = {"HTTPS_PROXY": "http://10.9.9.9:3128", "NO_PROXY": f"{pad}, {entry.upper()} ,"}
        assert (proxy_for(f"https://{name}/", env) is None) == itself
        assert proxy_for(f"https://{sub}.{name}:9000/", env) is None
        assert proxy_for(f"https://x{name}/", env) == "http://10.9.9.9:3128"


@given(
    network=st.builds(
        lambda a, b, bits: ipaddress.ip_network(f"{a}.{b}.0.0/{bits}", strict=False),
        st.integers(1, 126),
        st.integers(0, 255),
        st.integers(8, 32),
    ),
    offset=st.integers(0, 2**24),
)
def test_no_proxy_cidr(network: ipaddress.IPv4Network, offset: int) -> None:
    address = network.network_address + (offset % network.num_addresses)
    env = {"HTTP_PROXY": "proxy:1", "NO_PROXY": f"example.com,{network}"}
    assert proxy_for(f"http://{address}:9000/", env) is None
    outside = network.broadcast_address + 1
    if not outside.is_loopback and outside not in network:
        assert proxy_for(f"http://{outside}:9000/", env) == "http://proxy:1"


# ---- end to end, both backends ----------------------------------------------------------------


def run_both(sandbox: Sandbox, profile: str, argv: list[str], extra: dict[str, str], cwd) -> dict:  # type: ignore[no-untyped-def,type-arg]
    env = {**sandbox.env, **extra}

    def one(backend: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [S3ENV, "--backend", backend, "-p", profile, *argv],
            env=env,
            cwd=cwd,
            capture_output=True,
            timeout=120,
        )

    with ThreadPoolExecutor(2) as pool:
        futures = {backend: pool.submit(one, backend) for backend in ("s5cmd", "boto3")}
        return {backend: future.result() for backend, future in futures.items()}


DEAD = "http://127.0.0.1:9"


@pytest.mark.parametrize(
    "variables",
    [
        {"HTTP_PROXY": DEAD},
        {"http_proxy": DEAD},
        {"http_proxy": DEAD, "HTTPS_PROXY": DEAD, "no_proxy": "x.com"},
    ],
    ids=["HTTP_PROXY", "http_proxy", "all"],
)
def test_a_dead_proxy_does_not_stop_a_loopback_endpoint(
    sandbox: Sandbox, s3_server, tmp_path, variables
) -> None:  # type: ignore[no-untyped-def]
    make_shim(sandbox, s3_server, profile="local")
    bucket = unique_bucket("proxy")
    s3_client(s3_server).create_bucket(Bucket=bucket)
    (tmp_path / "up.txt").write_bytes(b"up")
    for argv in (
        ["cp", "up.txt", f"s3://{bucket}/up.txt"],
        ["ls", f"s3://{bucket}/*"],
        ["cp", f"s3://{bucket}/up.txt", "down/"],
    ):
        results = run_both(sandbox, "local", argv, variables, tmp_path)
        assert results["boto3"].returncode == 0, results["boto3"].stderr
        assert results["boto3"].stderr == results["s5cmd"].stderr == b""
        if argv[0] == "cp":
            assert results["boto3"].stdout == results["s5cmd"].stdout
    assert (tmp_path / "down" / "up.txt").read_bytes() == b"up"


def non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))  # no packet is sent: the route picks the address
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback else address


@pytest.mark.parametrize(
    ("no_proxy", "proxied"),
    [
        ("", True),
        ("{ip}", False),
        ("{ip}:{port}", False),
        ("{ip}:1", True),
        ("{net}", False),
        ("other.example, {ip}", False),
        ("*", False),
        ("example.com,10.255.255.0/24", True),
    ],
)
def test_a_non_loopback_endpoint_is_proxied_as_go_does(
    sandbox: Sandbox, moto, tmp_path, no_proxy: str, proxied: bool
) -> None:  # type: ignore[no-untyped-def]
    """The endpoint is this machine's non-loopback address (a forwarder to moto listens
    there); ``HTTP_PROXY`` points at a proxy that records where clients wanted to go and
    refuses them.  Both backends must go direct, or through the proxy, alike."""
    address = non_loopback_address()
    if address is None:
        pytest.skip("no non-loopback IPv4 address here")
    try:
        forwarder = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, listen=address)
    except OSError:
        pytest.skip(f"cannot listen on {address}")
    recorder = ProxyRecorder()
    try:
        make_shim(sandbox, forwarder, profile="far")  # type: ignore[arg-type]
        bucket = unique_bucket("far")
        s3_client(moto).create_bucket(Bucket=bucket)
        port = forwarder.url.rsplit(":", 1)[1]
        net = ipaddress.ip_network(f"{address}/24", strict=False)
        variables = {"HTTP_PROXY": recorder.url, "NO_PROXY": no_proxy.format(ip=address, port=port, net=net)}
        seen: dict[str, list[str]] = {}
        results = {}
        for backend in ("s5cmd", "boto3"):
            before = len(recorder.requests)
            results[backend] = subprocess.run(
                [S3ENV, "--backend", backend, "-p", "far", "ls", f"s3://{bucket}"],
                env={**sandbox.env, **variables},
                cwd=tmp_path,
                capture_output=True,
                timeout=120,
            )
            seen[backend] = recorder.hosts()[before:]
    finally:
        recorder.close()
        forwarder.close()
    assert results["boto3"].returncode == results["s5cmd"].returncode == (1 if proxied else 0)
    if proxied:
        assert seen["s5cmd"] and set(seen["boto3"]) == set(seen["s5cmd"]) == {address}
    else:
        assert seen == {"s5cmd": [], "boto3": []}
        assert results["boto3"].stdout == results["s5cmd"].stdout


def test_the_cgi_rule_as_s5cmd(sandbox: Sandbox, moto, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Go refuses HTTP_PROXY when REQUEST_METHOD is set (Python ignores it silently): the same
    error line, exit 1, on both backends, and nothing sent."""
    make_shim(sandbox, moto, profile="cgi")
    bucket = unique_bucket("cgi")
    s3_client(moto).create_bucket(Bucket=bucket)
    (tmp_path / "up.txt").write_bytes(b"up")
    variables = {"REQUEST_METHOD": "GET", "http_proxy": DEAD}
    for argv in (["ls"], ["cp", "up.txt", f"s3://{bucket}/up.txt"]):
        results = run_both(sandbox, "cgi", argv, variables, tmp_path)
        got, ref = results["boto3"], results["s5cmd"]
        assert (got.returncode, got.stdout, got.stderr) == (ref.returncode, ref.stdout, ref.stderr)
        assert got.returncode == 1 and got.stderr.endswith(b"see golang.org/s/cgihttpproxy\n"), got.stderr
    assert s3_client(moto).list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
