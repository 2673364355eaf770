from eventapp.tokens import (
    BADGE_ALPHABET,
    badge_code,
    badge_secret_from_code,
    new_badge_secret,
    new_manage_secret,
)


def test_badge_secret_is_long_random_and_unambiguous():
    secrets = {new_badge_secret() for _ in range(1000)}
    assert len(secrets) == 1000
    for s in secrets:
        assert len(s) * 5 >= 128
        assert not set(s) & set("ILOU")
        assert set(s) <= set(BADGE_ALPHABET)


def test_badge_secret_uses_the_whole_alphabet_in_every_place():
    # 32 letters in 26 places: over 3,000 secrets each letter turns up in each place ~100 times; a bias (a letter
    # never drawn, a place stuck) would leave one out.
    secrets = [new_badge_secret() for _ in range(3000)]
    for place in range(26):
        assert {s[place] for s in secrets} == set(BADGE_ALPHABET)


def test_badge_code_round_trip_and_rejections():
    secret = new_badge_secret()
    code = badge_code(secret)
    assert code.startswith("EA1:")
    assert badge_secret_from_code(code) == secret
    assert badge_secret_from_code(" " + code.lower() + "\n") == secret
    assert badge_secret_from_code(secret) is None
    assert badge_secret_from_code("EA1:" + secret[:-1]) is None
    assert badge_secret_from_code("EA1:" + secret[:-1] + "I") is None


def test_manage_secret_differs_and_is_long():
    assert len(new_manage_secret()) >= 43
    assert new_manage_secret() != new_manage_secret()
