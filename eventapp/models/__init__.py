"""The whole schema: typed SQLAlchemy 2.0 models, with the rules the database itself enforces.

One module per part of the job; every model and type is importable from here, as before the split.
"""

from .checkin import CheckIn, ScanLog, ScannerDevice  # noqa: F401
from .events import Event, EventPartner, Organisation, ProgrammeChange, ThemedSession, TimeSlot  # noqa: F401
from .outputs import GroupMessage, Job, OutboundMail  # noqa: F401
from .people import Assignment, BadgeQr, Registration, ReplacedBadge, SessionPreference  # noqa: F401
from .report import ReportDraft, ReportRevision, ReportSection  # noqa: F401
from .staff import LetterTemplate, LoginFailure, StaffEvent, StaffToken, StaffTokenPurpose, StaffUser  # noqa: F401
from .survey import (  # noqa: F401
    QUESTION_KIND_LABELS,
    Certificate,
    QuestionKind,
    QuoteConsent,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyQuote,
    SurveyResponse,
)
from .types import (  # noqa: F401
    ORGANISATION_KIND_LABELS,
    AssignmentMethod,
    EventState,
    JobStatus,
    MailStatus,
    OrganisationKind,
    PartnerRole,
    RegistrationStatus,
    SectionStatus,
    StaffRole,
    UTCDateTime,
    enum_type,
    utcnow,
)
