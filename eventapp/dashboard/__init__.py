"""The organiser dashboard: each event at a glance."""
