"""``entitle``: the server's command, when entitle-server is installed beside this package.

The workstation's install has the licensing tool (``entitle-tool``) and no server; there the
command says in one line what to install, instead of failing on a missing module.
"""

from __future__ import annotations

import sys

NOT_INSTALLED = 2


def main() -> None:
    try:
        from entitle.cli import main as server_main
    except ModuleNotFoundError as missing:
        print(
            f"entitle: the server is not installed here (no module {missing.name}); "
            "install it with 'pip install entitle-server' (the licensing tool is 'entitle-tool')",
            file=sys.stderr,
        )
        raise SystemExit(NOT_INSTALLED) from None
    server_main()
