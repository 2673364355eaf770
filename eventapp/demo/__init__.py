"""The demo conference from the brief (an event file, london-p2p-2018.yaml), and synthetic attendees so every page
has something to show."""
