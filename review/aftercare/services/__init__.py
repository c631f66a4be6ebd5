"""Writes after acceptance: receipts, payments, defense, decisions, certificates, fraud — one
module per sub-domain (``paper``, ``fees``, ``defense``, ``results``, ``certificates``,
``integrity``), re-exported here.

Every service takes keyword-only arguments, checks who acts (``permissions.can_manage``: the
committee clerk of the application's committee or an administrator) and when (the campaign's
paper and fee windows; an administrator may record outside them with a reason, stored on the
record), writes its rows in one transaction with the application row locked, writes one audit
event per change in that transaction (``portal.audit``), and then asks ``aftercare_advance`` to
move the state on through the one door (``review.services.application_transition``) as far as
the records allow:

    accepted ──paper complete──▶ paper_received ──fee settled──▶ fee_paid ──exempt──▶ defense_exempt
                                                                        └──session──▶ defense_scheduled

Paper and fee may arrive in either order (001's fee window precedes its paper window): a
payment recorded while paper is still missing waits in its record, and the receipt that
completes the paper moves the application through both steps at once.

Refusals raise ``RecordRefused`` (or the one door's ``TransitionRefused``; both are
``portal.errors.Refused``) with a message in Chinese; nothing is written then.  Batch services
handle each application on its own and report every refusal with its reason, like
``review.services.applications_batch_approve``.
"""

from ..permissions import RecordRefused
from .certificates import certificate_render_request, certificates_issue
from .common import OPEN_AFTER_ACCEPTANCE, Outcome, aftercare_advance, defense_record_ensure
from .defense import (
    defense_exemptions_apply,
    defense_outcome_record,
    defense_schedule,
    defense_session_save,
)
from .fees import fee_batch_record, fee_payment_record
from .integrity import ban_summary, integrity_record_create, integrity_record_write
from .paper import delivering_units, paper_receipt_remove, paper_receipts_record, paper_receipts_record_bulk
from .results import decisions_record, result_publicity_set

__all__ = [
    "OPEN_AFTER_ACCEPTANCE", "Outcome", "RecordRefused", "aftercare_advance", "ban_summary",
    "certificate_render_request", "certificates_issue", "decisions_record", "defense_exemptions_apply",
    "defense_outcome_record", "defense_record_ensure", "defense_schedule", "defense_session_save",
    "fee_batch_record", "fee_payment_record", "integrity_record_create", "integrity_record_write",
    "delivering_units", "paper_receipt_remove", "paper_receipts_record", "paper_receipts_record_bulk",
    "result_publicity_set",
]
