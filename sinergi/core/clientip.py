"""The address of the person behind a request, read through the reverse proxies we trust.

Behind nginx every request reaches Django from the proxy's address. The proxy appends the
address it received the request from to X-Forwarded-For; a client can put anything in that
header before it reaches our proxy. So the header is read from the right, one hop at a time,
only while the hop that wrote the next entry is one of TRUSTED_PROXIES: the first address not
ours is the client. Without TRUSTED_PROXIES the header is ignored entirely.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(request) -> str:
    """Return the client's IP address as text ("" when even REMOTE_ADDR is missing)."""
    cached = getattr(request, "_sinergi_client_address", None)
    if cached is not None:
        return cached
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    result = str(peer) if peer is not None else ""
    if peer is not None and networks:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        current = peer
        while any(current in network for network in networks) and hops:
            previous = _parse(hops.pop())
            if previous is None:
                # A broken entry was not written by our proxy: stop at the last hop we trust.
                break
            current = previous
        result = str(current)
    request._sinergi_client_address = result
    return result
