"""Public sign-up, the waiting list, the attendee's manage link and the organiser's list of registrations."""
