"""Sinergi's own signing keys: RSA 2048, private halves encrypted at rest, published as a JWKS.

The encryption key is derived from SECRET_KEY (HKDF-SHA256), so a database dump alone does not
give the private keys away. Changing SECRET_KEY makes the stored keys unreadable: rotate then
(`manage.py lti_rotate_key`) and the platforms fetch the new public key from the JWKS.
"""

import base64
import json
import secrets
from datetime import timedelta

import jwt
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import ToolKey

ALGORITHM = "RS256"


def _fernet() -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"sinergi.lti.tool-keys"
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def key_material_new() -> tuple[str, str, str]:
    """Return a new key's id, its public PEM and its encrypted private PEM."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return secrets.token_hex(16), public_pem.decode(), _fernet().encrypt(private_pem).decode()


def private_key(key: ToolKey):
    return serialization.load_pem_private_key(
        _fernet().decrypt(key.private_encrypted.encode()), password=None
    )


def grace_period() -> timedelta:
    return timedelta(days=settings.SINERGI_LTI_KEY_GRACE_DAYS)


def published_keys():
    """The keys the JWKS shows: the current ones and those retired within the grace period."""
    since = timezone.now() - grace_period()
    return ToolKey.objects.filter(Q(retired_at__isnull=True) | Q(retired_at__gt=since))


def public_jwk(key: ToolKey) -> dict:
    public = serialization.load_pem_public_key(key.public_pem.encode())
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
    # `use` says what the key is for; RFC 7517 asks not to repeat it as `key_ops`.
    jwk.pop("key_ops", None)
    return {**jwk, "kid": key.kid, "alg": ALGORITHM, "use": "sig"}


def jwks() -> dict:
    """The public keys to verify Sinergi's signatures with (the first key is made here, so a
    platform can fetch the keyset before Sinergi has signed anything)."""
    from .services import tool_key_current

    tool_key_current()
    return {"keys": [public_jwk(key) for key in published_keys()]}


def sign(claims: dict) -> str:
    """Sign `claims` with the current key (made on first use)."""
    from .services import tool_key_current

    key = tool_key_current()
    return jwt.encode(claims, private_key(key), algorithm=ALGORITHM, headers={"kid": key.kid})
