"""Data retention: attendees' personal data anonymised once the event's retention period is over, or at once."""
