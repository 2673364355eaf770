"""The demo conference from the brief, and synthetic attendees so every page has something to show."""
