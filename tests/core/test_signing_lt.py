"""PAdES B-LT end to end, offline: a chain with a CRL and a time-stamping authority made here.

No real CA's OCSP responder or TSA is reachable from the test machines, so the test builds the
parts a CA would run: a root that issues the library's signing certificate and a TSA
certificate and publishes a CRL. `pdf_sign` then signs with the time-stamp (B-T) and embeds the
chain and the CRL in the DSS (B-LT). pyHanko's LTV validator judges the result with
*only* what the PDF carries: a validation context made from its DSS, with the root as the one
trust anchor, no fetching and revocation checking hard-fail, and pdfsig checks it
too; a changed byte is caught.
"""

import datetime
import io

import pikepdf
from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from sinergi.certificates.pdf import SIGNATURE_PLACEMENT
from sinergi.core import signing

from ..pdfcheck import pdfsig
from .test_pdf_fonts import certificate

NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sinergi test CA"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _issue(subject_key, subject: str, issuer_key, issuer: x509.Name, *, ca=False, eku=None):
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca and eku is None,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    )
    if not ca:
        # Where a verifier would fetch the CRL; never fetched here, the PDF carries it.
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier("http://crl.sinergi.invalid/root.crl")],
                        None,
                        None,
                        None,
                    )
                ]
            ),
            False,
        )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _asn1_cert(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def ca_parts():
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Sinergi test root")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=2))
        .not_valid_after(NOW + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    signer_key = ec.generate_private_key(ec.SECP256R1())
    leaf = _issue(signer_key, "Perpustakaan UPI signing key", root_key, root_name)
    # pyHanko's in-process TSA signs with RSA only.
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = _issue(
        tsa_key, "Sinergi test TSA", root_key, root_name, eku=ExtendedKeyUsageOID.TIME_STAMPING
    )
    revocations = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root_name)
        .last_update(NOW - datetime.timedelta(hours=1))
        .next_update(NOW + datetime.timedelta(days=7))
        .add_extension(x509.CRLNumber(1), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    crl = asn1_crl.CertificateList.load(revocations.public_bytes(serialization.Encoding.DER))
    return (
        _asn1_cert(root),
        (_asn1_cert(leaf), _asn1_key(signer_key)),
        (_asn1_cert(tsa), _asn1_key(tsa_key)),
        crl,
    )


def lt_signer() -> tuple[signing.DocumentSigner, asn1_x509.Certificate]:
    root, (leaf, leaf_key), (tsa, tsa_key), crl = ca_parts()
    signer = signers.SimpleSigner(
        signing_cert=leaf,
        signing_key=leaf_key,
        cert_registry=SimpleCertificateStore.from_certs([root, leaf]),
    )
    context = ValidationContext(
        trust_roots=[root],
        other_certs=[leaf, tsa],
        crls=[crl],
        allow_fetching=False,
        revocation_mode="hard-fail",
    )
    stamper = DummyTimeStamper(
        tsa_cert=tsa, tsa_key=tsa_key, certs_to_embed=SimpleCertificateStore.from_certs([root])
    )
    document_signer = signing.DocumentSigner(
        signer, context, stamper, development=False, reserve=40000, roots=(root,)
    )
    return document_signer, root


def judge_from_dss(reader, embedded, root):
    """Validate with a context built from the PDF's DSS alone (hard-fail revocation)."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # no DSS at all
        context = ValidationContext(
            trust_roots=[root], allow_fetching=False, revocation_mode="hard-fail"
        )
    else:
        context = dss.as_validation_context(
            {"trust_roots": [root], "allow_fetching": False, "revocation_mode": "hard-fail"}
        )
    return signing._outside_event_loop(validate_pdf_signature, embedded, context)


def test_a_certificate_signed_b_lt_validates_from_what_it_carries(settings):
    settings.SINERGI_SIGNING_DEVELOPMENT = False
    document_signer, root = lt_signer()
    unsigned = certificate("Dewi Lestari")  # no key configured: returned unsigned
    assert "does not contain any signatures" in pdfsig(unsigned)
    content = signing.pdf_sign(
        unsigned,
        placement=SIGNATURE_PLACEMENT,
        reason="Sertifikat 001/SERT/2026",
        signer=document_signer,
    )

    with pikepdf.open(io.BytesIO(content)) as pdf:
        dss = pdf.Root.DSS
        assert len(dss.CRLs) >= 1 and len(dss.Certs) >= 2
    reader = PdfFileReader(io.BytesIO(content))
    (embedded,) = reader.embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    # Only the root is given; the chain, the CRL and the time-stamp come out of the PDF.
    status = judge_from_dss(reader, embedded, root)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.timestamp_validity is not None and status.timestamp_validity.valid
    report = pdfsig(content)
    assert "Signature Validation: Signature is Valid." in report, report
    # The DSS is a revision after the signature: the normal state of a B-LT file.
    assert "Not total document signed" in report

    changed = bytearray(content)
    at = changed.index(b"/Title")
    changed[at + 1] = ord("t")
    assert "Signature is Valid." not in pdfsig(bytes(changed))
    broken = PdfFileReader(io.BytesIO(bytes(changed)), strict=False)
    (embedded,) = broken.embedded_signatures
    status = judge_from_dss(broken, embedded, root)
    assert not status.intact


def test_without_the_crl_the_lt_validation_refuses(settings):
    """The negative control: the same signing without revocation data is not B-LT."""
    settings.SINERGI_SIGNING_DEVELOPMENT = False
    document_signer, root = lt_signer()
    document_signer.validation_context = ValidationContext(
        trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail"
    )
    content = signing.pdf_sign(
        certificate("Dewi Lestari"),
        placement=SIGNATURE_PLACEMENT,
        reason="Sertifikat 001/SERT/2026",
        signer=document_signer,
    )
    reader = PdfFileReader(io.BytesIO(content))
    (embedded,) = reader.embedded_signatures
    status = judge_from_dss(reader, embedded, root)
    assert status.intact and status.valid
    assert not status.trusted, "with no CRL in the PDF, hard-fail revocation checking must refuse"
