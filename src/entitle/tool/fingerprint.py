"""This machine's fingerprint, which no environment setting changes.

The SHA-256 of a fixed prefix and the operating system's own machine id (Linux
``/etc/machine-id``, else ``/var/lib/dbus/machine-id``; Windows ``MachineGuid``; macOS
``IOPlatformUUID``), in hex: stable across restarts and host-name changes, and the raw id
never leaves the machine. :func:`read_machine_id` is the only place that asks for the id.
Loaded on first use, not on every product start.
"""

from __future__ import annotations

import sys

from entitle.tool.errors import MachineIdUnavailable

FINGERPRINT_PREFIX = "entitle-machine-fingerprint/1:"
"""Hashed before the raw id, so the fingerprint is of no use as that id anywhere else."""

LINUX_MACHINE_ID_FILES = ("/etc/machine-id", "/var/lib/dbus/machine-id")
MACOS_IOREG = ("/usr/sbin/ioreg", "-rd1", "-c", "IOPlatformExpertDevice")


def machine_fingerprint() -> str:
    """This machine's fingerprint: SHA-256 (hex) of a fixed prefix and the OS machine id.

    Raises :class:`~entitle.tool.errors.MachineIdUnavailable` when the operating system has
    no machine id to give.
    """
    from entitle.licensefile.jwk import sha256  # hashlib costs a cold start 11 M instructions

    raw = read_machine_id().strip().lower()
    return sha256((FINGERPRINT_PREFIX + raw).encode("utf-8")).hex()


def read_machine_id() -> str:
    """The operating system's machine id, raw; to be hashed, never shown or sent."""
    if sys.platform == "win32":
        found = _windows_machine_guid()
        where = r"HKLM\SOFTWARE\Microsoft\Cryptography\MachineGuid"
    elif sys.platform == "darwin":
        found = _macos_platform_uuid()
        where = "IOPlatformUUID (ioreg)"
    else:
        found = _first_machine_id_file()
        where = " or ".join(LINUX_MACHINE_ID_FILES)
    if not found:
        raise MachineIdUnavailable(where)
    return found


def _first_machine_id_file() -> str | None:
    for path in LINUX_MACHINE_ID_FILES:
        try:
            with open(path, encoding="ascii", errors="replace") as handle:
                text = handle.read().strip()
        except OSError:
            continue
        if text and text != "uninitialized":
            return text
    return None


def _windows_machine_guid() -> str | None:
    if sys.platform != "win32":
        return None
    import winreg

    access = winreg.KEY_READ | winreg.KEY_WOW64_64KEY
    try:
        with winreg.OpenKey(
            winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography", 0, access
        ) as key:
            value, _ = winreg.QueryValueEx(key, "MachineGuid")
    except OSError:
        return None
    return str(value).strip() or None


def _macos_platform_uuid() -> str | None:
    import re
    import subprocess

    try:
        done = subprocess.run(MACOS_IOREG, capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'"IOPlatformUUID"\s*=\s*"([^"]+)"', done.stdout)
    return found.group(1) if found else None
