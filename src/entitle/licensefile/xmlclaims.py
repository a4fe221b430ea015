"""The claims as readable XML elements of ``<License xmlns="urn:entitle:license:1">``."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from entitle.licensefile.claims import ClaimsError, LicenseClaims

if TYPE_CHECKING:
    from lxml import etree  # type: ignore[import-untyped]

NS = "urn:entitle:license:1"
_TIME = "%Y-%m-%dT%H:%M:%SZ"
_DIGITS = re.compile(r"[0-9]{1,9}")


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def claims_element(claims: LicenseClaims) -> etree._Element:
    """A new, indented ``<License>`` element carrying ``claims``."""
    from lxml import etree

    root = etree.Element(_q("License"), nsmap={None: NS})
    root.set("version", str(claims.format_version))

    def add(name: str, text: str) -> etree._Element:
        element = etree.SubElement(root, _q(name))
        element.text = text
        return element

    add("CheckoutId", claims.checkout_id)
    add("Issuer", claims.issuer)
    add("Organisation", claims.organisation_name).set("id", claims.organisation_id)
    add("User", claims.user_email)
    add("Machine", claims.machine_name)
    if claims.machine_fingerprint is not None:
        add("MachineFingerprint", claims.machine_fingerprint)
    add("Country", claims.country)
    add("LicenseService", claims.license_service)
    if claims.activation_key is not None:
        add("ActivationKey", claims.activation_key)
    add("IssuedAt", claims.issued_at.strftime(_TIME))
    add("ExpiresAt", claims.expires_at.strftime(_TIME))
    applications = etree.SubElement(root, _q("Applications"))
    for application in claims.applications:
        element = etree.SubElement(applications, _q("Application"))
        element.set("name", application.name)
        element.set("version", application.version)
    etree.indent(root)
    return root


def claims_from_element(root: etree._Element) -> LicenseClaims:
    """The claims of a ``<License>`` element; raises :class:`ClaimsError` when malformed."""
    if root.tag != _q("License"):
        raise ClaimsError("the signed document is not an entitle license")
    version = root.get("version") or ""
    if not _DIGITS.fullmatch(version):
        raise ClaimsError("the license format version is missing")
    organisation = _one(root, "Organisation")
    applications = _one(root, "Applications")
    activation_keys = root.findall(_q("ActivationKey"))
    if len(activation_keys) > 1:
        raise ClaimsError("more than one ActivationKey")
    fingerprints = root.findall(_q("MachineFingerprint"))
    if len(fingerprints) > 1:
        raise ClaimsError("more than one MachineFingerprint")
    data: dict[str, Any] = {
        "ver": int(version),
        "jti": _text(root, "CheckoutId"),
        "iss": _text(root, "Issuer"),
        "org": {"id": organisation.get("id"), "name": organisation.text},
        "sub": _text(root, "User"),
        "machine": _text(root, "Machine"),
        "country": _text(root, "Country"),
        "service": _text(root, "LicenseService"),
        "activation_key": activation_keys[0].text if activation_keys else None,
        "iat": _timestamp(_text(root, "IssuedAt")),
        "exp": _timestamp(_text(root, "ExpiresAt")),
        "apps": [
            {"name": a.get("name"), "version": a.get("version")}
            for a in applications.findall(_q("Application"))
        ],
    }
    if fingerprints:
        data["machine_fingerprint"] = fingerprints[0].text
    return LicenseClaims.from_dict(data)


def _one(root: etree._Element, name: str) -> etree._Element:
    found = root.findall(_q(name))
    if len(found) != 1:
        raise ClaimsError(f"expected exactly one {name} element")
    return found[0]


def _text(root: etree._Element, name: str) -> str:
    text = _one(root, name).text
    if not isinstance(text, str) or not text:
        raise ClaimsError(f"{name} is empty")
    return text


def _timestamp(text: str) -> int:
    try:
        return int(datetime.strptime(text, _TIME).replace(tzinfo=UTC).timestamp())
    except ValueError:
        raise ClaimsError(f"{text!r} is not a UTC time like 2025-01-31T12:00:00Z") from None
