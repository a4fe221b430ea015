"""Which machine this is: its name, and a fingerprint that no environment setting changes.

The name is the host name without its domain, as the portal's typed machine name gives it.
The fingerprint is the SHA-256 of a fixed prefix and the operating system's own machine id
(Linux ``/etc/machine-id``, Windows ``MachineGuid``, macOS ``IOPlatformUUID``), in hex: it is
stable across restarts and host-name changes, and the raw id never leaves the machine.

Both come from the operating system only: no environment variable overrides them. The two
readers, :func:`read_host_name` and :func:`read_machine_id`, are the only places that ask it.
"""

from __future__ import annotations

import os
import sys

from entitle.tool.errors import MachineIdUnavailable

FINGERPRINT_PREFIX = "entitle-machine-fingerprint/1:"
"""Hashed before the raw id, so the fingerprint is of no use as that id anywhere else."""

LINUX_MACHINE_ID_FILES = ("/etc/machine-id", "/var/lib/dbus/machine-id")
MACOS_IOREG = ("/usr/sbin/ioreg", "-rd1", "-c", "IOPlatformExpertDevice")


class MachineIdentity:
    """This machine as a license may name it: ``name``, and ``fingerprint`` read on first use.

    Building one costs nothing; reading ``fingerprint`` reads the machine id once (on Linux
    a file and one SHA-256) and raises :class:`MachineIdUnavailable` when there is none.
    """

    __slots__ = ("_fingerprint", "name")

    def __init__(self, name: str, fingerprint: str | None = None) -> None:
        self.name = name
        self._fingerprint = fingerprint

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = machine_fingerprint()
        return self._fingerprint

    @property
    def name_is_bindable(self) -> bool:
        """Whether a license bound by machine name alone can match this machine's name."""
        return name_is_bindable(self.name)

    def __repr__(self) -> str:
        return f"MachineIdentity(name={self.name!r})"


def this_machine() -> MachineIdentity:
    """The identity of the machine this process runs on."""
    return MachineIdentity(machine_name())


def machine_name() -> str:
    """This machine's name as license files name it: the host name without its domain."""
    return read_host_name().split(".", 1)[0]


def name_is_bindable(name: str) -> bool:
    """Whether a name-bound license can run on a machine called ``name``.

    Machine names in license files compare as plain ASCII, so a host name that is not ASCII
    as it is (``Wſ-RT-01``) matches none: such a machine needs a license bound to its
    fingerprint.
    """
    return bool(name) and name.isascii()


def machine_fingerprint() -> str:
    """This machine's fingerprint: SHA-256 (hex) of a fixed prefix and the OS machine id.

    Raises :class:`~entitle.tool.errors.MachineIdUnavailable` when the operating system has
    no machine id to give.
    """
    import hashlib

    raw = read_machine_id().strip().lower()
    return hashlib.sha256((FINGERPRINT_PREFIX + raw).encode("utf-8")).hexdigest()


def read_host_name() -> str:
    """The host name the operating system reports (never an environment variable)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


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
