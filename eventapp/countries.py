"""ISO 3166 countries for forms and figures: code -> readable name."""

from functools import cache

from iso3166 import countries


@cache
def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha2, c.apolitical_name) for c in countries), key=lambda pair: pair[1])


@cache
def _names() -> dict[str, str]:
    return dict(country_choices())


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return _names().get(code.upper(), code)
