"""The meeting-room screen: a full-screen rotating board (public/screen/index.html)."""

from __future__ import annotations


def screen_pages(config, model, board, now, report) -> list[tuple[str, str, dict]]:
    """(path, template, context) of the screen pages; problems in site.yaml's
    ``screen:`` go to ``report``."""
    return []
