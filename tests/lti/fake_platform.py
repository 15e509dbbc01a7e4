"""A fake LTI 1.3 platform (what a partner's Moodle does) for protocol tests.

It has its own RSA key pair and serves its JWKS, an OAuth2 token endpoint that verifies
Sinergi's client assertion against Sinergi's real /lti/jwks, a paged roster (NRPS) and a line
item's scores endpoint (AGS), all through an httpx MockTransport. Nothing is mocked on
Sinergi's side: the JWTs are signed and verified for real.
"""

import json
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.utils import translation

ISSUER = "https://moodle.mitra.test"
CLIENT_ID = "sinergi-tool-7"
DEPLOYMENT_ID = "3"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LINEITEM = ISSUER + "/mod/lti/services.php/2/lineitems/9/lineitem?type_id=4"
MEMBERSHIPS = ISSUER + "/mod/lti/services.php/CourseSection/2/bindings/4/memberships"


class FakePlatform:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "moodle-key-1"
        self.requests: list[httpx.Request] = []
        self.scores: list[dict] = []
        self.tokens_issued: list[str] = []
        self.roster: list[list[dict]] = []
        self.fail_jwks = False
        self.fail_scores = 0

    # --- what the registry needs

    def registration(self) -> dict:
        return {
            "name": "Moodle Mitra",
            "issuer": ISSUER,
            "client_id": CLIENT_ID,
            "auth_login_url": ISSUER + "/mod/lti/auth.php",
            "auth_token_url": ISSUER + "/mod/lti/token.php",
            "jwks_url": ISSUER + "/mod/lti/certs.php",
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    # --- tokens it signs

    def id_token(self, *, nonce: str | None, key=None, **overrides) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "moodle-user-12",
            "iat": now,
            "exp": now + 60,
            "nonce": nonce,
            "email": "pustakawan@unj.test",
            "name": "Siti Rahma",
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": DEPLOYMENT_ID,
            LTI + "target_link_uri": "http://127.0.0.1:8000/lti/launch/",
            LTI + "resource_link": {"id": "rl-55", "title": "Kelas Sinergi"},
            LTI + "roles": [MEMBERSHIP + "Learner"],
            LTI + "context": {"id": "course-2", "title": "Diklat Katalogisasi"},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitem": LINEITEM,
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": MEMBERSHIPS,
                "service_versions": ["2.0"],
            },
        }
        if nonce is None:
            del claims["nonce"]
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    # --- the HTTP side

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle), timeout=5)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        if url.startswith(ISSUER + "/mod/lti/certs.php"):
            if self.fail_jwks:
                return httpx.Response(500, text="down")
            return httpx.Response(200, json=self.jwks())
        if url.startswith(ISSUER + "/mod/lti/token.php"):
            return self._token(request)
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in self.tokens_issued:
            return httpx.Response(401, json={"error": "invalid token"})
        if url.startswith(MEMBERSHIPS):
            return self._roster(request)
        if url.startswith(LINEITEM.split("?")[0] + "/scores"):
            assert request.headers["Content-Type"] == "application/vnd.ims.lis.v1.score+json"
            assert urlsplit(url).query == "type_id=4"
            if self.fail_scores:
                self.fail_scores -= 1
                return httpx.Response(503, text="busy")
            self.scores.append(json.loads(request.content))
            return httpx.Response(200)
        return httpx.Response(404)

    def _token(self, request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        assert form["grant_type"] == "client_credentials"
        assert (
            form["client_assertion_type"]
            == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        )
        # Verify Sinergi's assertion with Sinergi's published keys, as Moodle does.
        # (A request inside a request: keep the outer one's language.)
        with translation.override(translation.get_language()):
            tool_jwks = jwt.PyJWKSet.from_dict(Client().get("/lti/jwks").json())
        kid = jwt.get_unverified_header(form["client_assertion"])["kid"]
        claims = jwt.decode(
            form["client_assertion"],
            tool_jwks[kid].key,
            algorithms=["RS256"],
            audience=ISSUER + "/mod/lti/token.php",
            issuer=CLIENT_ID,
        )
        assert claims["sub"] == CLIENT_ID and claims["jti"]
        token = "tok-" + secrets.token_hex(8)
        self.tokens_issued.append(token)
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": form["scope"],
            },
        )

    def _roster(self, request) -> httpx.Response:
        assert request.headers["Accept"] == (
            "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
        )
        page = int(request.url.params.get("page", "0"))
        headers = {}
        if page + 1 < len(self.roster):
            headers["Link"] = f'<{MEMBERSHIPS}?page={page + 1}>; rel="next"'
        body = {"id": MEMBERSHIPS, "context": {"id": "course-2"}, "members": self.roster[page]}
        return httpx.Response(200, json=body, headers=headers)
