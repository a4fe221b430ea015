"""The licensing tool: import license files on a workstation and check them offline."""
