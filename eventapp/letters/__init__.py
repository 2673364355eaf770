"""The letters an event sends, each editable per event with the fixed placeholders (mail/placeholders.py)."""
