"""Which proxy a request goes through: Go's rules (``net/http.ProxyFromEnvironment``, i.e.
``golang.org/x/net/http/httpproxy``), which s5cmd follows, rather than Python's.

The differences that matter: Go never proxies ``localhost`` or a loopback IP (a local MinIO
behind a corporate ``http_proxy`` works), reads ``HTTP_PROXY`` before ``http_proxy`` (Python:
the lower-case one first), matches ``NO_PROXY`` entries as IPs, CIDR blocks, ``host:port`` and
domains (``foo.com`` is it and its subdomains, ``.foo.com`` and ``*.foo.com`` only its
subdomains, ``*`` everything), and, in a CGI process (``REQUEST_METHOD`` set), refuses to use
``HTTP_PROXY`` for an ``http`` request at all (golang.org/s/cgihttpproxy) where Python silently
ignores it.

``proxy_for`` is the pure rule; ``GoProxyConfiguration`` puts it into botocore, which asks it
for every request.  Non-ASCII host names are compared in IDNA form as Go does, with Python's
IDNA 2003 codec rather than Go's UTS 46 (the two differ only on rare characters).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit

CGI_REFUSAL = "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy"
_DEFAULT_PORTS = {"http": "80", "https": "443", "socks5": "1080"}

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProxyRefusedError(Exception):
    """Go's CGI rule: ``HTTP_PROXY`` set, an ``http`` request, ``REQUEST_METHOD`` set."""


def _env_any(env: Mapping[str, str], *names: str) -> str:
    """Go ``getEnvAny``: the first name with a non-empty value."""
    for name in names:
        value = env.get(name, "")
        if value:
            return value
    return ""


def parse_ip(text: str) -> IP | None:
    """Go ``net.ParseIP``: dotted IPv4 (no leading zeros) or IPv6, no zone; IPv4-mapped IPv6
    is the IPv4 address, as Go's ``To4`` makes it."""
    if not text or "%" in text:
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _parse_cidr(text: str) -> Network | None:
    """Go ``net.ParseCIDR``: ``IP/bits``, the network it falls in (host bits allowed)."""
    address, slash, bits = text.partition("/")
    if not slash or not bits.isdigit() or "%" in address:
        return None
    try:
        base = ipaddress.ip_address(address)
    except ValueError:
        return None
    limit = 32 if isinstance(base, ipaddress.IPv4Address) else 128
    if int(bits) > limit:
        return None
    if isinstance(base, ipaddress.IPv6Address) and base.ipv4_mapped is not None:
        # Go's Contains compares an IPv4 address with the mask's last 32 bits: to it,
        # ::ffff:a.b.c.d/n is the IPv4 block a.b.c.d/(n - 96) (all of IPv4 below 96)
        return ipaddress.ip_network(f"{base.ipv4_mapped}/{max(0, int(bits) - 96)}", strict=False)
    return ipaddress.ip_network(f"{address}/{int(bits)}", strict=False)


def split_host_port(text: str) -> tuple[str, str] | None:
    """Go ``net.SplitHostPort``: None where Go returns an error (no port, too many colons,
    misplaced brackets)."""
    colon = text.rfind(":")
    if colon < 0:
        return None
    j = k = 0
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or end + 1 != colon:
            return None
        host = text[1:end]
        j, k = 1, end + 1
    else:
        host = text[:colon]
        if ":" in host:
            return None
    if "[" in text[j:] or "]" in text[k:]:
        return None
    return host, text[colon + 1 :]


def url_host_port(url: str) -> tuple[str, str, str]:
    """(scheme, host, port) of a URL as Go's ``url.URL`` gives them: the scheme lower-cased,
    the host as written (brackets removed), the port as written (maybe empty)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "", "", ""
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    authority = authority.rpartition("@")[2]
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            return scheme.lower(), authority, ""
        host, after = authority[1:end], authority[end + 1 :]
        return scheme.lower(), host, after[1:] if after.startswith(":") else ""
    host, _, port = authority.partition(":")
    return scheme.lower(), host, port


def _idna(host: str) -> str:
    """Go ``idnaASCII``: ASCII as it is, else each label in its ``xn--`` form (unchanged if that
    fails, as Go keeps the name when ``ToASCII`` errs)."""
    if host.isascii():
        return host
    from encodings import idna

    try:
        return ".".join(idna.ToASCII(label).decode("ascii") if label else "" for label in host.split("."))
    except UnicodeError:
        return host


def _parse_proxy(value: str) -> str | None:
    """Go ``parseProxy``: a URL with scheme http, https or socks5; anything else is tried as
    ``http://VALUE`` (``proxy:3128`` means ``http://proxy:3128``).  None for no proxy."""
    if not value:
        return None
    scheme, sep, _rest = value.partition("://")
    if sep and scheme.lower() in ("http", "https", "socks5") and _url_ok(value):
        return value
    candidate = "http://" + value
    return candidate if _url_ok(candidate) else None


def _url_ok(url: str) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number: Go's url.Parse refuses it too
    except ValueError:
        return False
    return True


class _Matchers(NamedTuple):  # not a dataclass: ~0.5 ms less at every command's start
    everything: bool
    ips: tuple[tuple[IP, str], ...]
    networks: tuple[Network, ...]
    domains: tuple[tuple[str, str, bool], ...]  # (".suffix", port or "", also the name itself)


def parse_no_proxy(value: str) -> _Matchers:
    """Go ``config.init``'s reading of ``NO_PROXY``: comma-separated entries, trimmed and
    lower-cased; malformed ones are ignored."""
    ips: list[tuple[IP, str]] = []
    networks: list[Network] = []
    domains: list[tuple[str, str, bool]] = []
    for raw in value.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return _Matchers(True, (), (), ())
        network = _parse_cidr(entry)
        if network is not None:
            networks.append(network)
            continue
        split = split_host_port(entry)
        port = ""
        if split is not None:
            host, port = split
            if not host:
                continue
            if host.startswith("[") and host.endswith("]"):
                host = host[1:-1]
        else:
            host = entry
        ip = parse_ip(host)
        if ip is not None:
            ips.append((ip, port))
            continue
        if not host:
            continue
        if host.startswith("*."):
            host = host[1:]
        match_host = not host.startswith(".")
        if match_host:
            host = "." + host
        domains.append((_idna(host), port, match_host))
    return _Matchers(False, tuple(ips), tuple(networks), tuple(domains))


def use_proxy(host: str, port: str, matchers: _Matchers) -> bool:
    """Go ``config.useProxy`` for a request's host (without brackets) and port."""
    if host == "localhost":
        return False
    ip = parse_ip(host)
    if ip is not None and ip.is_loopback:
        return False
    name = host.strip().lower()
    if matchers.everything:
        return False
    if ip is not None:
        for want, want_port in matchers.ips:
            if want == ip and (not want_port or want_port == port):
                return False
        for network in matchers.networks:
            if ip.version == network.version and ip in network:
                return False
    for suffix, want_port, match_host in matchers.domains:
        matches = name.endswith(suffix) or (match_host and name == suffix[1:])
        if matches and (not want_port or want_port == port):
            return False
    return True


def proxy_for(url: str, env: Mapping[str, str]) -> str | None:
    """The proxy URL Go would use for a request to ``url`` in environment ``env`` (None: go
    direct).  Raises ``ProxyRefusedError`` where Go refuses (the CGI rule)."""
    scheme, host, port = url_host_port(url)
    if scheme == "https":
        proxy = _parse_proxy(_env_any(env, "HTTPS_PROXY", "https_proxy"))
    elif scheme == "http":
        proxy = _parse_proxy(_env_any(env, "HTTP_PROXY", "http_proxy"))
        if proxy is not None and env.get("REQUEST_METHOD", ""):
            raise ProxyRefusedError(CGI_REFUSAL)
    else:
        return None
    if proxy is None:
        return None
    host = _idna(host)
    port = port or _DEFAULT_PORTS.get(scheme, "")
    if not use_proxy(host, port, parse_no_proxy(_env_any(env, "NO_PROXY", "no_proxy"))):
        return None
    return proxy


def go_proxy_configuration(original: Any, env: Mapping[str, str]) -> Any:
    """A botocore ``ProxyConfiguration`` that answers with ``proxy_for`` (same proxy settings
    and proxy authentication as ``original``); defined here so that importing this module
    imports no botocore."""
    from botocore.httpsession import ProxyConfiguration

    class GoProxyConfiguration(ProxyConfiguration):  # type: ignore[misc]
        def proxy_url_for(self, url: str) -> str | None:
            return proxy_for(url, env)

    settings = getattr(original, "settings", None)
    return GoProxyConfiguration(proxies={}, proxies_settings=settings)
