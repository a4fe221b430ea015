"""The test suite's own hook for the processes it starts: which machine they run on.

The installed tool takes its machine name, machine id and machine-wide configuration
directory from the operating system alone. Tests that start ``entitle-tool`` put this
directory on ``PYTHONPATH`` (``tests.workstation.tool_environment`` does), and Python imports
this module at start-up; it replaces the tool's readers with the values the test chose:

    ENTITLE_TEST_MACHINE_NAME   the host name
    ENTITLE_TEST_MACHINE_ID     the raw machine id (hashed into the fingerprint as usual)
    ENTITLE_TEST_CONFIG_DIR     the machine-wide configuration directory

Nothing here is part of the package: it lives under ``tests/`` and is never installed.
"""

from __future__ import annotations

import os

_name = os.environ.get("ENTITLE_TEST_MACHINE_NAME")
_machine_id = os.environ.get("ENTITLE_TEST_MACHINE_ID")
_config_dir = os.environ.get("ENTITLE_TEST_CONFIG_DIR")

if _name is not None:
    from entitle.tool import home

    home.read_host_name = lambda: _name  # type: ignore[assignment]

if _machine_id is not None:
    from entitle.tool import fingerprint

    fingerprint.read_machine_id = lambda: _machine_id  # type: ignore[assignment]

if _config_dir is not None:
    from entitle.tool import config

    config.system_config_dir = lambda: _config_dir  # type: ignore[assignment]
