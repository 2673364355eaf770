"""Attendee badges: QR codes, sheet layout and PDF rendering."""
