"""Headless Chromium from Debian's package, driven by Playwright (which never downloads a browser here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"
# Without these Chromium keeps trying to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (make test does when run as root)")


@contextmanager
def chromium_page(extra_args: list[str] | None = None, **context_options) -> Iterator:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS + (extra_args or []))
        try:
            context = browser.new_context(**context_options)
            yield context.new_page()
        finally:
            browser.close()


def log_in(page, base: str, email: str, password: str) -> None:
    """Log a staff member in through the login page, as a person does, and wait for the organiser pages."""
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/organiser/**")


SHOTS = os.environ.get("EVENTAPP_SCREENSHOTS")


def shoot(page, name: str) -> None:
    """A full-page screenshot, named for the page, its width and colour scheme, when EVENTAPP_SCREENSHOTS names a
    folder (for a person to look at)."""
    if SHOTS:
        from pathlib import Path

        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        scheme = page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'")
        page.screenshot(path=f"{SHOTS}/{name}-{page.viewport_size['width']}-{scheme}.png", full_page=True)
