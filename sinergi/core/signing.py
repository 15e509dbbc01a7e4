"""PAdES signatures on the documents Sinergi issues (certificates, clearance letters, receipts).

Each document is signed with the library's key (pyHanko) in an incremental update, so the
PDF/A metadata and the embedded fonts of the signed document stay as they were. The signature
is a CAdES detached signature (SubFilter ETSI.CAdES.detached, PAdES baseline), with the
signing time in the signature dictionary, a visible field drawn in the embedded DejaVu Sans,
and the chain's certificates and whatever revocation information can be had embedded in the
document security store (DSS). With a time-stamping authority configured the signature is
time-stamped (B-T) and, with the revocation information, long-term (B-LT).

The key comes from the environment (see docs/CERTIFICATES.md): a PKCS#12 file
(SINERGI_SIGNING_PKCS12 and its passphrase) or a PEM key, certificate and chain. Under
DEBUG, when none is configured, the development key `manage.py signing_dev_key` made in
var/signing/ is used: its self-signed chain says DEVELOPMENT in every name, and no reader
trusts it.
"""

import asyncio
import concurrent.futures
import datetime
import io
import logging
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import pdf as core_pdf

DEVELOPMENT_FILE = "development.p12"
DEVELOPMENT_MARK = "DEVELOPMENT"


@dataclass(frozen=True)
class Placement:
    """Where a document's visible signature goes: page index (-1 the last) and box in pt."""

    field_name: str
    box: tuple[int, int, int, int]
    page: int = 0


@dataclass
class DocumentSigner:
    """The library's key, its chain and what validating it needs, loaded once a process."""

    signer: object
    validation_context: object
    timestamper: object | None
    development: bool
    # Hex digits kept for the signature container: twice the bytes of the certificates it
    # carries, the signature and its attributes, and a time-stamp token. Given, pyHanko
    # does not make a trial signature to measure it (a third of the cost of each signature).
    reserve: int = 16384
    roots: tuple = ()


def _outside_event_loop(function, *args, **kwargs):
    """Call `function`, in a worker thread when this thread runs an asyncio event loop:
    pyHanko's synchronous API calls asyncio.run, which refuses to run inside one (an async
    caller, a browser test driving Playwright)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def development_path() -> Path:
    return Path(settings.VAR_DIR) / "signing" / DEVELOPMENT_FILE


def _files() -> tuple[str, str, str, list[str]]:
    return (
        settings.SINERGI_SIGNING_PKCS12,
        settings.SINERGI_SIGNING_KEY,
        settings.SINERGI_SIGNING_CERT,
        list(settings.SINERGI_SIGNING_CHAIN),
    )


def signer_get() -> DocumentSigner | None:
    """Return the configured signer, the development one under DEBUG, or None (unsigned)."""
    pkcs12, key, cert, chain = _files()
    development = False
    if not (pkcs12 or key):
        candidate = development_path()
        if not (settings.DEBUG or settings.SINERGI_SIGNING_DEVELOPMENT) or not candidate.exists():
            return None
        pkcs12, development = str(candidate), True
    return _load(
        pkcs12,
        key,
        cert,
        tuple(chain),
        settings.SINERGI_SIGNING_PASSPHRASE,
        tuple(settings.SINERGI_SIGNING_TRUST_ROOTS),
        settings.SINERGI_SIGNING_TSA_URL,
        settings.SINERGI_SIGNING_FETCH_REVOCATION,
        development,
    )


@cache
def _load(
    pkcs12, key, cert, chain, passphrase, trust_roots, tsa_url, fetch, development
) -> DocumentSigner:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.sign import signers, timestamps
    from pyhanko_certvalidator import ValidationContext

    secret = passphrase.encode() if passphrase else None
    if pkcs12:
        signer = signers.SimpleSigner.load_pkcs12(pkcs12, passphrase=secret)
    else:
        signer = signers.SimpleSigner.load(key, cert, ca_chain_files=chain, key_passphrase=secret)
    if signer is None:
        raise ImproperlyConfigured("The signing key could not be read (check the passphrase).")
    roots = [load_cert_from_pemder(path) for path in trust_roots]
    certificates = list(signer.cert_registry)
    if not roots:
        # The chain's self-signed certificate: where the library's own chain ends.
        roots = [c for c in certificates if c.subject == c.issuer] or [signer.signing_cert]
    context = ValidationContext(
        trust_roots=roots,
        other_certs=certificates,
        allow_fetching=fetch and not development,
        revocation_mode="soft-fail",
    )
    timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
    certificates_size = sum(len(c.dump()) for c in certificates)
    reserve = 2 * (certificates_size + 4096 + (16384 if timestamper else 0))
    return DocumentSigner(signer, context, timestamper, development, reserve, tuple(roots))


@cache
def _stamp_font():
    """DejaVu Sans for the signature's appearance, cut to Latin and scaled to 1000 units per
    em: pyHanko writes a font's glyph widths unscaled, so DejaVu's 2048 set the text at
    twice its spacing. Made once a process, in the temporary folder."""
    import hashlib
    import tempfile

    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    source = core_pdf.FONT_DIR / core_pdf.FILES[core_pdf.SANS]
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"sinergi-stamp-{digest}-2.ttf"
    # fontTools reports every subset it cuts (pyHanko cuts one per signature) at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    if not target.exists():
        font = TTFont(source)
        # Small, so that pyHanko's subsetting of it for each signature stays cheap: Latin
        # letters and the punctuation a name and a time need, no hinting or layout tables.
        options = Options()
        options.layout_features = []
        options.hinting = False
        options.drop_tables += ["MATH", "GPOS", "GSUB", "GDEF", "kern"]
        subsetter = Subsetter(options)
        subsetter.populate(unicodes=[*range(0x20, 0x180), *range(0x1E00, 0x1F00), 0x2013])
        subsetter.subset(font)
        scale_upem(font, 1000)
        partial = target.with_suffix(f".{uuid.uuid4().hex}.tmp")
        font.save(partial)
        partial.replace(target)
    return GlyphAccumulatorFactory(str(target))


def pdf_sign(
    content: bytes,
    *,
    placement: Placement,
    reason: str,
    location: str = "",
    signer: DocumentSigner | None = None,
) -> bytes:
    """Return `content` signed (PAdES) with a visible field, or unchanged when no key is
    configured. The signature covers the whole document as given."""
    signer = signer or signer_get()
    if signer is None:
        return content
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    lines = ["Ditandatangani secara elektronik", "%(signer)s", "%(ts)s"]
    if signer.development:
        lines.append("KUNCI PENGEMBANGAN - TIDAK SAH")
    style = TextStampStyle(
        stamp_text="\n".join(lines),
        text_box_style=TextBoxStyle(font=_stamp_font(), font_size=6),
        border_width=1,
        timestamp_format="%Y-%m-%d %H:%M:%S %Z",
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=placement.field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or settings.SINERGI_DOCUMENT_PLACE,
        # Validation information (the chain, OCSP responses, CRLs) goes into a DSS after the
        # signature. A development chain has no revocation information to give: without a
        # DSS the signature covers the whole file.
        embed_validation_info=not signer.development,
        validation_context=signer.validation_context,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=signer.signer,
        timestamper=signer.timestamper,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(
            placement.field_name, on_page=placement.page, box=placement.box
        ),
    )
    signed = _outside_event_loop(pdf_signer.sign_pdf, writer, bytes_reserved=signer.reserve)
    return signed.getvalue()


def development_key_create(*, path: Path, organisation: str, days: int = 3 * 365) -> Path:
    """Write a development key with a self-signed two-certificate chain to `path` (PKCS#12,
    no passphrase); every name says DEVELOPMENT, so nobody mistakes it for the real one."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)

    def name(common: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                x509.NameAttribute(
                    NameOID.ORGANIZATION_NAME, f"{organisation} ({DEVELOPMENT_MARK})"
                ),
                x509.NameAttribute(NameOID.COMMON_NAME, common),
            ]
        )

    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = name(f"Sinergi {DEVELOPMENT_MARK} Root CA - not trusted")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name(f"{organisation[:40]} - {DEVELOPMENT_MARK} signing key"))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pkcs12.serialize_key_and_certificates(
        b"sinergi-development", key, leaf, [root], serialization.NoEncryption()
    )
    path.write_bytes(data)
    path.chmod(0o600)
    (path.parent / "development-root.pem").write_bytes(
        root.public_bytes(serialization.Encoding.PEM)
    )
    _load.cache_clear()
    return path


BADGE_DEVELOPMENT_FILE = "badge-development.pem"


def badge_development_path() -> Path:
    return Path(settings.VAR_DIR) / "signing" / BADGE_DEVELOPMENT_FILE


def badge_development_key_create(*, path: Path) -> Path:
    """Write a new Ed25519 development key (PEM PKCS#8, no passphrase) for Open Badges
    credentials (certificates/badges.py) to `path`."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return path


@dataclass(frozen=True)
class SignatureCheck:
    """What a signed PDF's last signature says, judged against the library's own chain."""

    signed: bool
    intact: bool = False
    trusted: bool = False
    signer: str = ""
    signed_at: datetime.datetime | None = None
    reason: str = ""

    @property
    def genuine(self) -> bool:
        return self.signed and self.intact and self.trusted


def pdf_signature_check(content: bytes) -> SignatureCheck:
    """Validate the last signature of `content` (pyHanko) against the roots the library signs
    under; a change after signing other than added validation information is not intact."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    signer = signer_get()
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError):
        return SignatureCheck(signed=False)
    if not signatures:
        return SignatureCheck(signed=False)
    embedded = signatures[-1]
    roots = list(signer.roots) if signer else []
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    reason = str(embedded.sig_object.get("/Reason", ""))
    try:
        status = _outside_event_loop(validate_pdf_signature, embedded, context)
    except (SignatureValidationError, PdfReadError, ValueError, KeyError):
        return SignatureCheck(signed=True, reason=reason)
    # None: nothing after the signature's revision to judge.
    unchanged = status.modification_level in (
        None,
        ModificationLevel.NONE,
        ModificationLevel.LTA_UPDATES,
    )
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid and unchanged and status.docmdp_ok is not False),
        trusted=bool(status.trusted) and bool(roots),
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
        signed_at=embedded.self_reported_timestamp,
        reason=reason,
    )
