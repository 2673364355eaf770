"""Messages an organiser writes to a group of an event's attendees."""
