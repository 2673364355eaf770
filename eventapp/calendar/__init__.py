"""Calendar files for attendees: the event and their sessions, attached to mails and on the manage page."""
