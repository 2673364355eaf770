"""Outgoing mail: a queue in the database, SMTP or outbox-file delivery with retries, and the organiser page.

Other features call the service (``from eventapp.mail.service import queue_mail``) and, after the commit that
queued mail, ``from eventapp.mail.soon import deliver_soon``.
"""
