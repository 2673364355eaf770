"""One mailbox, one registration: an address typed in NFC or NFD, with its domain in Unicode, in capitals or as
`xn--`, is one address, on every path that takes one and in the database's own uniqueness."""

import unicodedata

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from eventapp.models import OutboundMail, Registration, RegistrationStatus
from eventapp.registration import addresses

from ..smtp import SMTPServer
from .helpers import form_data

NFC_JOSE = unicodedata.normalize("NFC", "josé@example.org")
NFD_JOSE = unicodedata.normalize("NFD", "josé@example.org")
assert NFC_JOSE != NFD_JOSE

# (first spelling, second spelling of the same mailbox, what is stored)
SAME_MAILBOX = [
    pytest.param(NFC_JOSE, NFD_JOSE, NFC_JOSE, id="nfc-nfd"),
    pytest.param(NFD_JOSE, NFC_JOSE, NFC_JOSE, id="nfd-nfc"),
    pytest.param("ana@münchen.de", "ana@xn--mnchen-3ya.de", "ana@münchen.de", id="unicode-xn"),
    pytest.param("ana@XN--MNCHEN-3YA.DE", "ana@MÜNCHEN.de", "ana@münchen.de", id="xn-capitals"),
    pytest.param("JOSÉ@example.org", NFD_JOSE, "JOSÉ@example.org", id="non-ascii-case"),
    pytest.param("Ana@Example.ORG", "ana@example.org", "Ana@example.org", id="ascii-case"),
]


def _register(client, event, email, name="Ana Lúcia O'Brien"):
    return client.post(f"/events/{event.slug}/register", data=form_data(event, email=email, full_name=name))


@pytest.mark.parametrize("first, second, stored", SAME_MAILBOX)
def test_two_spellings_of_one_mailbox_register_once(client, demo_event, db, first, second, stored):
    before = db.session.query(Registration).count()
    assert _register(client, demo_event, first).status_code in (302, 303)
    _register(client, demo_event, second, name="Second Spelling")
    assert db.session.query(Registration).count() == before + 1
    [registration] = db.session.query(Registration).filter(Registration.full_name != "Second Spelling").filter(
        Registration.id > before).all()
    assert registration.email == stored
    kinds = [m.kind for m in db.session.query(OutboundMail).filter_by(registration_id=registration.id)]
    assert kinds == ["confirmed", "already_registered"]


@pytest.mark.parametrize("first, second, stored", SAME_MAILBOX[:4])
def test_a_manage_edit_cannot_take_another_spelling_of_a_taken_address(client, demo_event, db, first, second,
                                                                        stored):
    _register(client, demo_event, first)
    _register(client, demo_event, "other@example.org", name="Other Person")
    other = db.session.query(Registration).filter_by(email="other@example.org").one()
    response = client.post(f"/manage/{other.manage_secret}",
                           data=form_data(demo_event, email=second, full_name="Other Person"))
    assert response.status_code == 400
    assert "already uses this e-mail address" in response.get_data(as_text=True)
    db.session.expire_all()
    assert other.email == "other@example.org"


def test_a_manage_edit_stores_the_normal_form(client, demo_event, db):
    _register(client, demo_event, "mover@example.org")
    mover = db.session.query(Registration).filter_by(email="mover@example.org").one()
    response = client.post(f"/manage/{mover.manage_secret}", data=form_data(demo_event, email=NFD_JOSE))
    assert response.status_code == 302
    db.session.expire_all()
    assert (mover.email, mover.email_key) == (NFC_JOSE, NFC_JOSE)


@pytest.mark.parametrize("first, second, stored", SAME_MAILBOX)
def test_the_link_is_found_by_any_spelling(client, demo_event, db, first, second, stored):
    _register(client, demo_event, first)
    registration = db.session.execute(select(Registration).where(Registration.email == stored)).scalar_one()
    assert client.post(f"/events/{demo_event.slug}/register/resend",
                       data={"resend-email": second}).status_code == 200
    [mail] = db.session.query(OutboundMail).filter_by(kind="manage_link").all()
    assert mail.registration_id == registration.id


def test_the_database_keeps_one_live_registration_per_mailbox(app, demo_event, db):
    """Whatever code writes the row: the model stores the normal form and its key, and the unique index holds for
    the key even for a row written past the model."""
    from eventapp.tokens import new_badge_secret, new_manage_secret

    def person(email, status=RegistrationStatus.CONFIRMED):
        return Registration(event=demo_event, full_name="P", email=email, consent_privacy=True, status=status,
                            badge_secret=new_badge_secret(), manage_secret=new_manage_secret())

    db.session.add(person(NFC_JOSE))
    db.session.commit()
    db.session.add(person(NFD_JOSE.upper()))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    table = Registration.__table__
    with pytest.raises(IntegrityError):
        db.session.execute(insert(table).values(
            event_id=demo_event.id, full_name="Raw", email="anything", email_key=NFC_JOSE, consent_privacy=True,
            consent_listed=False, status="waitlisted", badge_secret="RAW1", manage_secret="raw1"))
    db.session.rollback()
    # a cancelled registration steps aside: its owner may register again
    db.session.execute(table.update().where(table.c.email_key == NFC_JOSE).values(status="cancelled"))
    db.session.add(person(NFD_JOSE))
    db.session.commit()
    assert db.session.query(Registration).filter_by(email_key=NFC_JOSE).count() == 2


def test_someone_who_cancelled_can_register_again(client, demo_event, db):
    _register(client, demo_event, "again@example.org")
    first = db.session.query(Registration).filter_by(email="again@example.org").one()
    client.post(f"/manage/{first.manage_secret}/cancel", data={"cancel-confirm": "y"})
    assert _register(client, demo_event, "Again@example.org").status_code == 303
    second = db.session.query(Registration).filter_by(email="Again@example.org").one()
    assert second.id != first.id and second.status == RegistrationStatus.CONFIRMED
    # the link asked for is the live registration's
    client.post(f"/events/{demo_event.slug}/register/resend", data={"resend-email": "again@example.org"})
    assert db.session.query(OutboundMail).filter_by(kind="manage_link").one().registration_id == second.id


@pytest.mark.parametrize("typed, smtputf8, envelope", [
    ("ana@xn--mnchen-3ya.de", False, "ana@xn--mnchen-3ya.de"),
    ("ana@münchen.de", False, "ana@xn--mnchen-3ya.de"),  # any mail server takes the ASCII form of the domain
    (NFD_JOSE, True, NFC_JOSE),  # an internationalised local part needs SMTPUTF8, and goes in NFC
])
def test_the_mail_goes_to_a_form_the_server_takes(make_app, demo_event, typed, smtputf8, envelope):
    server = SMTPServer(enable_SMTPUTF8=smtputf8).start()
    try:
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        with app.app_context():
            response = app.test_client().post(f"/events/{demo_event.slug}/register",
                                              data=form_data(demo_event, email=typed))
            assert response.status_code == 303
        assert [r.rcpt_tos for r in server.received] == [[envelope]]
    finally:
        server.stop()


@pytest.mark.parametrize("typed, normal, key", [
    ("  Ana@Example.ORG ", "Ana@example.org", "ana@example.org"),
    (NFD_JOSE, NFC_JOSE, NFC_JOSE),
    ("ana@xn--mnchen-3ya.de", "ana@münchen.de", "ana@münchen.de"),
    ("ÉLODIE@ÉCOLE.fr", "ÉLODIE@école.fr", "élodie@école.fr"),
])
def test_normal_form_and_key(typed, normal, key):
    from eventapp.registration.addresses import email_key, normalise_email

    assert normalise_email(typed) == normal and email_key(typed) == key and email_key(normal) == key


@pytest.mark.parametrize("typed, message", [
    ("", "Enter your e-mail address."),
    ("not-an-address", "Enter an e-mail address like name@example.org."),
    ("a@b", "Enter an e-mail address like name@example.org."),
    ("a" * 250 + "@example.org", "An e-mail address can be at most 254 characters long."),
])
def test_what_is_not_an_address(typed, message):
    from eventapp.registration.addresses import AddressError, normalise_email

    with pytest.raises(AddressError) as refused:
        normalise_email(typed)
    assert refused.value.message == message


@pytest.mark.parametrize("typed", ["Ana@Example.ORG", "josé@exämple.org", "jose@XN--EXMPLE-CUA.org", "ö@example.org"])
def test_the_shortcuts_for_a_normal_address_agree_with_the_full_parse(typed):
    normal = addresses.normalise_email(typed)
    assert addresses.key_of_normal(normal) == addresses.email_key(typed)
    assert addresses.recipient_of_normal(normal) == addresses.mail_recipient(typed)
