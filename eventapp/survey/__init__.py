"""The feedback survey after an event: built by the organiser, sent to who came, answered through the manage link."""
