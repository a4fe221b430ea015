"""This workstation: where the current OS user's store lives, which machine and profile this is.

The machine comes from the operating system only: no environment variable overrides it. Its
name is the host name without its domain, as the portal's typed machine name gives it; its
fingerprint (:mod:`entitle.tool.fingerprint`, loaded on first use) is derived from the OS
machine id. :func:`read_host_name` is the only place that asks for the name.
"""

from __future__ import annotations

import os
import sys

APP_NAME = "entitle-tool"
HOME_ENV = "ENTITLE_TOOL_HOME"
# Every environment variable the tool reads; the server's command knows them from here and does
# not take them for misspelt settings of its own.
VARIABLES = (HOME_ENV,)


def tool_home() -> str:
    """The store directory: ``ENTITLE_TOOL_HOME``, else ``platformdirs.user_data_dir``.

    Each OS profile has its own, so every user on a shared machine imports for themselves.
    """
    override = os.environ.get(HOME_ENV)
    if override:
        return os.path.abspath(override)
    return _linux_user_data_dir() or _platformdirs_user_data_dir()


def _linux_user_data_dir() -> str | None:
    # platformdirs costs a third of a cold ``entitle-tool check``; on Linux its answer is
    # simple enough to give directly (a unit test keeps the two equal).
    if sys.platform != "linux":
        return None
    xdg = os.environ.get("XDG_DATA_HOME", "")
    if os.path.isabs(xdg):
        return os.path.join(xdg, APP_NAME)
    home = os.environ.get("HOME", "")
    if os.path.isabs(home):
        return os.path.join(home, ".local", "share", APP_NAME)
    return None


def _platformdirs_user_data_dir() -> str:
    import platformdirs

    return platformdirs.user_data_dir(APP_NAME)


def user_profile() -> str:
    """The OS login of the current user, as a check-in receipt names it."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return os.path.basename(os.path.expanduser("~")) or "unknown"


class MachineIdentity:
    """This machine as a license may name it: ``name``, and ``fingerprint`` read on first use.

    Building one costs nothing; reading ``fingerprint`` reads the machine id once (on Linux
    a file and one SHA-256) and raises :class:`~entitle.tool.errors.MachineIdUnavailable`
    when there is none.
    """

    __slots__ = ("_fingerprint", "name")

    def __init__(self, name: str, fingerprint: str | None = None) -> None:
        self.name = name
        self._fingerprint = fingerprint

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            from entitle.tool.fingerprint import machine_fingerprint

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
    fingerprint. The rule is :mod:`entitle.machine_names`'s.
    """
    from entitle.machine_names import can_be_named

    return can_be_named(name)


def read_host_name() -> str:
    """The host name the operating system reports (never an environment variable)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()
