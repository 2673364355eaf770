"""Sending what a page queued, once its answer is on its way: one hook for every blueprint whose changes mail."""

from __future__ import annotations

from flask import Blueprint, request

from .soon import deliver_soon


def deliver_after_changes(blueprint: Blueprint) -> None:
    """After each successful POST to ``blueprint`` (a change, which may have queued mail), start delivering in
    the background, so that nobody waits for the mail server."""

    @blueprint.after_request
    def _deliver_queued_mail(response):
        if request.method == "POST" and response.status_code < 400:
            deliver_soon()
        return response
