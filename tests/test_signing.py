"""PAdES signatures: they validate with pyHanko against the certificate that signed, and
stop validating when the PDF is changed afterwards."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.management import call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from quotes.customer.services import quote_accept

from quotes.offer.services import quote_sign

from quotes.offer.storage import stored_bytes
from quotes.offer.signing import SigningNotConfigured, pdf_sign, pdf_signatures_validate, signer_load

from .doc_support import doc_env, signing_cert, trust_root  # noqa: F401
from .factories import QuoteFactory


@pytest.fixture
def signed(doc_env, seller, price_list):
    return quote_sign(quote=QuoteFactory(owner=seller), user=seller)


def test_the_signed_offer_validates_against_the_development_certificate(signed, signing_cert):
    (status,) = pdf_signatures_validate(stored_bytes(signed.pdf), trust_roots=[trust_root(signing_cert[0])])
    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "Testcertifikat" in status.signing_cert.subject.human_friendly
    reader = PdfFileReader(BytesIO(stored_bytes(signed.pdf)))
    (embedded,) = reader.embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert embedded.field_name == "Saljarens_signatur"


def test_an_untrusted_certificate_does_not_validate(signed, tmp_path):
    from quotes.offer.signing import dev_certificate_create

    other_cert, other_key = tmp_path / "other.pem", tmp_path / "other-key.pem"
    dev_certificate_create(cert_path=other_cert, key_path=other_key)
    (status,) = pdf_signatures_validate(stored_bytes(signed.pdf), trust_roots=[trust_root(other_cert)])
    assert status.intact and not status.trusted and not status.bottom_line


def test_a_byte_changed_after_signing_breaks_the_signature(signed, signing_cert):
    data = bytearray(stored_bytes(signed.pdf))
    position = data.find(b"/Producer")  # in the signed revision's document information
    assert position > 0
    data[position + 12] ^= 0x01
    (status,) = pdf_signatures_validate(bytes(data), trust_roots=[trust_root(signing_cert[0])])
    assert not status.intact and not status.bottom_line


def test_content_added_after_signing_is_detected(signed, signing_cert):
    """An incremental update that changes page 1 (here: new content) after signing."""
    writer = IncrementalPdfFileWriter(BytesIO(stored_bytes(signed.pdf)), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (Rabatt 90 procent) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    (status,) = pdf_signatures_validate(out.getvalue(), trust_roots=[trust_root(signing_cert[0])])
    assert status.intact  # the signed revision itself is untouched …
    assert not status.bottom_line  # … but the document was modified after signing
    assert status.coverage.name != "ENTIRE_FILE"


def test_the_accepted_offer_is_a_new_signed_document_with_the_original_attached(signed, signing_cert):
    accepted = quote_accept(quote=signed, name="Erik Lind", title="Vd", ip="192.0.2.1", user_agent="UA")
    data = stored_bytes(accepted.accepted_pdf)
    (status,) = pdf_signatures_validate(data, trust_roots=[trust_root(signing_cert[0])])
    assert status.bottom_line
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    (attached,) = reader.attachments[f"Offert-{signed.number}-A-signerad.pdf"]
    assert attached == stored_bytes(signed.pdf)  # the original, byte for byte, still valid
    (original,) = pdf_signatures_validate(attached, trust_roots=[trust_root(signing_cert[0])])
    assert original.bottom_line


def test_pkcs12_certificates_sign_too(doc_env, signing_cert, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    cert = load_pem_x509_certificate(signing_cert[0].read_bytes())
    key = serialization.load_pem_private_key(signing_cert[1].read_bytes(), password=None)
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"seal", key, cert, None, serialization.BestAvailableEncryption(b"hemligt")
        )
    )
    doc_env.QUOTE_SIGNING_PKCS12 = str(p12)
    doc_env.QUOTE_SIGNING_PKCS12_PASSPHRASE = "hemligt"
    from weasyprint import HTML

    signed = pdf_sign(HTML(string="<p>Hej</p>").write_pdf(), field_name="T", reason="Test", name="Test")
    (status,) = pdf_signatures_validate(signed, trust_roots=[trust_root(signing_cert[0])])
    assert status.bottom_line

    doc_env.QUOTE_SIGNING_PKCS12_PASSPHRASE = "fel"
    with pytest.raises(SigningNotConfigured):
        signer_load()


def test_a_missing_certificate_is_a_clear_error(doc_env, tmp_path):
    doc_env.QUOTE_SIGNING_CERT = str(tmp_path / "saknas.pem")
    with pytest.raises(SigningNotConfigured, match="QUOTE_SIGNING_CERT"):
        signer_load()


def test_quote_dev_cert_creates_a_certificate_once(settings, tmp_path):
    settings.QUOTE_SIGNING_PKCS12 = ""
    settings.QUOTE_SIGNING_CERT = str(tmp_path / "signing" / "dev-cert.pem")
    settings.QUOTE_SIGNING_KEY = str(tmp_path / "signing" / "dev-key.pem")
    call_command("quote_dev_cert")
    first = (tmp_path / "signing" / "dev-cert.pem").read_bytes()
    assert b"BEGIN CERTIFICATE" in first
    assert oct((tmp_path / "signing" / "dev-key.pem").stat().st_mode)[-3:] == "600"
    call_command("quote_dev_cert")  # an existing certificate is kept
    assert (tmp_path / "signing" / "dev-cert.pem").read_bytes() == first
    assert signer_load().signing_cert.subject.native["common_name"].startswith("Smart Connect")


def test_the_signatures_name_the_supplier_the_offer_names(doc_env, seller, price_list):
    """The admin's offer terms name the supplier (``OfferTerms``): the seller's signature's
    location and the acceptance signature's signer are that name, not a setting."""
    from quotes.models import OfferTerms

    OfferTerms.objects.update(supplier_name="Telia Företag Test AB")
    signed = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    (embedded,) = PdfFileReader(BytesIO(stored_bytes(signed.pdf))).embedded_signatures
    assert embedded.sig_object["/Location"] == "Telia Företag Test AB"
    accepted = quote_accept(quote=signed, name="Erik Lind", title="Vd", ip="192.0.2.1", user_agent="UA")
    last = PdfFileReader(BytesIO(stored_bytes(accepted.accepted_pdf))).embedded_signatures[-1]
    assert last.sig_object["/Name"] == "Telia Företag Test AB"
