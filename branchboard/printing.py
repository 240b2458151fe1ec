"""Printable banners and posters (public/print/), and their PDFs."""

from __future__ import annotations


def print_pages(config, model, board, now, report) -> list[tuple[str, str, dict]]:
    """(path, template, context) of the print pages; problems go to ``report``."""
    return []
