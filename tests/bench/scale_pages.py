"""What the scale benchmark requests: every page of every role, found again in a built database.

``catalogue()`` picks the subjects through the ORM (the largest unit and county, the committee
clerk, applicants in telling states) and names each page ``role:page``.  URLs come from ``reverse``
with the URL names, so moving views between apps (issue 11) changes nothing here as long as the
names stay; a name that no longer resolves is reported and skipped, not fatal.

``login`` is the one place that makes a client a signed-in user: when staff need a second factor
(``django_otp``), mark the session as verified there (see its docstring).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import Count
from django.urls import NoReverseMatch, reverse

from tests.bench.scale_data import import_first, model

DEEP = 99999  # a number past the last page answers the last page (read backwards, portal.paging)


@dataclass
class Page:
    name: str
    user: object | None  # None: anonymous
    url: str = ""
    method: str = "get"
    data: dict | Callable[[], dict] = field(default_factory=dict)  # a callable gives fresh files each time
    expect: tuple[int, ...] = (200,)
    call: Callable | None = None  # an export run in process instead of a request
    headers: dict = field(default_factory=dict)
    cleanup: Callable | None = None  # undoes what the measured requests wrote
    serve: bool = True  # also measured against gunicorn by the concurrent mode
    follow: str = ""  # measure the page this one's pager links to (rel="prev": a full page deep in the list)

    @property
    def role(self) -> str:
        return self.name.split(":", 1)[0]


def login(client, user) -> None:
    """Sign ``client`` in as ``user`` without a password.

    When staff logins require TOTP (``django_otp``), also mark the session verified here, e.g.
    ``session[DEVICE_ID_SESSION_KEY] = device.persistent_id`` for a confirmed ``TOTPDevice`` of the
    user (created once per user), then ``session.save()``: every page of the benchmark signs in here.
    """
    client.force_login(user)
    device = _second_factor(user)
    if device is not None:
        from django_otp import DEVICE_ID_SESSION_KEY

        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device
        session.save()


def _second_factor(user) -> str | None:
    """The persistent id of a confirmed TOTP device of ``user`` when staff need a second factor
    (created once), else None."""
    try:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from portal.accounts.otp import needs_second_factor
    except ImportError:
        return None
    if not needs_second_factor(user):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="scale benchmark", confirmed=True)
    return device.persistent_id


def session_cookie(user) -> str:
    """A session for ``user`` in the session store the served portal reads (for the concurrent
    mode): the value of the ``sessionid`` cookie.  Same TOTP note as ``login``."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # The first backend that can load the user back (django-axes' backend, first since main added
    # it, only checks logins: a session naming it is anonymous).
    from django.contrib.auth import load_backend

    store[BACKEND_SESSION_KEY] = next(path for path in settings.AUTHENTICATION_BACKENDS
                                      if callable(getattr(load_backend(path), "get_user", None)))
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = _second_factor(user)
    if device is not None:
        from django_otp import DEVICE_ID_SESSION_KEY

        store[DEVICE_ID_SESSION_KEY] = device
    store.save()
    return store.session_key


def _url(name: str, *args, query: str = "") -> str:
    # Percent-encoded (names are Chinese): wrk sends the URL as given.
    return reverse(name, args=args) + (f"?{quote(query, safe='=&')}" if query else "")


@dataclass
class Subjects:
    """Who and what the pages are about."""

    campaign: object
    clerk: object
    admin: object
    unit_officer: object
    county_officer: object
    draft: object  # applications
    returned: object
    certified: object
    unit_app: object
    county_app: object
    committee_app: object
    fee_paid_app: object
    session: object
    certificate: object
    review_form: object
    biggest_unit: object
    rush: list


def subjects() -> Subjects:
    Application, User, Unit = model("Application"), model("User"), model("Unit")
    campaign = model("Campaign").objects.get(code="demo")
    unit = (Unit.objects.annotate(n=Count("applications")).order_by("-n", "id").first())
    county_id = (Application.objects.values("unit__county").annotate(n=Count("id")).order_by("-n")
                 .first()["unit__county"])
    apps = Application.objects.filter(campaign=campaign).exclude(applicant__username__startswith="rush-")

    def first(**filters):
        return apps.filter(**filters).annotate(scans=Count("attachments")).order_by("-scans", "id").first()

    draft = first(state="draft")
    return Subjects(
        campaign=campaign, clerk=User.objects.get(username="pingwei"), admin=User.objects.get(username="admin"),
        unit_officer=User.objects.get(role="unit_officer", unit=unit),
        county_officer=User.objects.get(role="county_officer", county_id=county_id),
        draft=draft, returned=first(state="returned"), certified=first(state="certified"),
        unit_app=first(state="unit_review", unit=unit), county_app=first(state="county_review", unit__county_id=county_id),
        committee_app=first(state="committee_review"), fee_paid_app=first(state="fee_paid"),
        session=(model("DefenseSession").objects.filter(campaign=campaign, place__gt="")
                 .annotate(n=Count("records")).order_by("-n").first()),
        certificate=model("Certificate").objects.order_by("id").first(),
        review_form=model("Document").objects.filter(kind="review_form", is_current=True).order_by("id").first(),
        biggest_unit=unit,
        rush=list(Application.objects.filter(applicant__username__startswith="rush-").select_related("applicant")
                  .order_by("id")),
    )


def catalogue(s: Subjects | None = None) -> tuple[list[Page], list[str]]:
    """Every page, and the names skipped because their URL no longer resolves."""
    s = s or subjects()
    c = s.campaign.code
    camp = f"campaign={c}"
    pages: list[Page] = []
    skipped: list[str] = []

    def add(name, user, url_name, *args, query="", **kwargs):
        try:
            pages.append(Page(name, user, _url(url_name, *args, query=query), **kwargs))
        except NoReverseMatch:
            skipped.append(name)

    # -- the public -------------------------------------------------------------------------
    add("public:home", None, "home")
    add("public:selfcheck", None, "applications:selfcheck")
    add("public:lookup_form", None, "aftercare:certificate_lookup")
    if s.certificate:
        add("public:lookup", None, "aftercare:certificate_lookup", method="post", serve=False,
            data={"id_number": s.certificate.id_number, "name": s.certificate.holder_name})
        add("public:certificate_verify", None, "aftercare:certificate_verify", query=f"number={s.certificate.number}")
        add("public:certificate_qr", None, "aftercare:certificate_qr", s.certificate.token)
    if s.review_form:
        add("public:document_verify", None, "documents:verify", s.review_form.verify_code)

    # -- applicants -------------------------------------------------------------------------
    d, r, k = s.draft, s.returned, s.certified
    add("applicant:dashboard", d.applicant, "dashboard")
    add("applicant:profile", d.applicant, "applications:profile")
    add("applicant:new", d.applicant, "applications:new")
    add("applicant:overview", d.applicant, "applications:overview", d.code)
    add("applicant:section_basic", d.applicant, "applications:section", d.code, "basic")
    add("applicant:section_ce", d.applicant, "applications:section", d.code, "ce")
    add("applicant:checklist", d.applicant, "applications:checklist", d.code)
    add("applicant:preview", d.applicant, "applications:preview", d.code)
    add("applicant:masking", d.applicant, "applications:masking", d.code)
    scan = model("Attachment").objects.filter(application=d).order_by("id").first()
    if scan:
        add("applicant:scan_thumb", d.applicant, "applications:attachment_file", scan.uid, "thumb")
    if r:
        add("applicant:overview_returned", r.applicant, "applications:overview", r.code)
    add("applicant:home_certified", k.applicant, "dashboard")
    add("applicant:history", k.applicant, "review:history", k.pk)
    add("applicant:notifications", k.applicant, "review:notifications")
    add("applicant:aftercare", k.applicant, "aftercare:mine", k.code)
    add("applicant:documents", k.applicant, "documents:mine")
    add("applicant:documents_application", k.applicant, "documents:application", k.pk)

    # -- unit and county officers -----------------------------------------------------------
    for role, officer, app, own in (("unit", s.unit_officer, s.unit_app, "unit_review"),
                                    ("county", s.county_officer, s.county_app, "county_review")):
        add(f"{role}:dashboard", officer, "dashboard")
        add(f"{role}:queue", officer, "review:queue")
        add(f"{role}:queue_deep", officer, "review:queue", query=f"state={own}&page={DEEP}", follow="prev")
        add(f"{role}:queue_all_deep", officer, "review:queue", query=f"state=&page={DEEP}", follow="prev")
        # A broad search (the ID numbers' region code: everyone of the prefecture) fills a page at any size.
        add(f"{role}:queue_search", officer, "review:queue", query=f"state=&q={app.applicant.id_number[:6]}")
        add(f"{role}:detail", officer, "review:detail", app.pk)
        add(f"{role}:aftercare", officer, "aftercare:unit")
        add(f"{role}:aftercare_deep", officer, "aftercare:unit", query=f"page={DEEP}", follow="prev")
        add(f"{role}:exports", officer, "documents:exports")
        add(f"{role}:notifications", officer, "review:notifications")
        first_scan = model("Attachment").objects.filter(application=app).order_by("id").first()
        add(f"{role}:scan", officer, "review:attachment", first_scan.pk)

    # -- the committee clerk ----------------------------------------------------------------
    clerk = s.clerk
    add("clerk:dashboard", clerk, "dashboard")
    add("clerk:queue", clerk, "review:queue")
    add("clerk:queue_deep", clerk, "review:queue", query=f"state=committee_review&page={DEEP}", follow="prev")
    add("clerk:queue_accepted_deep", clerk, "review:queue", query=f"state=accepted&page={DEEP}", follow="prev")
    add("clerk:queue_all_deep", clerk, "review:queue", query=f"state=&page={DEEP}", follow="prev")
    add("clerk:queue_search", clerk, "review:queue", query=f"state=&q={s.committee_app.code}")
    add("clerk:detail", clerk, "review:detail", s.committee_app.pk)
    add("clerk:history", clerk, "review:history", s.committee_app.pk)
    add("clerk:notifications", clerk, "review:notifications")
    add("clerk:aftercare", clerk, "aftercare:index", query=camp)
    add("clerk:aftercare_deep", clerk, "aftercare:index", query=f"{camp}&page={DEEP}", follow="prev")
    # Broad, as the queues' search: a full page at any size (a full name finds more namesakes, up
    # to a page, the larger the campaign).
    add("clerk:aftercare_search", clerk, "aftercare:index", query=f"{camp}&q={k.applicant.id_number[:6]}")
    add("clerk:aftercare_application", clerk, "aftercare:application", s.fee_paid_app.pk)
    add("clerk:fees", clerk, "aftercare:fees", query=camp)
    add("clerk:fees_deep", clerk, "aftercare:fees", query=f"{camp}&page={DEEP}", follow="prev")
    add("clerk:fees_unit", clerk, "aftercare:fees", query=f"{camp}&unit={s.biggest_unit.pk}")
    add("clerk:defense", clerk, "aftercare:defense", query=camp)
    if s.session:
        add("clerk:defense_session", clerk, "aftercare:session", s.session.pk)
        add("clerk:defense_panel", clerk, "aftercare:session_panel", s.session.pk)
    add("clerk:results", clerk, "aftercare:results", query=camp)
    add("clerk:publicity_list_xlsx", clerk, "aftercare:publicity_list", "xlsx", query=camp)
    add("clerk:certificates", clerk, "aftercare:certificates", query=camp)
    add("clerk:integrity", clerk, "aftercare:integrity")
    add("clerk:exports", clerk, "documents:exports")
    add("clerk:documents_application", clerk, "documents:application", k.pk)
    add("clerk:scan_masked", clerk, "review:attachment",
        model("Attachment").objects.filter(application=s.committee_app, needs_masking=True).order_by("id").first().pk)

    # -- the administrator ------------------------------------------------------------------
    add("admin:dashboard", s.admin, "dashboard")
    add("admin:queue_deep", s.admin, "review:queue", query=f"state=&page={DEEP}", follow="prev")
    add("admin:application_changelist", s.admin, "admin:applications_application_changelist")

    # -- exports as the worker renders them ---------------------------------------------------
    for kind in ("roster_xlsx", "fee_list_xlsx"):
        pages.append(Page(f"export:{kind}_committee", None, call=_export(kind, s), serve=False))
    pages.append(Page("export:publicity_list_xlsx", None, call=_publicity_list(s), serve=False))
    return pages, skipped


def follow_links(pages: list[Page], client_for: Callable) -> None:
    """Point each page with ``follow`` at the URL its pager links to (``rel="prev"`` of the last
    page: the page before it, full, reached by its cursor as a clerk clicking 上一页 would).  A page
    with no such link (one page only) stays where it is."""
    for page in pages:
        if not page.follow:
            continue
        html = client_for(page.user).get(page.url).content.decode()
        found = re.search(rf'<a href="(\?[^"]*)" rel="{page.follow}"', html)
        if found:
            page.url = page.url.split("?", 1)[0] + found.group(1).replace("&amp;", "&")


def _publicity_list(s: Subjects) -> Callable:
    """Render the results publicity list's XLSX as the worker does (a new version each time)."""
    def run() -> None:
        Document = model("Document")
        services = import_first("documents.services", "review.documents.services")
        count = Document.objects.filter(series_key__startswith="bench-run:publicity_list_xlsx:").count()
        document = Document.objects.create(
            kind="publicity_list_xlsx", series_key=f"bench-run:publicity_list_xlsx:{count}", version=1,
            campaign=s.campaign, scope_kind="campaign", scope_id=s.campaign.pk, scope_label=str(s.campaign.committee))
        services.document_render(document_id=document.pk)
    return run


def _export(kind: str, s: Subjects) -> Callable:
    """Render one export of the committee's scope through the worker's service (data, file, store)."""
    def run() -> None:
        services = import_first("documents.services", "review.documents.services")
        Document = model("Document")
        count = Document.objects.filter(series_key__startswith=f"bench-run:{kind}:").count()
        document = Document.objects.create(
            kind=kind, series_key=f"bench-run:{kind}:{count}", version=1, campaign=s.campaign,
            scope_kind="committee", scope_id=s.campaign.committee_id, scope_label=str(s.campaign.committee),
            options={"include": "accepted"})
        services.document_render(document_id=document.pk)
    return run


__all__ = ["DEEP", "Page", "Subjects", "catalogue", "follow_links", "login", "session_cookie", "subjects"]
