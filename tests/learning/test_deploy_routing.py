"""deploy/nginx/: the quiz autosave, and only it, goes to its own gunicorn pool."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
LOCATION = re.compile(r"location ~ (\S+) \{([^}]*)\}")


def autosave_pattern() -> re.Pattern:
    routes = [
        regex
        for regex, body in LOCATION.findall((DEPLOY / "sinergi-locations.conf").read_text())
        if "proxy_pass http://sinergi_autosave;" in body
    ]
    assert len(routes) == 1, routes
    return re.compile(routes[0])


def test_the_autosave_url_goes_to_the_autosave_pool():
    pattern = autosave_pattern()
    for attempt, position in [(1, 1), (12, 3), (98765, 20)]:
        path = reverse("learning:attempt_answer", args=[attempt, position])
        assert pattern.search(path), path


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("learning:attempt", [12]),
        ("learning:attempt_submit", [12]),
        ("learning:attempt_review", [12]),
        ("learning:quiz_start", [3, 40]),
    ],
)
def test_every_other_quiz_page_goes_to_the_web_pool(name, args):
    path = reverse(name, args=args)
    assert not autosave_pattern().search(path), path


@pytest.mark.parametrize(
    "path",
    [
        "/learning/attempts/12/answers/3/review/",
        "/learning/attempts/12/answers/",
        "/learning/attempts/x/answers/3/",
        "/api/v1/learning/attempts/12/answers/3/",
    ],
)
def test_near_misses_go_to_the_web_pool(path):
    assert not autosave_pattern().search(path)


@pytest.mark.skipif(shutil.which("nginx", path="/usr/sbin:/usr/bin") is None, reason="no nginx")
def test_nginx_accepts_the_shipped_site(tmp_path):
    """`nginx -t` on the example site, with its certificate paths pointed at a made-up pair."""
    site = (DEPLOY / "sinergi.conf").read_text()
    site = site.replace(
        "/etc/nginx/snippets/sinergi-locations.conf", str(DEPLOY / "sinergi-locations.conf")
    )
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    made = subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=test"),
            *("-keyout", str(key), "-out", str(cert), "-days", "1"),
        ],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("no openssl to make a certificate")
    site = site.replace("/etc/ssl/certs/sinergi.pem", str(cert))
    site = site.replace("/etc/ssl/private/sinergi.key", str(key))
    site = site.replace("listen 80;", "listen 127.0.0.1:8;").replace(
        "listen 443", "listen 127.0.0.1:9"
    )
    config = tmp_path / "nginx.conf"
    temp = "".join(f"{kind}_temp_path {tmp_path / kind}; " for kind in ("client_body", "proxy"))
    config.write_text(
        f"pid {tmp_path / 'nginx.pid'}; error_log {tmp_path / 'error.log'};\n"
        f"events {{}}\nhttp {{ access_log off; {temp}\n{site}\n}}\n"
    )
    nginx = shutil.which("nginx", path="/usr/sbin:/usr/bin")
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
