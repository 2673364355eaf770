"""Whatever a scanner reads, the API answers quickly and in JSON: unknown_code, or not_this_event, never a 500."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventapp.tokens import BADGE_ALPHABET, BADGE_CODE_PREFIX, BADGE_SECRET_LENGTH

from .conftest import code_of, make_other_event

QUICK_SECONDS = 1.0  # generous for a loaded CI machine; a scan takes a few milliseconds
FIXTURES_OK = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

SQL = [
    "' OR '1'='1", "EA1:' OR 1=1 --", "'; DROP TABLE registration; --", "EA1:%", "EA1:________________________%",
    "\" OR \"\"=\"", "1; SELECT pg_sleep(5)", "EA1:0000000000000000000000000' UNION SELECT badge_secret FROM registration--",
]

wrong_secret = st.text(alphabet=BADGE_ALPHABET, min_size=BADGE_SECRET_LENGTH, max_size=BADGE_SECRET_LENGTH).map(
    lambda s: BADGE_CODE_PREFIX + s
)
garbage = st.one_of(
    st.just(""),
    st.text(max_size=300),
    st.binary(max_size=300).map(lambda b: b.decode("utf-8", "surrogateescape")),  # lone surrogates and all
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
    st.integers(min_value=1_000, max_value=10_240).map(lambda n: "A" * n),
    st.text(min_size=1, max_size=64).map(lambda s: (s * 10_240)[:10_240]),  # 10 kB of anything
    st.text(alphabet=BADGE_ALPHABET, min_size=1, max_size=8).map(lambda s: BADGE_CODE_PREFIX + (s * 2_560)[:10_236]),
    st.sampled_from(SQL),
    wrong_secret,
    st.text(alphabet=BADGE_ALPHABET + "ILOU:-", max_size=40).map(lambda s: BADGE_CODE_PREFIX + s),
)


def _scan(client, slug, code, headers):
    started = time.perf_counter()
    response = client.post(f"/api/events/{slug}/checkin", json={"code": code}, headers=headers)
    return response, time.perf_counter() - started


def test_garbage_codes_are_unknown_quickly_and_never_500(app, demo_event, people, device_token):
    real = {code_of(p).upper() for p in people}
    client = app.test_client()
    headers = {"Authorization": f"Bearer {device_token}"}
    slowest = [0.0]

    @FIXTURES_OK
    @given(code=garbage)
    def check(code):
        if code.strip().upper() in real:  # pragma: no cover - 130 random bits
            return
        response, elapsed = _scan(client, demo_event.slug, code, headers)
        slowest[0] = max(slowest[0], elapsed)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert response.get_json()["result"] == "unknown_code"
        assert elapsed < QUICK_SECONDS

    check()
    assert slowest[0] < QUICK_SECONDS


def test_another_events_real_badge_is_not_this_event(app, demo_event, device_token):
    _, stranger = make_other_event()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {device_token}"}
    for variant in (code_of(stranger), code_of(stranger).lower(), f"  {code_of(stranger)}\r\n"):
        response, _ = _scan(client, demo_event.slug, variant, headers)
        assert response.get_json()["result"] == "not_this_event"


def test_raw_bodies_that_are_not_json_get_400_json(app, demo_event, device_token):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {device_token}"}

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=st.binary(max_size=2_000), content_type=st.sampled_from(["application/json", "text/plain", None]))
    def check(body, content_type):
        kwargs = {"data": body, "headers": headers}
        if content_type:
            kwargs["content_type"] = content_type
        response = client.post(f"/api/events/{demo_event.slug}/checkin", **kwargs)
        assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
        assert response.is_json
        if response.status_code == 200:  # the bytes happened to be JSON with a string "code"
            assert response.get_json()["result"] in {"unknown_code", "not_this_event"}

    check()
