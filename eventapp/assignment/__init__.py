"""Session assignment: attendees' ranked preferences to themed sessions, within room capacity."""
