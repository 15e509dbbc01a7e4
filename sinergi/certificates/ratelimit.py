"""A per-address limit on certificate look-ups, so codes cannot be guessed by trying many.

Counted in the cache (Redis in production, so every app server shares the count) in windows
of one minute. The address is the client's, read through TRUSTED_PROXIES (core/clientip.py).
"""

import time

from django.conf import settings
from django.core.cache import cache

from sinergi.core.clientip import client_address


def verification_allowed(request) -> bool:
    """Count one look-up from the request's address; False once over the limit this minute."""
    address = client_address(request) or "unknown"
    window = int(time.time() // 60)
    key = f"certificates:verify:{address}:{window}"
    if cache.add(key, 1, timeout=120):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=120)
            count = 1
    return count <= settings.SINERGI_CERTIFICATE_VERIFY_PER_MINUTE
