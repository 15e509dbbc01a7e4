"""Links made away from a request (e-mails, PDFs, QR codes) point where `make run` serves."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _site_url(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT"}}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SITE_URL)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "sinergi.settings", "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_site_url_follows_the_port_unless_it_is_set():
    assert _site_url() == "http://127.0.0.1:8000"
    assert _site_url(PORT="20540") == "http://127.0.0.1:20540"
    assert _site_url(PORT="20540", SITE_URL="https://sinergi.upi.edu/") == (
        "https://sinergi.upi.edu"
    )
