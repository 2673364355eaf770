"""Helpers for the event setup tests: the issue's file, and importing a file's text."""

from pathlib import Path

import pytest

FILES = Path(__file__).parent / "files"


@pytest.fixture
def nairobi_text() -> str:
    return (FILES / "nairobi-forum-2027.yaml").read_text(encoding="utf-8")


def import_text(text: str, **kwargs):
    from eventapp.events.setup import import_event
    from eventapp.events.spec import parse_event_file

    return import_event(parse_event_file(text), **kwargs)
