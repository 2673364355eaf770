"""Events and their themed sessions: look-ups and the overview figures other features show."""
