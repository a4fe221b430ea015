"""Where the current OS user's store lives, and which OS profile this is."""

from __future__ import annotations

import os
import sys

APP_NAME = "entitle-tool"
HOME_ENV = "ENTITLE_TOOL_HOME"


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
