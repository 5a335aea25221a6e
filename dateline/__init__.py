"""Dateline: a static-site generator for news digests."""

__version__ = "0.1.0"
