"""The pages the workspace work changed, at a laptop's and a phone's width in light and dark mode: each opens, none
scrolls sideways, and (with EVENTAPP_SCREENSHOTS set) each is photographed for a person to look at."""

import pytest

from ..browser import shoot
from .site import logged_in, served_site

pytestmark = pytest.mark.browser

SIZES = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})


@pytest.fixture(scope="module")
def site(tmp_path_factory, migrated_database):
    from sqlalchemy import select

    from eventapp.extensions import db
    from eventapp.models import Registration, ThemedSession

    from ..conftest import _fresh_database

    def first_person_and_session(slug):
        return (db.session.execute(select(Registration.id).order_by(Registration.id)).scalars().first(),
                db.session.execute(select(ThemedSession.id).order_by(ThemedSession.id)).scalars().first())

    tmp = tmp_path_factory.mktemp("screens")
    with served_site(tmp, _fresh_database(migrated_database, tmp), first_person_and_session) as (base, slug, ids):
        yield base, slug, *ids


def _pages(slug: str, person: int, session: int) -> dict[str, str]:
    base = f"/organiser/events/{slug}"
    return {
        "overview": base,
        "registrations": f"{base}/registrations",
        "registrations-filtered": f"{base}/registrations?status=confirmed&checked_in=yes&sort=name&dir=asc",
        "person": f"{base}/registrations/{person}",
        "mail-log": f"{base}/mail",
        "report-section": f"{base}/report/sessions/{session}",
        "report-versions": f"{base}/report/sessions/{session}/revisions",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES, ids=["1280", "390"])
def test_changed_pages_fit_and_are_photographed(site, size, scheme):
    base, slug, person, session = site
    wide = []
    with logged_in(base, viewport=size, color_scheme=scheme) as page:
        for name, path in _pages(slug, person, session).items():
            if path is None:
                continue
            response = page.goto(base + path)
            if response.status == 404:
                continue  # a page another part of the work has not built yet
            assert response.status == 200, path
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                wide.append((path, widths))
            shoot(page, name)
        page.goto(f"{base}/organiser/events/{slug}/registrations")
        boxes = page.locator("input[name=registration_id]")
        boxes.nth(0).check()
        boxes.nth(1).check()
        page.get_by_role("button", name="Cancel registrations…").click()
        assert "This cancels 2 registrations." in page.content()
        shoot(page, "selection-cancel")
    assert wide == []
