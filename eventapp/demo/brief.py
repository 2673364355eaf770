"""The London Conference on Peer-to-Peer Learning (7 February 2018), as the brief describes it."""

EVENT_SLUG = "london-p2p-2018"
EVENT_NAME = "The London Conference on Peer-to-Peer Learning and Institutional Partnerships"
EVENT_SUMMARY = (
    "Turning Aid Delivery on its Head: Fast-Tracking Institutional Development Through Peer-to-Peer "
    "Support. A conference bringing together key players delivering or funding peer-to-peer learning "
    "activities in developing countries, to share their own learning."
)
EVENT_OPENING = "Opened by the Minister of State for International Development, Harriett Baldwin."
EVENT_VENUE = "Central London"
EVENT_TIMEZONE = "Europe/London"
EVENT_CAPACITY = 100

# (name, kind, country, description)
CONVENORS = [
    (
        "Global Partners Governance (GPG)",
        "private",
        "GB",
        "A social purpose company established to support effective and representative politics by "
        "working with senior politicians, ministers and officials to help them identify and implement "
        "their own reforms.",
    ),
    (
        "Tony Blair Institute for Global Change (TBI)",
        "ngo",
        "GB",
        "Aims to help make globalisation work for the many, not the few, by helping countries, people "
        "and their governments address some of the most difficult challenges facing the world today.",
    ),
    (
        "National School of Government International (NSGI)",
        "government",
        "GB",
        "A small cross-cutting unit within the UK Government which supports centre of government and "
        "civil service reform through provision of 'practitioner-to-practitioner' advice and expertise.",
    ),
]
FUNDER = (
    "Department for International Development (DFID)",
    "funder",
    "GB",
    "The UK government department responsible for international development, which funded the conference.",
)

# (title, lead organisation name, description, room, capacity)
THEMED_SESSIONS = [
    (
        "Enabling 'sticky' behaviour change through peer-to-peer support",
        CONVENORS[0][0],
        "How peer-to-peer support helps reforms take hold and last after the support ends.",
        "Room A",
        35,
    ),
    (
        "Delivering support through relationships with counterparts",
        CONVENORS[1][0],
        "Building and sustaining the relationships with counterparts through which support is delivered.",
        "Room B",
        35,
    ),
    (
        "Understanding the impact of working peer-to-peer",
        CONVENORS[2][0],
        "How to understand, measure and communicate the impact of peer-to-peer working.",
        "Room C",
        35,
    ),
]
THEMED_SLOT_LABEL = "Themed sessions (parallel)"
