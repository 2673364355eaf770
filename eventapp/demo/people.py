"""Synthetic attendees: names (in their own scripts) and organisations from many countries and kinds.

Every person is derived from their index alone, so attendee 17 is the same person whether 20 or 2,000
are asked for: running the demo again adds the missing ones and duplicates nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# country code -> (given names, family names); each name is (as written, Latin letters for the e-mail)
NAMES: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {
    "GB": ([("Amelia", "amelia"), ("James", "james"), ("Siobhán", "siobhan"), ("Oliver", "oliver")],
           [("Hughes", "hughes"), ("O'Connor", "oconnor"), ("Patel", "patel"), ("Clarke", "clarke")]),
    "KE": ([("Wanjiru", "wanjiru"), ("Otieno", "otieno"), ("Achieng", "achieng"), ("Kamau", "kamau")],
           [("Mwangi", "mwangi"), ("Odhiambo", "odhiambo"), ("Njoroge", "njoroge"), ("Kiprono", "kiprono")]),
    "NG": ([("Chiamaka", "chiamaka"), ("Oluwaseun", "oluwaseun"), ("Ifeoma", "ifeoma"), ("Tunde", "tunde")],
           [("Adeyemi", "adeyemi"), ("Okafor", "okafor"), ("Bello", "bello"), ("Eze", "eze")]),
    "IQ": ([("زينب", "zainab"), ("علي", "ali"), ("مريم", "maryam"), ("حسين", "hussein")],
           [("الجبوري", "aljubouri"), ("الكعبي", "alkaabi"), ("التميمي", "altamimi"), ("العبيدي", "alobaidi")]),
    "JO": ([("ليلى", "layla"), ("عمر", "omar"), ("Rania", "rania"), ("Khaled", "khaled")],
           [("الحسن", "alhassan"), ("Haddad", "haddad"), ("النمر", "alnimer"), ("Khoury", "khoury")]),
    "CN": ([("伟", "wei"), ("芳", "fang"), ("静", "jing"), ("Li Na", "lina")],
           [("王", "wang"), ("李", "li"), ("张", "zhang"), ("Chen", "chen")]),
    "IN": ([("प्रिया", "priya"), ("Arjun", "arjun"), ("अनिल", "anil"), ("Deepa", "deepa")],
           [("शर्मा", "sharma"), ("Iyer", "iyer"), ("वर्मा", "verma"), ("Nair", "nair")]),
    "UA": ([("Олена", "olena"), ("Андрій", "andriy"), ("Iryna", "iryna"), ("Тарас", "taras")],
           [("Шевченко", "shevchenko"), ("Коваленко", "kovalenko"), ("Bondarenko", "bondarenko"),
            ("Мельник", "melnyk")]),
    "FR": ([("Émilie", "emilie"), ("François", "francois"), ("Hélène", "helene"), ("Jérôme", "jerome")],
           [("Lefèvre", "lefevre"), ("Dubois", "dubois"), ("Garçon", "garcon"), ("Rousseau", "rousseau")]),
    "BR": ([("João", "joao"), ("Ana Luíza", "analuiza"), ("Gonçalo", "goncalo"), ("Márcia", "marcia")],
           [("Araújo", "araujo"), ("Conceição", "conceicao"), ("Silva", "silva"), ("Gonçalves", "goncalves")]),
    "MM": ([("Aung", "aung"), ("Thandar", "thandar"), ("Min", "min"), ("Su", "su")],
           [("Kyaw", "kyaw"), ("Win", "win"), ("Htun", "htun"), ("Myint", "myint")]),
    "ET": ([("Selam", "selam"), ("Dawit", "dawit"), ("Hana", "hana"), ("Yonas", "yonas")],
           [("Tesfaye", "tesfaye"), ("Bekele", "bekele"), ("Girma", "girma"), ("Alemu", "alemu")]),
    "PK": ([("Ayesha", "ayesha"), ("Imran", "imran"), ("Fatima", "fatima"), ("Bilal", "bilal")],
           [("Khan", "khan"), ("Qureshi", "qureshi"), ("Malik", "malik"), ("Siddiqui", "siddiqui")]),
    "TN": ([("Sana", "sana"), ("Mehdi", "mehdi"), ("Amira", "amira"), ("Youssef", "youssef")],
           [("Ben Salah", "bensalah"), ("Trabelsi", "trabelsi"), ("Jaziri", "jaziri"), ("Mansour", "mansour")]),
}

# (organisation name, kind, country); the attendee's country is the organisation's.
ORGANISATIONS: list[tuple[str, str, str]] = [
    ("Cabinet Office of Kenya", "government", "KE"),
    ("Nigeria Governors' Forum Secretariat", "government", "NG"),
    ("Council of Representatives of Iraq, Research Directorate", "government", "IQ"),
    ("Jordan Ministry of Public Sector Development", "government", "JO"),
    ("Ukraine Reform Delivery Office", "government", "UA"),
    ("Myanmar Hluttaw Secretariat", "government", "MM"),
    ("Ethiopian Civil Service University", "academic", "ET"),
    ("Institute of Development Studies", "academic", "GB"),
    ("Overseas Development Institute", "ngo", "GB"),
    ("Westminster Foundation for Democracy", "ngo", "GB"),
    ("Transparency Advocates Network", "ngo", "PK"),
    ("Tunisian Association for Good Governance", "ngo", "TN"),
    ("Instituto de Gestão Pública", "ngo", "BR"),
    ("United Nations Development Programme", "multilateral", "US"),
    ("World Bank Governance Global Practice", "multilateral", "US"),
    ("OECD Public Governance Directorate", "multilateral", "FR"),
    ("Agence Française de Développement", "funder", "FR"),
    ("Open Society Foundations", "funder", "US"),
    ("Peer Learning Partners Ltd", "private", "GB"),
    ("中国发展研究中心", "academic", "CN"),
    ("भारतीय लोक प्रशासन संस्थान", "academic", "IN"),
    ("Civic Systems Consulting", "private", "IN"),
    ("Независимый центр реформ", "other", "UA"),
]

JOB_TITLES = [
    "Director of Programmes", "Senior Adviser", "Head of Governance", "Programme Manager",
    "Permanent Secretary", "Research Fellow", "Policy Officer", "Chief of Staff", "Deputy Director",
    "Monitoring and Evaluation Lead", "Country Representative", "Clerk of the Committee",
]
DIETARY = ["", "", "", "", "Vegetarian", "Vegan", "Halal", "No nuts", "Gluten-free"]
ACCESS = ["", "", "", "", "", "", "", "Step-free access, please", "Hearing loop"]


@dataclass(frozen=True)
class SyntheticAttendee:
    index: int
    given_name: str
    family_name: str
    full_name: str
    email: str
    organisation: tuple[str, str, str]
    job_title: str
    dietary_needs: str
    accessibility_needs: str
    consent_listed: bool
    # Indexes into the event's themed sessions, best first; popularity is skewed so rooms over-fill.
    ranking: tuple[int, ...]


def synthetic_attendee(index: int, session_count: int, seed: int = 2018) -> SyntheticAttendee:
    rng = random.Random(seed * 1_000_003 + index)
    name_by_org = rng.random() < 0.85
    organisation = rng.choice(ORGANISATIONS)
    country = organisation[2] if name_by_org and organisation[2] in NAMES else rng.choice(sorted(NAMES))
    givens, families = NAMES[country]
    given, given_latin = rng.choice(givens)
    family, family_latin = rng.choice(families)
    # Chinese and Myanmar names are written family name first.
    full = f"{family}{given}" if country == "CN" and not given.isascii() else f"{given} {family}"
    if country == "MM":
        full = f"{given} {family}"
    email = f"{given_latin}.{family_latin}.{index:05d}@example.org"
    weights = [3.0, 2.0, 1.0] + [1.0] * max(session_count - 3, 0)
    order = list(range(session_count))
    ranking: list[int] = []
    how_many = rng.choices([0, 1, 2, 3], weights=[1, 2, 3, 14])[0]
    for _ in range(min(how_many, session_count)):
        pick = rng.choices(order, weights=[weights[i] for i in order])[0]
        ranking.append(pick)
        order.remove(pick)
    return SyntheticAttendee(
        index=index,
        given_name=given,
        family_name=family,
        full_name=full,
        email=email,
        organisation=organisation,
        job_title=rng.choice(JOB_TITLES),
        dietary_needs=rng.choice(DIETARY),
        accessibility_needs=rng.choice(ACCESS),
        consent_listed=rng.random() < 0.8,
        ranking=tuple(ranking),
    )
