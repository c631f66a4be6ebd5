"""The leak audit (issue 12 item 5): the demo's applications in every state, every URL pattern of
the portal with every plausible parameter, as every committee-side role; nothing names, pictures
or identifies an applicant the committee has not accepted.  And the audit catches a view that
does (a planted leak)."""

from __future__ import annotations

import time

import pytest
from django.http import Http404, HttpResponse
from django.urls import include, path

from applications import demo as applications_demo
from applications.models import Application
from applications.states import State
from portal.accounts.models import Role, User
from review import demo as review_demo
from review.access import _COMMITTEE_SIDE, committee_side_register
from review.aftercare import demo as aftercare_demo
from review.aftercare import ratelimit
from review.documents.models import DocumentKind
from review.documents.scope import export_scope_of
from review.documents.services import document_render, export_request, prefilled_request

from .leak_audit import audit, candidates_from_database, portal_urls, secrets_of_unaccepted

EXPERT = "expert"


def _expert_committee(user):
    return user.committee_id if getattr(user, "role", None) == EXPERT else None


@pytest.fixture
def expert_role():
    """A second committee-side role registered with one call, as the committee meeting's experts
    will be (another branch)."""
    committee_side_register(_expert_committee)
    yield
    _COMMITTEE_SIDE.remove(_expert_committee)


@pytest.fixture
def seeded(reference, private_storage, expert_role, monkeypatch):
    """The demo (every state of the chain and after acceptance), distinct phone numbers for the
    applicants, and documents in storage: a pre-filled template and a unit roster of applications
    still in review, the committee's roster."""
    # The public look-ups' rate limits would answer 429 before the page is read.
    for name in ratelimit.DEFAULTS:
        monkeypatch.setitem(ratelimit.DEFAULTS, name, (10**6, 600))
    for module in (applications_demo, review_demo, aftercare_demo):
        module.build()
    for index, user in enumerate(User.objects.filter(role=Role.APPLICANT).order_by("pk")):
        User.objects.filter(pk=user.pk).update(phone=f"1380991{index:04d}")
    in_review = Application.objects.filter(state=State.COMMITTEE_REVIEW).first()
    document = prefilled_request(application=in_review, key="commitment", user=in_review.applicant)
    document_render(document_id=document.pk)
    danwei = User.objects.get(username="danwei")
    roster = export_request(user=danwei, scope=export_scope_of(danwei), campaign=in_review.campaign,
                            kind=DocumentKind.ROSTER_XLSX, include="submitted")
    document_render(document_id=roster.pk)
    clerk = User.objects.get(username="pingwei")
    committee = export_request(user=clerk, scope=export_scope_of(clerk), campaign=in_review.campaign,
                               kind=DocumentKind.ROSTER_XLSX, include="submitted")
    document_render(document_id=committee.pk)
    expert = User.objects.create(username="expert1", real_name="评审专家甲", role=EXPERT,
                                 committee_id=clerk.committee_id)
    return {"clerk": clerk, "expert": expert}


def _check_seed(secrets) -> None:
    states = set(Application.objects.values_list("state", flat=True))
    assert {State.DRAFT, State.UNIT_REVIEW, State.COUNTY_REVIEW, State.COMMITTEE_REVIEW, State.RETURNED,
            State.CLOSED, State.ABANDONED, State.ACCEPTED, State.DECIDED} <= states
    assert len(secrets.applications) >= 8 and len(secrets.texts) >= 24 and secrets.blobs


def test_leak_audit_finds_nothing(client, seeded):
    secrets = secrets_of_unaccepted()
    _check_seed(secrets)
    candidates = candidates_from_database(secrets)
    started = time.monotonic()
    run = audit(client, seeded, secrets, candidates)
    elapsed = time.monotonic() - started
    assert run.findings == [], "\n".join(map(str, run.findings[:40]))
    assert run.statuses.get(200, 0) > 50  # the walk did read pages, not only 404s
    slowest = sorted(run.seconds.items(), key=lambda kv: -kv[1])[:12]
    print(f"leak audit: {run.requests} requests in {elapsed:.1f} s, statuses {run.statuses}")
    print("\n".join(f"  {seconds:6.2f} s  {url}" for url, seconds in slowest))


def leaking_view(request, pk):
    """A page someone adds tomorrow and forgets to ask ``review.access``."""
    app = Application.objects.select_related("applicant").filter(pk=pk).first()
    if app is None:
        raise Http404
    return HttpResponse(f"<p>{app.code} {app.applicant.real_name}</p>")


urlpatterns = [path("", include("portal.urls")), path("new-page/<int:pk>/", leaking_view)]


def test_leak_audit_catches_a_planted_leak(client, seeded, settings):
    settings.ROOT_URLCONF = __name__
    secrets = secrets_of_unaccepted()
    candidates = candidates_from_database(secrets)
    # The walk finds the new pattern by itself (the resolver); only its URLs are requested here,
    # the rest of the portal is the other test's.
    known = {urls[0] for urls in portal_urls(candidates, urlconf="portal.urls")}
    run = audit(client, {"clerk": seeded["clerk"]}, secrets, candidates, only=lambda url: url not in known)
    leaks = {f.url for f in run.findings}
    assert leaks and all(url.startswith("/new-page/") for url in leaks), leaks
    hidden = {a.pk for a in secrets.applications}
    assert {int(url.split("/")[2]) for url in leaks} == hidden
