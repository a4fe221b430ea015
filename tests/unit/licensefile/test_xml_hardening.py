from __future__ import annotations

import time

import pytest
from lxml import etree

from entitle.licensefile import (
    SELECTSERVER,
    BadSignature,
    LicenseFileError,
    MalformedLicense,
    TrustedIssuers,
    verify,
)
from entitle.licensefile.xmlsig import verify_xml
from tests.claims import NOW, make_claims

NS = "urn:entitle:license:1"
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE License [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<License xmlns="urn:entitle:license:1"><Machine>&xxe;</Machine></License>
"""
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b']>\n<License xmlns="urn:entitle:license:1"><Machine>&lol9;</Machine></License>\n'
)


@pytest.mark.parametrize("data", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtd_attacks_are_refused_quickly(data: bytes, trusted: TrustedIssuers) -> None:
    start = time.perf_counter()
    with pytest.raises(MalformedLicense):
        verify(data, trusted, now=NOW, machine_name=None)
    assert time.perf_counter() - start < 0.1


def test_a_doctype_in_a_validly_signed_file_is_refused(xml: bytes, trusted: TrustedIssuers) -> None:
    declaration, rest = xml.split(b"\n", 1)
    with_doctype = declaration + b"\n<!DOCTYPE License>\n" + rest
    with pytest.raises(MalformedLicense):
        verify(with_doctype, trusted, now=NOW, machine_name=None)


def test_the_parser_itself_refuses_a_doctype_the_byte_scan_cannot_see(
    trusted: TrustedIssuers,
) -> None:
    # UTF-16 hides the DOCTYPE from a byte scan; the parsed document still shows it.
    data = XXE.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16")
    start = time.perf_counter()
    with pytest.raises(MalformedLicense):
        verify_xml(data, trusted, NOW)
    assert time.perf_counter() - start < 0.1


def _tree(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def _bytes(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _verified_or_refused(data: bytes, trusted: TrustedIssuers) -> None:
    """A wrapped file is refused, or believed to say exactly what was signed."""
    try:
        claims = verify(data, trusted, now=NOW, machine_name=None)
    except LicenseFileError:
        return
    assert claims == make_claims(SELECTSERVER)


def test_an_extra_unsigned_license_inside_the_signed_one_is_refused(
    xml: bytes, trusted: TrustedIssuers
) -> None:
    root = _tree(xml)
    extra = etree.SubElement(root, f"{{{NS}}}License")
    etree.SubElement(extra, f"{{{NS}}}Machine").text = "WS-EVIL"
    with pytest.raises(BadSignature):
        verify(_bytes(root), trusted, now=NOW, machine_name="WS-EVIL")


def test_a_wrapper_around_the_signed_license_never_changes_the_claims(
    xml: bytes, trusted: TrustedIssuers
) -> None:
    original = _tree(xml)
    wrapper = etree.Element(f"{{{NS}}}License", nsmap={None: NS})
    forged = etree.fromstring(_bytes(original))
    forged.find(f"{{{NS}}}Machine").text = "WS-EVIL"
    forged.append(original.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    wrapper.append(forged)
    wrapper.append(original)
    _verified_or_refused(_bytes(wrapper), trusted)


def test_a_duplicate_claim_element_is_refused(xml: bytes, trusted: TrustedIssuers) -> None:
    root = _tree(xml)
    root.insert(0, etree.fromstring(f'<Machine xmlns="{NS}">WS-EVIL</Machine>'))
    with pytest.raises(LicenseFileError):
        verify(_bytes(root), trusted, now=NOW, machine_name="WS-EVIL")


def test_altered_text_is_a_bad_signature(xml: bytes, trusted: TrustedIssuers) -> None:
    altered = xml.replace(b"<Machine>WS-1</Machine>", b"<Machine>WS-2</Machine>")
    assert altered != xml
    with pytest.raises(BadSignature):
        verify(altered, trusted, now=NOW, machine_name="WS-2")


def test_a_comment_outside_the_claims_is_ignored_and_the_claims_stay_the_same(
    xml: bytes, trusted: TrustedIssuers
) -> None:
    commented = xml.replace(b"<Machine>", b"<!-- WS-EVIL --><Machine>")
    _verified_or_refused(commented, trusted)


def test_a_certificate_swapped_for_the_trusted_one_does_not_help_a_forger(
    xml: bytes, trusted: TrustedIssuers, other_signers: object
) -> None:
    from tests.unit.licensefile.conftest import Signers

    assert isinstance(other_signers, Signers)
    forged = other_signers.sign(make_claims(SELECTSERVER, machine_name="WS-EVIL"), "xml")
    certificate = ".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate"
    ours = [e.text for e in _tree(xml).iterfind(certificate)]
    theirs = [e.text for e in _tree(forged).iterfind(certificate)]
    assert len(ours) == len(theirs) == 2
    swapped = forged
    for mine, other in zip(ours, theirs, strict=True):
        assert mine
        assert other
        swapped = swapped.replace(other.encode(), mine.encode())
    with pytest.raises(BadSignature):
        verify(swapped, trusted, now=NOW, machine_name=None)
