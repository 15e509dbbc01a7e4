"""Settings for benchmark runs: the product's settings, with bench/urls.py as the URL map.

Everything else (middleware, database, cache, security) is exactly what `sinergi.settings`
makes of the environment, so a benchmark measures the product's own stack.
"""

from sinergi.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
