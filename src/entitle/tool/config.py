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
          "root_certificate": "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"
        }
      ]
    }

``fingerprint`` is required: the SHA-256 of the root certificate's DER, as
``entitle keys fingerprint`` prints it. ``name`` (for people) and ``root_certificate`` (one
PEM certificate, so nothing needs fetching) are optional; a certificate given must have the
pinned fingerprint. No file means no issuer is configured. A user's own store never adds one.
"""

from __future__ import annotations

import binascii
import json
import os
import re
import sys
from collections.abc import Iterable
from typing import Any

from entitle.licensefile.claims import Frozen
from entitle.tool.errors import ConfigurationError, NeedsAdministrator

ISSUERS_FILE = "issuers.json"
ISSUERS_FORMAT = "entitle-issuers/1"
FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----")


class ConfiguredIssuer(Frozen):
    """An issuer this machine trusts: the pinned ``fingerprint`` of its root certificate
    (``sha256:<hex>``), a ``name`` for people and the ``root_certificate`` PEM, both optional.

    Raises ValueError when the fingerprint is not ``sha256:`` and 64 hex digits, or the
    certificate is not one PEM certificate with that fingerprint.
    """

    _fields = ("fingerprint", "name", "root_certificate")
    __slots__ = _fields
    fingerprint: str
    name: str | None
    root_certificate: str | None

    def __init__(
        self, fingerprint: str, name: str | None = None, root_certificate: str | None = None
    ) -> None:
        pinned = fingerprint.strip().lower()
        if not FINGERPRINT.fullmatch(pinned):
            raise ValueError(f"{fingerprint!r} is not sha256: followed by 64 hex digits")
        if root_certificate is not None and certificate_fingerprint(root_certificate) != pinned:
            raise ValueError(f"the root certificate given for {pinned} has another fingerprint")
        self._init(fingerprint=pinned, name=name or None, root_certificate=root_certificate)

    def to_dict(self) -> dict[str, str]:
        document = {"fingerprint": self.fingerprint}
        if self.name is not None:
            document["name"] = self.name
        if self.root_certificate is not None:
            document["root_certificate"] = self.root_certificate
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
    document = json.loads(data)
    if not isinstance(document, dict) or document.get("format") != ISSUERS_FORMAT:
        raise ValueError(f"its format is not {ISSUERS_FORMAT}")
    issuers = tuple(_issuer(entry) for entry in _list(document["issuers"]))
    pinned = [issuer.fingerprint for issuer in issuers]
    if len(set(pinned)) != len(pinned):
        raise ValueError("an issuer is listed twice")
    return issuers


def issuers_to_bytes(issuers: Iterable[ConfiguredIssuer]) -> bytes:
    document = {"format": ISSUERS_FORMAT, "issuers": [issuer.to_dict() for issuer in issuers]}
    return json.dumps(document, indent=2).encode("utf-8") + b"\n"


def certificate_fingerprint(pem: str) -> str:
    """``sha256:<hex>`` of the DER of the one certificate in ``pem``; ValueError otherwise."""
    import hashlib

    found = _PEM.findall(pem)
    if len(found) != 1:
        raise ValueError("a root certificate is exactly one PEM certificate")
    try:
        der = binascii.a2b_base64("".join(found[0].split()), strict_mode=True)
    except binascii.Error:
        raise ValueError("the root certificate's PEM is not base64") from None
    return "sha256:" + hashlib.sha256(der).hexdigest()


def _issuer(entry: Any) -> ConfiguredIssuer:
    if not isinstance(entry, dict):
        raise TypeError("each issuer is an object")
    name, certificate = entry.get("name"), entry.get("root_certificate")
    for value in (name, certificate):
        if value is not None and not isinstance(value, str):
            raise TypeError("name and root_certificate are text")
    return ConfiguredIssuer(_text(entry["fingerprint"]), name, certificate)


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
