"""Pages of the documents app.  Thin: check scope, ask a selector or a service, render.

Files are streamed from storage by ``download`` after the scope check; there is never a public
URL to a document.  The public verification page shows only what a printout already shows
(application code, committee) plus whether that version is still the current one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.access_log import AccessWhat, access_record, access_record_many
from applications.campaign_texts import review_form_title
from applications.models import Campaign
from applications.selectors import listed_name
from applications.states import AFTER_ACCEPTANCE
from portal.accounts.models import Role
from review.access import may_open_template
from review.selectors import applications_visible_to

from .exports import INCLUDE_ACCEPTED, INCLUDE_CHOICES
from .facts import mask_name
from .models import EXPORT_KINDS, Document, DocumentKind, DocumentStatus, normalise_verify_code
from .prefilled import TEMPLATES
from .scope import export_scope_of
from .selectors import applications_in_export, document_visible_to, export_campaigns, prefilled_of, recent_exports, review_forms_of
from .services import DocumentRefused, export_request, prefilled_existing, prefilled_request, review_form_queue


def _scope_or_404(user):
    scope = export_scope_of(user)
    if scope is None or user.role == Role.APPLICANT:
        raise Http404
    return scope


@login_required
@require_GET
def exports(request):
    """花名册与清单: the campaigns in the officer's scope, export buttons, recent exports."""
    scope = _scope_or_404(request.user)
    rows = export_campaigns(request.user)
    recent = recent_exports(scope)
    by_campaign: dict[int, list[Document]] = {}
    for document in recent:
        by_campaign.setdefault(document.campaign_id, []).append(document)
    for row in rows:
        row["documents"] = by_campaign.get(row["campaign"].pk, [])[:8]
    return render(request, "documents/exports.html", {
        "scope": scope, "rows": rows, "include_choices": INCLUDE_CHOICES, "include_default": INCLUDE_ACCEPTED,
        "kinds": [(k, DocumentKind(k).label) for k in EXPORT_KINDS],
        "any_running": any(d.in_progress for d in recent),
    })


@login_required
@require_POST
def export_create(request):
    scope = _scope_or_404(request.user)
    kind = request.POST.get("kind", "")
    campaign_ids = {row["campaign"].pk for row in export_campaigns(request.user)}
    try:
        campaign_id = int(request.POST.get("campaign", ""))
    except ValueError:
        campaign_id = None
    if campaign_id not in campaign_ids:
        messages.error(request, _("请选择本范围内有申报的年度评审工作。"))
        return redirect("documents:exports")
    if kind not in EXPORT_KINDS:
        messages.error(request, _("请选择要导出的文件类型。"))
        return redirect("documents:exports")
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    document = export_request(user=request.user, scope=scope, campaign=campaign, kind=kind,
                              include=request.POST.get("include", INCLUDE_ACCEPTED))
    messages.success(request, _("已排队：“%s”已开始生成，完成后可在下方下载。") % document.title)
    return redirect(f"{reverse('documents:exports')}#campaign-{campaign.pk}")


@login_required
@require_GET
def detail(request, uid):
    """The progress page of one document; offers the download when it is ready."""
    document = document_visible_to(request.user, uid)
    return render(request, "documents/detail.html", {"document": document})


@login_required
@require_GET
def status(request, uid):
    document = document_visible_to(request.user, uid)
    return JsonResponse({
        "status": document.status, "label": document.get_status_display(), "progress": document.progress,
        "ready": document.is_ready, "error": document.error,
        "download_url": reverse("documents:download", args=[document.uid]) if document.is_ready else "",
    })


@login_required
@require_GET
def download(request, uid):
    return _serve(request, document_visible_to(request.user, uid))


def _serve(request, document):
    """The file of a visible document, with its 查阅记录; the progress page while it renders."""
    if not document.is_ready:
        messages.info(request, _("文件尚未生成完成，请稍候。"))
        return redirect("documents:detail", uid=document.uid)
    if document.application_id is not None:
        access_record(request, application=document.application, what=AccessWhat.DOCUMENT,
                      detail=document.template_key or document.kind)
    else:
        access_record_many(user=request.user, application_ids=applications_in_export(document),
                           what=AccessWhat.EXPORT, detail=document.kind)
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename,
                            content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def mine(request):
    """打印与下载 for applicants: each own application with its review form and templates."""
    applications = list(applications_visible_to(request.user).filter(applicant=request.user)
                        .select_related("campaign__committee", "specialty__series", "level")
                        .order_by("-created_at"))
    forms = review_forms_of(a.pk for a in applications)
    for application in applications:
        application.review_form = forms.get(application.pk)
        application.accepted = application.state in AFTER_ACCEPTANCE
    return render(request, "documents/mine.html", {"applications": applications})


def _visible_application(user, pk):
    """The application if ``user`` may see it (``review.access``), else 404."""
    application = (applications_visible_to(user).select_related("campaign__committee", "specialty__series", "level",
                                                                 "unit", "applicant")
                   .filter(pk=pk).first())
    if application is None:
        raise Http404
    return application


def _may_regenerate(user, application) -> bool:
    return user.pk == application.applicant_id or user.role in (Role.COMMITTEE_CLERK, Role.ADMIN) or user.is_superuser


@login_required
@require_GET
def application_documents(request, pk):
    application = _visible_application(request.user, pk)
    review_form = review_forms_of([application.pk]).get(application.pk)
    may_template = may_open_template(request.user, application)
    done = prefilled_of(application.pk) if may_template else {}
    templates = [{"spec": spec, "document": done.get(key)} for key, spec in TEMPLATES.items()] if may_template else []
    access_record(request, application=application, what=AccessWhat.PAGE, detail="documents")
    return render(request, "documents/application.html", {
        "application": application, "review_form": review_form, "templates": templates,
        "form_title": review_form_title(application.campaign, application.kind),
        "accepted": application.state in AFTER_ACCEPTANCE,
        "may_regenerate": _may_regenerate(request.user, application),
    })


@login_required
@require_POST
def review_form_generate(request, pk):
    application = _visible_application(request.user, pk)
    if application.state not in AFTER_ACCEPTANCE:
        messages.error(request, _("评审委员会形式审核通过（已接收材料）后才能生成评审表。"))
    elif not _may_regenerate(request.user, application):
        raise Http404
    else:
        review_form_queue(application_id=application.pk, requested_by=request.user)
        messages.success(request, _("已排队：正在生成评审表；内容未变化时将保留当前版本及其验证码。"))
    return redirect("documents:application", pk=application.pk)


def _template_application(user, pk, key):
    """The application whose template ``key`` ``user`` may open (``review.access``), else 404."""
    application = _visible_application(user, pk)
    if key not in TEMPLATES or not may_open_template(user, application):
        raise Http404
    return application


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def prefilled(request, pk, key):
    """A pre-filled template.  GET only reads: the current PDF at once, the render under way, or
    the button that asks for it; the render is asked for by POST (no side effect on GET)."""
    application = _template_application(request.user, pk, key)
    if request.method == "POST":
        try:
            document = prefilled_request(application=application, key=key, user=request.user)
        except DocumentRefused as refused:
            messages.error(request, refused.message)
            return redirect("documents:application", pk=application.pk)
    else:
        document = prefilled_existing(application=application, key=key)
        if document is None:
            return render(request, "documents/prefilled.html", {"application": application, "spec": TEMPLATES[key]})
    if document.is_ready:
        return _serve(request, document)
    return redirect("documents:detail", uid=document.uid)


@require_GET
def verify(request, code=None):
    """Public: is the printout with this code genuine, and is it the current version?"""
    raw = code or request.GET.get("code", "")
    normalised = normalise_verify_code(raw)
    document = None
    if normalised:
        document = (Document.objects.select_related("application__applicant", "campaign__committee")
                    .filter(verify_code=normalised, kind=DocumentKind.REVIEW_FORM, status=DocumentStatus.READY).first())
    context = {"code": raw, "document": document, "searched": bool(raw)}
    if document is not None:
        context["masked_name"] = mask_name(listed_name(document.application))
        context["current"] = document.is_current and document.is_ready
        context["latest"] = (Document.objects.filter(series_key=document.series_key, is_current=True)
                             .exclude(pk=document.pk).only("version", "finished_at").first())
    status_code = 404 if raw and document is None else 200
    return render(request, "documents/verify.html", context, status=status_code)
