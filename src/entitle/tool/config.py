r"""The machine-wide configuration: what administrators set for every user of this machine.

It lives where only administrators can write, found without any environment variable:

    Linux and other POSIX   /etc/entitle/
    Windows                 %ProgramData%\entitle\  (the folder Windows names, not the variable)
    macOS                   /Library/Application Support/entitle/

``issuers.json`` there pins the license issuers this machine trusts, each by the fingerprint
of its root certificate::

    {
      "format": "entitle-issuers/1",
      "issuers": [
        {
          "fingerprint": "sha256:<64 lowercase hex>",
          "name": "licenses.example.com",
          "root_certificate": "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n",
          "url": "https://licenses.example.com"
        }
      ]
    }

``fingerprint`` is required: the SHA-256 of the root certificate's DER, as
``entitle keys fingerprint`` prints it. ``name`` (for people), ``root_certificate`` (one
PEM certificate, so nothing needs fetching) and ``url`` (the license server that publishes the
issuer's certificates and revocation lists, where ``entitle-tool sync`` goes) are optional; a
certificate given must have the pinned fingerprint. No file means no issuer is configured. A
user's own store never adds one.

Read on every product start that pins no issuer of its own, so kept cheap: no ``re``, no
``hashlib`` (the fingerprint is hashed by :func:`entitle.licensefile.fingerprint`).
"""

from __future__ import annotations

import binascii
import os
import sys
from collections.abc import Iterable
from typing import Any

from entitle.licensefile import InvalidTrustedKeys, fingerprint, parse_fingerprint
from entitle.licensefile.claims import Frozen
from entitle.licensefile.jsontext import loads
from entitle.tool.errors import ConfigurationError, NeedsAdministrator

ISSUERS_FILE = "issuers.json"
ISSUERS_FORMAT = "entitle-issuers/1"
_BEGIN = "-----BEGIN CERTIFICATE-----"
_END = "-----END CERTIFICATE-----"


class ConfiguredIssuer(Frozen):
    """An issuer this machine trusts: the pinned ``fingerprint`` of its root certificate
    (``sha256:<hex>``); optional: a ``name`` for people, the ``root_certificate`` PEM and the
    ``url`` of the license server that publishes its certificates and revocation lists.

    Raises ValueError when the fingerprint is not ``sha256:`` and 64 hex digits, or the
    certificate is not one PEM certificate with that fingerprint.
    """

    _fields = ("fingerprint", "name", "root_certificate", "url")
    __slots__ = _fields
    fingerprint: str
    name: str | None
    root_certificate: str | None
    url: str | None

    def __init__(
        self,
        fingerprint: str,
        name: str | None = None,
        root_certificate: str | None = None,
        url: str | None = None,
    ) -> None:
        try:
            pinned = parse_fingerprint(fingerprint)
        except InvalidTrustedKeys:
            raise ValueError(f"{fingerprint!r} is not sha256: followed by 64 hex digits") from None
        if root_certificate is not None and certificate_fingerprint(root_certificate) != pinned:
            raise ValueError(f"the root certificate given for {pinned} has another fingerprint")
        self._init(
            fingerprint=pinned,
            name=name or None,
            root_certificate=root_certificate,
            url=url or None,
        )

    @property
    def root_der(self) -> bytes | None:
        """The root certificate's DER, when the configuration holds the certificate."""
        return None if self.root_certificate is None else certificate_der(self.root_certificate)

    def to_dict(self) -> dict[str, str]:
        document = {"fingerprint": self.fingerprint}
        for member in ("name", "root_certificate", "url"):
            value = getattr(self, member)
            if value is not None:
                document[member] = value
        return document


def system_config_dir() -> str:
    """The machine-wide configuration directory of this operating system."""
    if sys.platform == "win32":
        return os.path.join(_windows_program_data(), "entitle")
    if sys.platform == "darwin":
        return "/Library/Application Support/entitle"
    return "/etc/entitle"


def issuers_path() -> str:
    """Where the configured issuers are kept: ``issuers.json`` in :func:`system_config_dir`."""
    return os.path.join(system_config_dir(), ISSUERS_FILE)


def configured_issuers() -> tuple[ConfiguredIssuer, ...]:
    """The issuers the machine-wide configuration pins, in the file's order; none without it.

    Raises :class:`~entitle.tool.errors.ConfigurationError` when the file exists but cannot be
    read or is not a usable issuers file.
    """
    path = issuers_path()
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return ()
    except OSError as error:
        raise ConfigurationError(f"Cannot read {path} ({error.strerror}).") from None
    try:
        return parse_issuers(data)
    except (ValueError, KeyError, TypeError) as error:
        detail = (str(error).splitlines() or [""])[0] or type(error).__name__
        raise ConfigurationError(f"{path} is not a usable issuers file ({detail}).") from None


def write_issuers(issuers: Iterable[ConfiguredIssuer]) -> str:
    """Replace the configured issuers with ``issuers``; the path written.

    Readable by every user, written atomically. Raises
    :class:`~entitle.tool.errors.NeedsAdministrator` without the rights to write there.
    """
    from entitle.tool.files import write_atomic

    path = issuers_path()
    data = issuers_to_bytes(issuers)
    try:
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        write_atomic(path, data, mode=0o644)
    except PermissionError:
        raise NeedsAdministrator(path) from None
    return path


def parse_issuers(data: bytes) -> tuple[ConfiguredIssuer, ...]:
    """The issuers an ``issuers.json`` holds; ValueError, KeyError or TypeError when unusable."""
    document = loads(data)
    if not isinstance(document, dict) or document.get("format") != ISSUERS_FORMAT:
        raise ValueError(f"its format is not {ISSUERS_FORMAT}")
    issuers = tuple(_issuer(entry) for entry in _list(document["issuers"]))
    pinned = [issuer.fingerprint for issuer in issuers]
    if len(set(pinned)) != len(pinned):
        raise ValueError("an issuer is listed twice")
    return issuers


def issuers_to_bytes(issuers: Iterable[ConfiguredIssuer]) -> bytes:
    import json

    document = {"format": ISSUERS_FORMAT, "issuers": [issuer.to_dict() for issuer in issuers]}
    return json.dumps(document, indent=2).encode("utf-8") + b"\n"


def certificate_fingerprint(pem: str) -> str:
    """``sha256:<hex>`` of the DER of the one certificate in ``pem``; ValueError otherwise."""
    return fingerprint(certificate_der(pem))


def certificate_der(pem: str) -> bytes:
    """The DER of the one certificate in ``pem``; ValueError when it holds not exactly one."""
    if pem.count(_BEGIN) != 1 or pem.count(_END) != 1:
        raise ValueError("a root certificate is exactly one PEM certificate")
    body = pem.partition(_BEGIN)[2].partition(_END)
    if not body[1]:
        raise ValueError("a root certificate is exactly one PEM certificate")
    try:
        return binascii.a2b_base64("".join(body[0].split()), strict_mode=True)
    except binascii.Error:
        raise ValueError("the root certificate's PEM is not base64") from None


def _issuer(entry: Any) -> ConfiguredIssuer:
    if not isinstance(entry, dict):
        raise TypeError("each issuer is an object")
    name, certificate, url = entry.get("name"), entry.get("root_certificate"), entry.get("url")
    for value in (name, certificate, url):
        if value is not None and not isinstance(value, str):
            raise TypeError("name, root_certificate and url are text")
    return ConfiguredIssuer(_text(entry["fingerprint"]), name, certificate, url)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("issuers is a list")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("a fingerprint is text")
    return value


def _windows_program_data() -> str:
    if sys.platform != "win32":
        raise OSError("not Windows")
    import ctypes

    common_appdata = 0x23  # CSIDL_COMMON_APPDATA: C:\ProgramData
    buffer = ctypes.create_unicode_buffer(260)
    if ctypes.windll.shell32.SHGetFolderPathW(None, common_appdata, None, 0, buffer) != 0:
        raise ConfigurationError("Windows did not name its ProgramData folder.")
    return buffer.value
