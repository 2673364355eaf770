"""Public pages anyone can read: the list of events and each event's programme."""
