"""What the applicant owns and what it is measured against: reference data, campaigns (one per
notice), the applicant's profile, applications with their sections, uploaded scans, state and
history."""

from .access import AccessEvent, AccessWhat
from .application import Application, ApplicationSection, ProfileSection
from .attachment import Attachment, Processing
from .campaign import (
    Campaign,
    CampaignContact,
    CampaignFee,
    ContinuingEducationRule,
    MaterialRequirement,
    PaperItem,
)
from .history import ReturnNote, StateChange
from .reference import Committee, County, Level, Series, Specialty, TitleName, Unit

__all__ = [
    "AccessEvent",
    "AccessWhat",
    "Application",
    "ApplicationSection",
    "Attachment",
    "Campaign",
    "CampaignContact",
    "CampaignFee",
    "Committee",
    "ContinuingEducationRule",
    "County",
    "Level",
    "MaterialRequirement",
    "PaperItem",
    "Processing",
    "ProfileSection",
    "ReturnNote",
    "Series",
    "Specialty",
    "StateChange",
    "TitleName",
    "Unit",
]
