"""entitle: offline license checkouts."""

__version__ = "0.1.0"
