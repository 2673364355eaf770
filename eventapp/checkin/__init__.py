"""Check-in: the scanner page, the check-in service and its API, scanner devices, live counts, the scan log."""
