"""A minimal, strict DER reader for the X.509 certificates of entitle's issuer chains.

``import cryptography.x509`` costs a cold ``entitle-tool check`` more than all the rest of
verifying a license, so the check path reads certificates with this module instead: exactly
the fields the chain policy of :mod:`entitle.licensefile.issuers` needs, and nothing it does
not understand. Anything unusual is refused rather than guessed at: indefinite or
non-minimal lengths, trailing bytes, malformed object identifiers, versions other than v3,
unique identifiers, zero or negative serial numbers, name values other than UTF8String and
PrintableString, extensions other than the five below (critical or not) or twice the same,
an authority key identifier with more than a key identifier, times that are not
``YYMMDDHHMMSSZ`` / ``YYYYMMDDHHMMSSZ``. entitle's certificates never carry any of those.
Import, sync and signing parse certificates fully with ``cryptography.x509``; a property test
(``tests/unit/licensefile/test_issuers.py``) keeps this reader's verdicts equal to that
parser's under the same policy.
"""

from __future__ import annotations

from entitle.licensefile.timestamps import UTC, datetime

_SEQUENCE = 0x30
_SET = 0x31
_INTEGER = 0x02
_BIT_STRING = 0x03
_OCTET_STRING = 0x04
_OID = 0x06
_BOOLEAN = 0x01
_UTC_TIME = 0x17
_GENERALIZED_TIME = 0x18
_VERSION = 0xA0
_EXTENSIONS = 0xA3

ED25519_ALGORITHM = bytes.fromhex("300506032b6570")
"""AlgorithmIdentifier of Ed25519 (RFC 8410): the OID 1.3.101.112 and no parameters."""
RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")
"""AlgorithmIdentifier of rsaEncryption with its NULL parameters (RFC 3279)."""

_BASIC_CONSTRAINTS = bytes.fromhex("551d13")  # 2.5.29.19
_KEY_USAGE = bytes.fromhex("551d0f")  # 2.5.29.15
_EXTENDED_KEY_USAGE = bytes.fromhex("551d25")  # 2.5.29.37
_SUBJECT_KEY_ID = bytes.fromhex("551d0e")  # 2.5.29.14
_AUTHORITY_KEY_ID = bytes.fromhex("551d23")  # 2.5.29.35

DIGITAL_SIGNATURE = 0x80
"""keyUsage bit 0, as the first byte of the BIT STRING carries it."""
KEY_CERT_SIGN = 0x04
"""keyUsage bit 5."""
CRL_SIGN = 0x02
"""keyUsage bit 6."""
_KEY_AGREEMENT = 0x08


class CertificateError(ValueError):
    """The bytes are not a certificate this reader accepts."""


class Certificate:
    """The fields of one parsed certificate; ``der`` is the exact input.

    ``public_key`` is the 32 raw bytes of an Ed25519 key, or the whole SubjectPublicKeyInfo
    (DER) of an RSA key. Extensions absent from the certificate are None; ``key_usage`` is
    the first byte of the keyUsage bits (see :data:`DIGITAL_SIGNATURE`), and
    ``extended_key_usage`` holds the encoded OIDs (content octets) of its purposes.
    """

    __slots__ = (
        "authority_key_id",
        "der",
        "extended_key_usage",
        "is_ca",
        "issuer",
        "key_usage",
        "not_after",
        "not_before",
        "path_length",
        "public_key",
        "public_key_algorithm",
        "serial_number",
        "signature",
        "signature_algorithm",
        "subject",
        "subject_key_id",
        "tbs",
    )

    der: bytes
    tbs: bytes
    signature_algorithm: bytes
    signature: bytes
    serial_number: int
    issuer: bytes
    subject: bytes
    not_before: datetime
    not_after: datetime
    public_key_algorithm: bytes
    public_key: bytes
    is_ca: bool | None
    path_length: int | None
    key_usage: int | None
    extended_key_usage: frozenset[bytes] | None
    subject_key_id: bytes | None
    authority_key_id: bytes | None

    @property
    def is_ed25519(self) -> bool:
        return self.public_key_algorithm == ED25519_ALGORITHM


def parse_certificate(der: bytes) -> Certificate:
    """Read one DER certificate; :class:`CertificateError` for anything this reader refuses."""
    if not isinstance(der, bytes):
        raise CertificateError("a certificate is bytes")
    outer, end = _element(der, 0, _SEQUENCE)
    if end != len(der):
        raise CertificateError("bytes after the certificate")
    start, stop = outer
    tbs_range, at = _element(der, start, _SEQUENCE)
    signature_algorithm, at = _raw(der, at, _SEQUENCE)
    signature_range, at = _element(der, at, _BIT_STRING)
    if at != stop:
        raise CertificateError("unexpected fields in the certificate")
    cert = Certificate()
    cert.der = der
    cert.tbs = der[start : tbs_range[1]]
    cert.signature_algorithm = signature_algorithm
    cert.signature = _bits(der, signature_range)
    _read_tbs(cert, der, tbs_range)
    return cert


def _read_tbs(cert: Certificate, der: bytes, tbs: tuple[int, int]) -> None:
    start, stop = tbs
    version, at = _element(der, start, _VERSION)
    number, end = _element(der, version[0], _INTEGER)
    if end != version[1] or der[number[0] : number[1]] != b"\x02":
        raise CertificateError("only X.509 version 3 certificates are accepted")
    serial, at = _element(der, at, _INTEGER)
    cert.serial_number = _positive(der, serial)
    algorithm, at = _raw(der, at, _SEQUENCE)
    if algorithm != cert.signature_algorithm:
        raise CertificateError("the two signature algorithms differ")
    issuer, at = _raw(der, at, _SEQUENCE)
    validity, at = _element(der, at, _SEQUENCE)
    subject, at = _raw(der, at, _SEQUENCE)
    spki_start = at
    spki, at = _element(der, at, _SEQUENCE)
    extensions, at = _element(der, at, _EXTENSIONS)
    if at != stop:
        raise CertificateError("unexpected fields after the extensions")
    _check_name(issuer)
    _check_name(subject)
    cert.issuer = issuer
    cert.subject = subject
    not_before, at = _time(der, validity[0])
    not_after, end = _time(der, at)
    if end != validity[1]:
        raise CertificateError("the validity has more than two times")
    cert.not_before = not_before
    cert.not_after = not_after
    _read_public_key(cert, der, spki, spki_start)
    _read_extensions(cert, der, extensions)


def _read_public_key(cert: Certificate, der: bytes, spki: tuple[int, int], start: int) -> None:
    algorithm, at = _raw(der, spki[0], _SEQUENCE)
    key, end = _element(der, at, _BIT_STRING)
    if end != spki[1]:
        raise CertificateError("unexpected fields in the public key")
    raw = _bits(der, key)
    if algorithm == ED25519_ALGORITHM:
        if len(raw) != 32:
            raise CertificateError("an Ed25519 key has 32 bytes")
        public = raw
    elif algorithm == RSA_ALGORITHM:
        public = der[start : spki[1]]
    else:
        raise CertificateError("the public key is neither Ed25519 nor RSA")
    cert.public_key_algorithm = algorithm
    cert.public_key = public


def _read_extensions(cert: Certificate, der: bytes, extensions: tuple[int, int]) -> None:
    found: dict[bytes, bytes] = {}
    sequence, end = _element(der, extensions[0], _SEQUENCE)
    if end != extensions[1] or sequence[0] == sequence[1]:
        raise CertificateError("the extensions are malformed")
    at = sequence[0]
    while at < sequence[1]:
        extension, at = _element(der, at, _SEQUENCE)
        oid, inner = _element(der, extension[0], _OID)
        critical = False
        if inner < extension[1] and der[inner] == _BOOLEAN:
            flag, inner = _element(der, inner, _BOOLEAN)
            if der[flag[0] : flag[1]] != b"\xff":
                # DER encodes TRUE as FF and omits a FALSE default altogether.
                raise CertificateError("a critical flag is not DER")
            critical = True
        value, inner = _element(der, inner, _OCTET_STRING)
        if inner != extension[1]:
            raise CertificateError("an extension is malformed")
        name = der[oid[0] : oid[1]]
        _check_oid(name)
        if name in found:
            raise CertificateError("an extension appears twice")
        if name not in _UNDERSTOOD:
            state = "critical" if critical else "not critical"
            raise CertificateError(f"an extension of no use to a license chain ({state})")
        found[name] = der[value[0] : value[1]]
    if sequence[1] != extensions[1]:
        raise CertificateError("the extensions are malformed")
    _basic_constraints(cert, found.get(_BASIC_CONSTRAINTS))
    cert.key_usage = _key_usage(found.get(_KEY_USAGE))
    cert.extended_key_usage = _purposes(found.get(_EXTENDED_KEY_USAGE))
    ski = found.get(_SUBJECT_KEY_ID)
    cert.subject_key_id = None if ski is None else _octets(ski)
    aki = found.get(_AUTHORITY_KEY_ID)
    cert.authority_key_id = None if aki is None else _key_identifier(aki)


_UNDERSTOOD = frozenset(
    {_BASIC_CONSTRAINTS, _KEY_USAGE, _EXTENDED_KEY_USAGE, _SUBJECT_KEY_ID, _AUTHORITY_KEY_ID}
)


def _basic_constraints(cert: Certificate, value: bytes | None) -> None:
    is_ca: bool | None = None
    path_length: int | None = None
    if value is not None:
        sequence, end = _element(value, 0, _SEQUENCE)
        if end != len(value):
            raise CertificateError("basicConstraints is malformed")
        at = sequence[0]
        is_ca = False
        if at < sequence[1] and value[at] == _BOOLEAN:
            flag, at = _element(value, at, _BOOLEAN)
            if value[flag[0] : flag[1]] != b"\xff":
                raise CertificateError("basicConstraints is not DER")
            is_ca = True
        if at < sequence[1]:
            number, at = _element(value, at, _INTEGER)
            path_length = _positive(value, number, allow_zero=True)
            if not is_ca:
                raise CertificateError("a path length goes with CA certificates only")
        if at != sequence[1]:
            raise CertificateError("basicConstraints is malformed")
    cert.is_ca = is_ca
    cert.path_length = path_length


def _key_usage(value: bytes | None) -> int | None:
    if value is None:
        return None
    bits, end = _element(value, 0, _BIT_STRING)
    if end != len(value):
        raise CertificateError("keyUsage is malformed")
    data = _bits(value, bits, named=True)
    if not data or len(data) > 2:
        raise CertificateError("keyUsage is malformed")
    encipher_or_decipher_only = data[0] & 0x01 or (len(data) > 1 and data[1] & 0x80)
    if encipher_or_decipher_only and not data[0] & _KEY_AGREEMENT:
        raise CertificateError("keyUsage has encipherOnly or decipherOnly without keyAgreement")
    return data[0]


def _purposes(value: bytes | None) -> frozenset[bytes] | None:
    if value is None:
        return None
    sequence, end = _element(value, 0, _SEQUENCE)
    if end != len(value) or sequence[0] == sequence[1]:
        raise CertificateError("extendedKeyUsage is malformed")
    purposes = []
    at = sequence[0]
    while at < sequence[1]:
        oid, at = _element(value, at, _OID)
        purposes.append(value[oid[0] : oid[1]])
        _check_oid(purposes[-1])
    return frozenset(purposes)


def _octets(value: bytes) -> bytes:
    octets, end = _element(value, 0, _OCTET_STRING)
    if end != len(value):
        raise CertificateError("a key identifier is malformed")
    return value[octets[0] : octets[1]]


def _key_identifier(value: bytes) -> bytes:
    sequence, end = _element(value, 0, _SEQUENCE)
    if end != len(value):
        raise CertificateError("authorityKeyIdentifier is malformed")
    identifier, end = _element(value, sequence[0], 0x80)
    if end != sequence[1]:
        raise CertificateError("authorityKeyIdentifier holds more than a key identifier")
    return value[identifier[0] : identifier[1]]


def _check_name(name: bytes) -> None:
    """A Name: a SEQUENCE of non-empty SETs of (OID, value) pairs. The bytes are compared
    whole, never decoded; the structure is checked as a full parser would."""
    content, _ = _element(name, 0, _SEQUENCE)
    at = content[0]
    while at < content[1]:
        rdn, at = _element(name, at, _SET)
        if rdn[0] == rdn[1]:
            raise CertificateError("a name has an empty component")
        inner = rdn[0]
        while inner < rdn[1]:
            pair, inner = _element(name, inner, _SEQUENCE)
            oid, at_value = _element(name, pair[0], _OID)
            _check_oid(name[oid[0] : oid[1]])
            if at_value >= pair[1]:
                raise CertificateError("a name attribute has no value")
            tag = name[at_value]
            if tag not in (_UTF8_STRING, _PRINTABLE_STRING):
                raise CertificateError("a name value is neither UTF8String nor PrintableString")
            text, end = _element(name, at_value, tag)
            if end != pair[1]:
                raise CertificateError("a name attribute is malformed")
            _check_text(name[text[0] : text[1]], tag)
        if inner != rdn[1]:
            raise CertificateError("a name component is malformed")


_UTF8_STRING = 0x0C
_PRINTABLE_STRING = 0x13
_PRINTABLE = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?"
)


def _check_text(text: bytes, tag: int) -> None:
    if tag == _PRINTABLE_STRING:
        if not _PRINTABLE.issuperset(text):
            raise CertificateError("a PrintableString holds other characters")
        return
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        raise CertificateError("a UTF8String is not UTF-8") from None


def _check_oid(content: bytes) -> None:
    """An object identifier's content: base-128 subidentifiers, each minimally encoded."""
    if not content or content[-1] & 0x80:
        raise CertificateError("an object identifier is malformed")
    start = True
    for byte in content:
        if start and byte == 0x80:
            raise CertificateError("an object identifier is not minimally encoded")
        start = not byte & 0x80


def _time(der: bytes, at: int) -> tuple[datetime, int]:
    if at >= len(der):
        raise CertificateError("a time is missing")
    tag = der[at]
    if tag == _UTC_TIME:
        span, end = _element(der, at, _UTC_TIME)
        text = der[span[0] : span[1]]
        if len(text) != 13:
            raise CertificateError("a UTCTime is not YYMMDDHHMMSSZ")
        year = _digits(text[0:2])
        year += 1900 if year >= 50 else 2000
        rest = text[2:]
    elif tag == _GENERALIZED_TIME:
        span, end = _element(der, at, _GENERALIZED_TIME)
        text = der[span[0] : span[1]]
        if len(text) != 15:
            raise CertificateError("a GeneralizedTime is not YYYYMMDDHHMMSSZ")
        year = _digits(text[0:4])
        rest = text[4:]
    else:
        raise CertificateError("a time is neither UTCTime nor GeneralizedTime")
    if rest[-1:] != b"Z":
        raise CertificateError("a time is not in UTC")
    try:
        moment = datetime(
            year,
            _digits(rest[0:2]),
            _digits(rest[2:4]),
            _digits(rest[4:6]),
            _digits(rest[6:8]),
            _digits(rest[8:10]),
            tzinfo=UTC,
        )
    except ValueError:
        raise CertificateError("a time is not a real date") from None
    return moment, end


def _digits(text: bytes) -> int:
    if not text.isdigit():
        raise CertificateError("a time has a non-digit")
    return int(text)


def _positive(der: bytes, span: tuple[int, int], *, allow_zero: bool = False) -> int:
    data = der[span[0] : span[1]]
    if not data or len(data) > 21:
        raise CertificateError("an integer is empty or too long")
    if data[0] >= 0x80:
        raise CertificateError("an integer is negative")
    if len(data) > 1 and data[0] == 0 and data[1] < 0x80:
        raise CertificateError("an integer is not minimally encoded")
    number = int.from_bytes(data, "big")
    if number == 0 and not allow_zero:
        raise CertificateError("a serial number is zero")
    return number


def _bits(der: bytes, span: tuple[int, int], *, named: bool = False) -> bytes:
    """The bytes of a BIT STRING; only whole bytes, except named bit lists (keyUsage)."""
    if span[0] == span[1]:
        raise CertificateError("a BIT STRING is empty")
    unused = der[span[0]]
    data = der[span[0] + 1 : span[1]]
    if unused > 7 or (unused and not data):
        raise CertificateError("a BIT STRING is malformed")
    if unused and not named:
        raise CertificateError("a BIT STRING has unused bits")
    if unused and data[-1] & ((1 << unused) - 1):
        raise CertificateError("a BIT STRING's unused bits are not zero")
    return data


def _raw(der: bytes, at: int, tag: int) -> tuple[bytes, int]:
    """The whole element (tag, length and content) at ``at``, and where the next one starts."""
    _, end = _element(der, at, tag)
    return der[at:end], end


def _element(der: bytes, at: int, tag: int) -> tuple[tuple[int, int], int]:
    """The content span of the element of ``tag`` at ``at``, and where the next one starts."""
    if at + 2 > len(der):
        raise CertificateError("the certificate is truncated")
    if der[at] != tag:
        raise CertificateError(f"expected tag {tag:#04x}, found {der[at]:#04x}")
    first = der[at + 1]
    start = at + 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise CertificateError("indefinite lengths are not DER")
    else:
        count = first - 0x80
        if count > 3 or start + count > len(der):
            raise CertificateError("a length is too long")
        length = int.from_bytes(der[start : start + count], "big")
        if der[start] == 0 or length < 0x80:
            raise CertificateError("a length is not minimally encoded")
        start += count
    end = start + length
    if end > len(der):
        raise CertificateError("the certificate is truncated")
    return (start, end), end
