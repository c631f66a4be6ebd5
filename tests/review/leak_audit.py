"""The leak audit (issue 12 item 5): walk every URL pattern of the portal with every plausible
parameter, as a committee-side user, and search every answer for who the not-yet-accepted
applicants are.

- **Secrets**: the names, ID numbers and phone numbers of every applicant none of whose
  applications the committee has accepted (``review.access.was_accepted``), and the bytes of their
  unmasked scans, thumbnails and photos.
- **URLs**: the resolver is walked (``get_resolver().url_patterns``), so a pattern added tomorrow is
  requested tomorrow without a list to update.  Each converter gets the values of its kind and
  name: ``int`` the ids of applications, scans, defense sessions and certificates; ``uuid`` those
  of scans and documents; ``str`` application codes, verification codes and certificate tokens;
  ``slug`` the actions, variants, template / section keys and formats the portal knows, by the
  parameter's name.  Pages without parameters are also asked with ``?campaign=`` and ``?state=``.
- **Answers** (redirects followed): HTML / JSON / text, PDF text (pypdf and ``pdftotext -raw``,
  which reads the rotated watermark runs) and metadata, XLSX cells and properties, any other body
  as bytes (compared with the stored originals by SHA-256, and searched for the secrets as
  UTF-8), and the headers (file names).
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import get_resolver
from django.urls.resolvers import RoutePattern, URLPattern, URLResolver

from applications.models import Application, Attachment
from applications.states import State
from review.access import VARIANTS, was_accepted

SLOTS_SENSITIVE = {"photo", "publicity", "publicity_result"}


@dataclass
class Secrets:
    texts: dict[str, str] = field(default_factory=dict)  # secret text -> whose
    blobs: dict[str, str] = field(default_factory=dict)  # sha256 -> what
    applications: list[Application] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def _read(fieldfile) -> bytes:
    with fieldfile.open("rb") as handle:
        return handle.read()


def secrets_of_unaccepted() -> Secrets:
    """What the committee side must never learn before acceptance."""
    apps = list(Application.objects.select_related("applicant").all())
    accepted_people = {a.applicant_id for a in apps if was_accepted(a)}
    public = set()
    for app in apps:
        if app.applicant_id in accepted_people:
            snapshot = app.snapshot or {}
            public |= {app.applicant.real_name, app.applicant.id_number, app.applicant.phone,
                       snapshot.get("name"), snapshot.get("id_number"), snapshot.get("phone")}
    found = Secrets()
    for app in apps:
        if app.applicant_id in accepted_people:
            continue
        found.applications.append(app)
        snapshot = app.snapshot or {}
        user = app.applicant
        for value in (user.real_name, user.id_number, user.phone, snapshot.get("name"), snapshot.get("id_number"),
                      snapshot.get("phone")):
            if value and len(value) >= 2 and value not in public:
                found.texts[value] = f"{user.real_name} ({app.code}, {app.state})"
        for attachment in app.attachments.all():
            sensitive = (attachment.slot in SLOTS_SENSITIVE or attachment.needs_masking is not False
                         or not attachment.is_image)
            if not sensitive:
                continue
            found.attachments.append(attachment)
            for variant, fieldfile in (("original", attachment.file), ("thumbnail", attachment.thumbnail)):
                if fieldfile:
                    digest = hashlib.sha256(_read(fieldfile)).hexdigest()
                    found.blobs[digest] = f"{variant} of {attachment.slot} of {app.code}"
    return found


# -- the URL walk ------------------------------------------------------------------------------------

@dataclass
class Candidates:
    """Plausible values by converter.  A pattern with one parameter (besides slugs) gets every
    value of its kind; a pattern with several gets them per *bundle* (one application's id, code,
    scans' ids and UUIDs, documents' UUIDs), since only matching values reach a view's object."""

    ints: list[str]
    uuids: list[str]
    strs: list[str]
    slugs: dict[str, list[str]]  # by parameter name; "*" for any other name
    query: list[str]  # query strings tried on pages without parameters
    bundles: list[dict[str, list[str]]] = field(default_factory=list)
    # The values a path's own words make plausible (``attachments/<int:pk>``: the ids of scans);
    # a segment not listed here gets every value of the converter's kind.
    by_segment: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def values(self, conv: str, name: str, bundle: dict | None = None, segment: str = "") -> list[str]:
        if conv == "slug":
            # By the path segment before it (``prefilled/<key>``: template keys), else by its name.
            return self.slugs.get(segment) or self.slugs.get(name, self.slugs["*"])
        conv = {"path": "int"}.get(conv, conv)
        conv = conv if conv in ("int", "uuid") else "str"
        if bundle is not None:
            return bundle.get(conv, [])
        words = self.by_segment.get(segment, {})
        if conv in words:
            return words[conv]
        return {"int": self.ints, "uuid": self.uuids, "str": self.strs}[conv]


CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _patterns(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def _fill(route: str, params: list[re.Match], values_of) -> list[str]:
    urls = [""]
    position = 0
    for match in params:
        literal = route[position:match.start()]
        urls = [u + literal + v for u in urls for v in values_of(match)]
        position = match.end()
    return ["/" + u + route[position:] for u in urls]


def _segment(route: str, match: re.Match) -> str:
    return route[:match.start()].rstrip("/").rsplit("/", 1)[-1]


def _expand(route: str, candidates: Candidates) -> list[str]:
    params = list(CONVERTER.finditer(route))
    objects = [m for m in params if (m.group("conv") or "str") != "slug"]
    bundles = [None] if len(objects) <= 1 else candidates.bundles
    urls = []
    for bundle in bundles:
        urls += _fill(route, params, lambda m, b=bundle: candidates.values(
            m.group("conv") or "str", m.group("name"), b, _segment(route, m)))
    return urls


def _regex_route(regex: str) -> str:
    """An admin regex pattern as a route: named groups become ``<str:name>``, anchors go."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", regex)
    return route.replace("^", "").replace("$", "").replace("\\", "")


def portal_urls(candidates: Candidates, *, urlconf=None) -> Iterator[list[str]]:
    """The URLs the walk requests, one list per pattern."""
    for route, pattern in _patterns(get_resolver(urlconf).url_patterns):
        route = _regex_route(route) if not isinstance(pattern.pattern, RoutePattern) or "(?P<" in route else route
        if route.startswith("admin/"):
            # The admin asks for ``is_staff`` before it reads any object: one value per parameter
            # shows that every admin page is closed to the committee side.
            few = Candidates(candidates.ints[:1], candidates.uuids[:1], candidates.strs[:1],
                             {"*": candidates.slugs["*"][:1]}, [], candidates.bundles[:1])
            urls = _expand(route, few)[:1]
        else:
            urls = _expand(route, candidates)
            if not CONVERTER.search(route):
                urls += [urls[0] + "?" + q for q in candidates.query]
        if urls:  # a parameter nothing in the database fills (no certificate yet): nothing to ask
            yield list(dict.fromkeys(urls))


# -- reading the answers -------------------------------------------------------------------------------

def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_texts(content: bytes) -> list[str]:
    from pypdf import PdfReader

    texts = []
    try:
        reader = PdfReader(io.BytesIO(content))
        texts += [page.extract_text() or "" for page in reader.pages]
        texts += [str(v) for v in (reader.metadata or {}).values()]
    except Exception as error:  # noqa: BLE001 -- a PDF pypdf cannot read is still searched below
        texts.append(f"unreadable pdf: {error}")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        for mode in ("-raw", "-layout"):
            done = subprocess.run(["pdftotext", mode, handle.name, "-"], capture_output=True, text=True, check=False)
            texts.append(done.stdout)
    return texts


def _xlsx_texts(content: bytes) -> list[str]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content))
    texts = [str(v) for v in vars(book.properties).values() if v]
    for sheet in book.worksheets:
        texts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            texts += [str(v) for v in row if v is not None]
    # Comments, defined names, shared strings not in cells: the raw XML too.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        texts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml")]
    return texts


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def answer_texts(response, body: bytes) -> list[str]:
    """Everything a reader of this answer can read, as texts."""
    texts = [f"{k}: {v}" for k, v in response.headers.items()]
    kind = response.get("Content-Type", "")
    if body.startswith(b"%PDF") or "pdf" in kind:
        texts += _pdf_texts(body)
    elif body.startswith(b"PK") and ("spreadsheet" in kind or "xlsx" in response.get("Content-Disposition", "")):
        texts += _xlsx_texts(body)
    texts.append(body.decode("utf-8", "replace"))
    return texts


@dataclass(frozen=True)
class Finding:
    who: str
    url: str
    what: str

    def __str__(self) -> str:
        return f"{self.who} {self.url}: {self.what}"


def findings_in(response, url: str, who: str, secrets: Secrets) -> list[Finding]:
    body = body_of(response)
    found = []
    digest = hashlib.sha256(body).hexdigest()
    if digest in secrets.blobs:
        found.append(Finding(who, url, f"served the bytes of the {secrets.blobs[digest]}"))
    texts = answer_texts(response, body)
    squeezed = [_squeeze(t) for t in texts]
    for secret, whose in secrets.texts.items():
        if any(secret in t for t in texts) or any(_squeeze(secret) in t for t in squeezed):
            found.append(Finding(who, url, f"shows {secret!r} of {whose}"))
    return found


# -- the audit -------------------------------------------------------------------------------------------

@dataclass
class AuditRun:
    findings: list[Finding] = field(default_factory=list)
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # by pattern (its first URL)


def audit(client, users: dict[str, object], secrets: Secrets, candidates: Candidates, *,
          urlconf=None, login=None, only=None) -> AuditRun:
    """Request every URL as each user (redirects followed) and collect what leaks; ``only`` keeps
    the patterns whose first URL it accepts (the audit's own test)."""
    run = AuditRun()
    patterns = [urls for urls in portal_urls(candidates, urlconf=urlconf) if only is None or only(urls[0])]
    for who, user in users.items():
        (login or client.force_login)(user)
        for urls in patterns:
            started = time.monotonic()
            for index, url in enumerate(urls):
                if "_auth_user_id" not in client.session:  # a page that logs out must not end the audit
                    (login or client.force_login)(user)
                response = client.get(url, follow=True)
                run.requests += 1
                run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1
                for hop, _status in getattr(response, "redirect_chain", []):
                    run.findings += [Finding(who, url, f"redirects to {hop} naming {s!r}")
                                     for s in secrets.texts if s in hop]
                run.findings += findings_in(response, url, who, secrets)
                if index == 0 and response.status_code == 405:
                    break  # POST only: the method is refused before any parameter is read
            run.seconds[urls[0]] = run.seconds.get(urls[0], 0) + time.monotonic() - started
    return run


def candidates_from_database(secrets: Secrets) -> Candidates:
    """Plausible parameters: the ids, codes, UUIDs and tokens that exist, and the slugs the portal
    knows (each set by the parameter's name)."""
    from applications.enums import Section
    from review.actions import ACTIONS
    from review.aftercare.models import Certificate, DefenseSession
    from review.documents.models import Document
    from review.documents.prefilled import TEMPLATES

    applications = list(Application.objects.values_list("pk", "code"))
    by_app: dict[int, list[Attachment]] = {}
    for attachment in secrets.attachments:
        by_app.setdefault(attachment.application_id, []).append(attachment)
    scans: dict[int, list[Attachment]] = {}
    for app_id, attachments in by_app.items():
        # Per application: its photo, publicity scans, a named scan and a PDF, when it has them.
        kinds = {}
        for a in attachments:
            kinds.setdefault(a.slot if a.slot in SLOTS_SENSITIVE else ("pdf" if not a.is_image else "named"), a)
        scans[app_id] = list(kinds.values())
    documents = list(Document.objects.values_list("uid", "verify_code", "application_id"))
    docs_of: dict[int | None, list[str]] = {}
    for uid, _code, app_id in documents:
        docs_of.setdefault(app_id, []).append(str(uid))
    sessions = [str(pk) for pk in DefenseSession.objects.values_list("pk", flat=True)]
    certificates = [str(pk) for pk in Certificate.objects.values_list("pk", flat=True)]
    tokens = [t for t in Certificate.objects.values_list("token", flat=True) if t]
    all_scans = [a for found in scans.values() for a in found]
    ints = list(dict.fromkeys([str(pk) for pk, _ in applications] + [str(a.pk) for a in all_scans]
                              + sessions + certificates + ["0"]))
    uuids = [str(a.uid) for a in all_scans] + [str(uid) for uid, _, _ in documents]
    strs = [code for _, code in applications] + [c for _, c, _ in documents if c] + tokens
    app_pks = [str(pk) for pk, _ in applications]
    codes = [code for _, code in applications]
    scan_uuids = [str(a.uid) for a in all_scans]
    by_segment = {
        "applications": {"int": app_pks}, "application": {"int": app_pks},
        "attachments": {"int": [str(a.pk) for a in all_scans]}, "sessions": {"int": sessions},
        "certificates": {"int": certificates}, "apply": {"str": codes}, "my": {"str": codes},
        "verify": {"str": [c for _, c, _ in documents if c]}, "file": {"str": tokens}, "c": {"str": tokens},
        "files": {"uuid": scan_uuids}, "mask": {"uuid": scan_uuids},
        "documents": {"uuid": [str(uid) for uid, _, _ in documents]},
    }
    bundles = [{"int": [str(pk)] + [str(a.pk) for a in scans.get(pk, [])],
                "uuid": [str(a.uid) for a in scans.get(pk, [])] + docs_of.get(pk, []),
                "str": [code]} for pk, code in applications]
    slugs = {
        "action": sorted({*ACTIONS, "approve", "return"}),
        "variant": list(VARIANTS),
        "key": sorted({*TEMPLATES, *Section.values}),
        "fmt": ["xlsx", "pdf"],
        "prefilled": sorted(TEMPLATES),
        "section": list(Section.values),
        "profile": list(Section.values),
    }
    slugs["*"] = sorted({s for values in slugs.values() for s in values})
    query = ["campaign=demo", *(f"campaign=demo&state={s}" for s in (State.COMMITTEE_REVIEW, State.RETURNED,
                                                                        State.CLOSED))]
    return Candidates(ints=ints, uuids=uuids, strs=strs, slugs=slugs, query=query, bundles=bundles,
                      by_segment=by_segment)
