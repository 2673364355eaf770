"""The one guess at given and family name from a full name, shared by sign-up (stored) and badges (printed)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from eventapp.badges.names import emphasised_name, surname
from eventapp.names import guess_family_name, guess_given_name, written_without_spaces


@pytest.mark.parametrize(("full_name", "given", "family"), [
    ("Ada Lovelace", "Ada", "Lovelace"),
    ("  Ada   King  Lovelace ", "Ada", "Lovelace"),
    ("Plato", "Plato", None),
    ("", None, None),
    ("山田太郎", "山田太郎", None),
])
def test_the_guess_is_the_first_and_the_last_word(full_name, given, family):
    assert guess_given_name(full_name) == given
    assert guess_family_name(full_name) == family


@pytest.mark.parametrize(("full_name", "emphasis", "family"), [
    ("Ada Lovelace", "Ada", "Lovelace"),
    ("Plato", "Plato", "Plato"),
    ("山田 太郎", "山田 太郎", "山田 太郎"),  # written without spaces between its letters: never split
])
def test_a_badge_without_stored_parts_uses_the_same_guess(full_name, emphasis, family):
    badge = SimpleNamespace(full_name=full_name, given_name=None, family_name=None)
    assert emphasised_name(badge)[0] == emphasis
    assert surname(badge) == family
    assert written_without_spaces(full_name) is ("山" in full_name)
