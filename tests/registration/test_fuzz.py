"""Whatever is typed into the form, the answer is a page or a field error, never a 500."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import form_data

FIELDS = ["full_name", "email", "organisation", "organisation_kind", "country", "job_title", "choice_1",
          "choice_2", "choice_3", "accessibility_needs", "dietary_needs", "consent_privacy", "consent_listed"]

values = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["", "0", "-1", "99999999999999999999", "1.5", "' OR 1=1 --", "<b>x</b>", "\x00", "ngo",
                     "GB", "a@b.co", "y", "on"]),
    st.integers().map(str),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(FIELDS), st.one_of(values, st.none()), max_size=6),
       email=st.emails())
def test_no_input_gives_a_500(client, demo_event, changes, email):
    data = form_data(demo_event, email=email)
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(f"/events/{demo_event.slug}/register", data=data)
    assert response.status_code in (303, 400), response.status_code
