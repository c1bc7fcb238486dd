"""Cryptographic signatures on offer PDFs (PAdES baseline B, pyHanko).

The certificate is named in settings: ``QUOTE_SIGNING_PKCS12`` (+ passphrase) when set,
otherwise ``QUOTE_SIGNING_CERT`` / ``QUOTE_SIGNING_KEY`` (PEM or DER files, optional
``QUOTE_SIGNING_CHAIN``). ``make run`` creates a self-signed development certificate at the
default paths (``manage.py quote_dev_cert``); production names a real one (README).
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

SELLER_FIELD = "Saljarens_signatur"
ACCEPTANCE_FIELD = "Kundens_godkannande"


class SigningNotConfigured(Exception):
    """No usable certificate: the message says which setting to fix."""


def _signer_settings() -> tuple:
    return (
        settings.QUOTE_SIGNING_PKCS12,
        settings.QUOTE_SIGNING_PKCS12_PASSPHRASE,
        settings.QUOTE_SIGNING_CERT,
        settings.QUOTE_SIGNING_KEY,
        settings.QUOTE_SIGNING_KEY_PASSPHRASE,
        tuple(settings.QUOTE_SIGNING_CHAIN),
    )


_cache: dict[tuple, signers.SimpleSigner] = {}


def signer_load() -> signers.SimpleSigner:
    """The signer named in settings (loaded once per distinct configuration)."""
    key = _signer_settings()
    if key in _cache:
        return _cache[key]
    pkcs12, pkcs12_pass, cert, private_key, key_pass, chain = key
    if pkcs12:
        if not Path(pkcs12).is_file():
            raise SigningNotConfigured(f"QUOTE_SIGNING_PKCS12: filen {pkcs12} finns inte.")
        signer = signers.SimpleSigner.load_pkcs12(
            pkcs12, ca_chain_files=chain or None, passphrase=pkcs12_pass.encode() or None
        )
        if signer is None:
            raise SigningNotConfigured(
                "QUOTE_SIGNING_PKCS12 kunde inte läsas (fel lösenfras eller fel format)."
            )
    else:
        for name, path in (("QUOTE_SIGNING_CERT", cert), ("QUOTE_SIGNING_KEY", private_key)):
            if not path or not Path(path).is_file():
                raise SigningNotConfigured(
                    f"{name}: filen {path or '(tom)'} finns inte. Kör `make run` (skapar ett "
                    "utvecklingscertifikat) eller ange ett riktigt certifikat (README)."
                )
        signer = signers.SimpleSigner.load(
            private_key, cert, ca_chain_files=chain or None, key_passphrase=key_pass.encode() or None
        )
        if signer is None:
            raise SigningNotConfigured(
                "QUOTE_SIGNING_CERT/QUOTE_SIGNING_KEY kunde inte läsas (fel format eller lösenfras)."
            )
    _cache.clear()
    _cache[key] = signer
    return signer


def pdf_sign(pdf: bytes, *, field_name: str, reason: str, name: str, location: str = "") -> bytes:
    """Sign ``pdf`` (PAdES baseline B) in a new, invisible signature field."""
    signer = signer_load()
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        name=name,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


def pdf_signatures_validate(pdf: bytes, *, trust_roots: list) -> list:
    """Validate every signature of ``pdf`` against ``trust_roots`` (asn1crypto
    certificates); returns pyHanko's status objects (``bottom_line`` is the verdict)."""
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    context = ValidationContext(trust_roots=trust_roots, allow_fetching=False)
    return [validate_pdf_signature(sig, context) for sig in reader.embedded_signatures]


def signing_certificate():
    """The signer's certificate (asn1crypto), e.g. as the trust root when validating."""
    return signer_load().signing_cert


# --- Development certificate ------------------------------------------------------------


def dev_certificate_create(
    *, cert_path: Path, key_path: Path, common_name: str = "Smart Connect offertverktyg (utveckling)"
) -> None:
    """Write a self-signed RSA certificate (10 years) and its unencrypted key as PEM.

    For development and tests only: a PDF signed with it validates against this very
    certificate, never against a public trust list."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.SELLER_COMPANY["name"]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.timezone.utc)
    document_signing = ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([document_signing, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
