"""The signed acknowledgement of receipt: a PDF the officer files, checkable with openssl."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from lawdesk.cases.models import Case
from lawdesk.cli import app
from lawdesk.core import keys
from tests.factories import ApiClient, login

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


@pytest.fixture
def downloaded(client, submit, officer, tmp_path):
    case: Case = submit()
    login(client, officer.user if hasattr(officer, "user") else officer)
    page = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert f"/portal/cases/{case.pk}/acknowledgement.pdf" in page
    pdf = client.get(f"/portal/cases/{case.pk}/acknowledgement.pdf")
    sig = client.get(f"/portal/cases/{case.pk}/acknowledgement.pdf.sig")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert sig.status_code == 200 and len(sig.content) == 64
    files = {"pdf": tmp_path / f"{case.number}-acknowledgement.pdf",
             "sig": tmp_path / f"{case.number}-acknowledgement.pdf.sig", "key": tmp_path / "key.pem"}
    files["pdf"].write_bytes(pdf.content)
    files["sig"].write_bytes(sig.content)
    files["key"].write_bytes(client.get("/keys/receipt.pem").content)
    receipt = client.get(f"/portal/cases/{case.pk}/receipt.json").content
    return case, files, receipt


def test_the_acknowledgement_states_receipt_deadline_basis_and_hash(downloaded):
    case, files, receipt = downloaded
    text = pdf_text(files["pdf"].read_bytes())
    assert "Acknowledgement of receipt" in text
    assert case.number in text
    assert f"{case.received_at:%Y-%m-%d %H:%M:%S} UTC" in text
    assert f"{case.deadline_at:%Y-%m-%d %H:%M:%S} UTC" in text
    # The basis in words, not the engine's keys.
    assert "EU e-Evidence Regulation, Regulation (EU) 2023/1543, Art. 10(2)" in text and "days of receipt" in text
    assert "eu_eevidence" not in text and case.deadline_rule not in text
    # The hash of what was received: the receipt JSON the officer also downloads.
    assert hashlib.sha256(receipt).hexdigest() == case.receipt_sha256
    assert case.receipt_sha256 in text.replace(" ", "")
    assert case.attachments.get().sha256 in text.replace(" ", "")


def test_a_french_authoritys_acknowledgement_is_in_french_then_english(downloaded, client):
    """The French agency's acknowledgement: the French version first, then the English one —
    the same signed bytes whoever downloads it, in whatever language their browser asks."""
    case, files, _receipt = downloaded
    assert case.agency.country == "FR"
    text = pdf_text(files["pdf"].read_bytes())
    french, _sep, english = text.partition("VERSION IN ENGLISH")  # (the label is in capitals)
    assert english, text
    assert "Accusé de réception" in french and "Acknowledgement of receipt" not in french
    assert f"a enregistrée sous le numéro d'affaire {case.number}" in french
    assert "Règlement (UE) 2023/1543, art. 10, § 2" in french
    assert "à compter de la réception" in french
    assert "Acknowledgement of receipt" in english and "days of receipt" in english
    assert "Regulation (EU) 2023/1543, Art. 10(2)" in english
    again = client.get(f"/portal/cases/{case.pk}/acknowledgement.pdf",
                       headers={"Accept-Language": "en"}).content
    assert again == files["pdf"].read_bytes()


def test_openssl_and_lawdesk_verify_the_signature(downloaded):
    _, files, _ = downloaded
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    ok = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(files["key"]),
                         "-rawin", "-in", str(files["pdf"]), "-sigfile", str(files["sig"])],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "Signature Verified Successfully" in ok.stdout, ok.stderr
    result = CliRunner().invoke(app, ["verify-receipt", str(files["pdf"]),
                                      "--public-key", str(files["key"])])
    assert result.exit_code == 0 and "VALID" in result.output, result.output
    # One changed byte and both refuse.
    data = bytearray(files["pdf"].read_bytes())
    data[len(data) // 2] ^= 1
    files["pdf"].write_bytes(bytes(data))
    bad = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(files["key"]),
                          "-rawin", "-in", str(files["pdf"]), "-sigfile", str(files["sig"])],
                         capture_output=True, text=True)
    assert bad.returncode != 0
    result = CliRunner().invoke(app, ["verify-receipt", str(files["pdf"]),
                                      "--public-key", str(files["key"])])
    assert result.exit_code == 1 and "NOT VALID" in result.output


def test_every_download_is_the_same_document(client, downloaded):
    case, files, _ = downloaded
    again = client.get(f"/portal/cases/{case.pk}/acknowledgement.pdf").content
    assert again == files["pdf"].read_bytes()


def test_another_agency_gets_404(client, submit, make_agency, make_officer):
    case = submit()
    login(client, make_officer(make_agency(name="Other agency")))
    for suffix in ("acknowledgement.pdf", "acknowledgement.pdf.sig"):
        assert client.get(f"/portal/cases/{case.pk}/{suffix}").status_code == 404


def test_the_api_offers_the_same_signed_pdf(submit, officer, now, tmp_path):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from lawdesk.api.tokens import create_token

    case = submit()
    _, token = create_token(officer_user=officer, name="case system", now=now)
    api = ApiClient(token)
    pdf = api.get(f"/api/v1/requests/{case.pk}/acknowledgement.pdf")
    sig = api.get(f"/api/v1/requests/{case.pk}/acknowledgement.pdf.sig")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf", pdf.content[:300]
    load_pem_public_key(keys.public_key_pem("receipt")).verify(sig.content, pdf.content)  # type: ignore[union-attr]
    # One key per purpose: the package key does not verify an acknowledgement.
    from cryptography.exceptions import InvalidSignature

    with pytest.raises(InvalidSignature):
        load_pem_public_key(keys.public_key_pem("package")).verify(sig.content, pdf.content)  # type: ignore[union-attr]
    assert ApiClient(None).get(f"/api/v1/requests/{case.pk}/acknowledgement.pdf").status_code == 401
