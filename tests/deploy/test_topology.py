"""Issue 17, Deliver 2: the production topology, without Docker, walked by one application from
registration to certificate, every step's page read from one web node and its form posted to the
other, through nginx (see tests/deploy/topology.py for how the nodes are kept apart).

Checked along the way: sessions, CSRF tokens, uploads, masked copies, documents and certificates
cross machines (database, Redis, bucket); files reach the client through X-Accel-Redirect (gunicorn
sends an empty body); the public look-up's rate limit is shared by the nodes; logs are JSON with
request id and user id and hold neither the applicant's name nor their ID number; metrics are
served; the healthchecks of docker-compose.yml pass, and fail once the database is stopped; the
nodes' data folders stay empty and node B cannot read node A's.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
import time_machine
from django_otp.oath import TOTP

from portal.accounts.demo import demo_totp_key

from tests.deploy.topology import (
    compose_command,
    compose_healthcheck,
    seed,
    topology_running,
    wait_for,
)

pytestmark = [pytest.mark.topology]

PASSWORD = "Topology-2026-walk"
NAME = "古丽娜尔·艾力"
PUBLICITY = {"publicity_start": "2025-06-16", "publicity_end": "2025-06-27"}  # fixed past dates


def id_number() -> str:
    """A valid GB 11643 number (库尔勒, born 1992-03-17) that no demo login uses."""
    body = "65280119920317041"
    total = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    return body + "10X98765432"[total % 11]


class Browser:
    """One person's browser: one cookie jar, requests sent to the server of nginx the step names
    ("a" and "b" are pinned to one node each, "portal" balances over both)."""

    def __init__(self, topology):
        self.topology = topology
        self.session = requests.Session()
        self.served: list[tuple[str, str, str]] = []  # (server, request id, path)

    def _send(self, method: str, server: str, path: str, **kwargs) -> requests.Response:
        base = self.topology.url(server)
        headers = {"Referer": base + "/", **kwargs.pop("headers", {})}
        response = self.session.request(method, base + path, headers=headers, allow_redirects=False,
                                        timeout=60, verify=self.topology.certificate, **kwargs)
        self.served.append((server, response.headers.get("X-Request-ID", ""), path))
        return response

    def get(self, server: str, path: str, **kwargs) -> requests.Response:
        return self._send("GET", server, path, **kwargs)

    def post(self, server: str, path: str, data=None, **kwargs) -> requests.Response:
        data = dict(data or {})
        data.setdefault("csrfmiddlewaretoken", self.session.cookies.get("csrftoken", ""))
        return self._send("POST", server, path, data=data, **kwargs)

    def login(self, page_server: str, post_server: str, username: str, password: str) -> None:
        """The login form read on one node, posted to the other; staff then give the second factor
        the same way (a code of the demo's published TOTP secret, which ``seed_demo`` gives them)."""
        assert self.get(page_server, "/accounts/login/").status_code == 200
        response = self.post(post_server, "/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302, response.text[-2000:]
        landing = response.headers["Location"]
        if "/accounts/two-factor/" not in landing:  # the role's page; staff are sent on from there
            landing = self.get(page_server, landing).headers.get("Location", "")
        if "/accounts/two-factor/" in landing:
            assert self.get(page_server, landing).status_code == 200
            key = bytes.fromhex(demo_totp_key())
            # The nodes run on the machine's real clock (production commands, not tests/clocked.py),
            # also when PORTAL_TEST_TODAY travels this process: the code is the real instant's.
            authenticator = TOTP(key, step=30, t0=0, digits=6)
            hatch = time_machine.escape_hatch
            authenticator.time = hatch.time.time() if hatch.is_travelling() else time.time()
            code = f"{authenticator.token():06d}"
            verified = self.post(post_server, "/accounts/two-factor/", {"token": code})
            assert verified.status_code == 302 and "two-factor" not in verified.headers["Location"], \
                verified.text[-2000:]


def _ok_redirect(response, to: str = "") -> str:
    assert response.status_code == 302, f"{response.status_code}: {response.text[-3000:]}"
    location = response.headers["Location"]
    assert to in location, location
    return location


def _facts(topology, code: str) -> dict:
    return seed(topology, "facts", code)


def _served_by(topology, node: str, request_id: str) -> dict | None:
    """The gunicorn access log line of ``request_id`` on ``node``, or None."""
    for line in topology.log(f"web-{node}").splitlines():
        if request_id in line and '"gunicorn.access"' in line:
            return json.loads(line)
    return None


def test_one_application_through_two_web_nodes_to_certificate():
    from applications.samples import sample_photo, sample_scan

    started = last = time.monotonic()

    def phase(name: str) -> None:
        nonlocal last
        now = time.monotonic()
        print(f"  {name}: {now - last:.1f} s")
        last = now

    with topology_running() as topology:
        print(f"\ntopology mode: {topology.mode}; folder {topology.root}")
        phase("start (build, release, services)")
        setup = seed(topology, "setup")
        wait_for(lambda: _ready(topology), timeout=90, message=lambda: _logs_tail(topology))
        phase("seed, nodes ready")
        number = id_number()

        # -- the applicant: register on A's form, posted to B; the application likewise ----------
        applicant = Browser(topology)
        register = applicant.get("a", "/accounts/register/")
        assert register.status_code == 200
        # Static files come from nginx's own folder (the release step's copy), hashed ones for a year.
        css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', register.text).group(1)
        static = applicant.get("portal", css)
        assert static.status_code == 200 and "immutable" in static.headers["Cache-Control"]
        assert "X-Request-ID" not in static.headers  # never reached a node
        _ok_redirect(applicant.post("b", "/accounts/register/", {
            "real_name": NAME, "id_number": number, "phone": "13912345678",
            "password1": PASSWORD, "password2": PASSWORD}), "/accounts/login/")
        # Registration never logs in (it answers alike for a taken number): log in on the other node.
        applicant.login("b", "a", number, PASSWORD)
        assert applicant.get("a", "/apply/new/?campaign=demo").status_code == 200
        overview = _ok_redirect(applicant.post("b", "/apply/new/", {
            "campaign": setup["campaign"], "specialty": setup["specialty"], "level": setup["level"],
            "kind": "review", "unit": setup["unit"]}), "/apply/")
        code = overview.rstrip("/").rsplit("/", 1)[-1]
        filled = seed(topology, "fill", code)  # the sections as typed; the scans go over HTTP

        # -- every required scan uploaded through one node, its masking answered on the other ----
        masked = []
        for i, scan in enumerate(filled["scans"]):
            up, mask = ("a", "b") if i % 2 == 0 else ("b", "a")
            payload = sample_photo() if scan["slot"] == "photo" else sample_scan(
                scan["title"], NAME if scan["shows_name"] else "")
            data = {"slot": scan["slot"], "section": scan["section"]}
            if scan["row"] is not None:
                data["row"] = str(scan["row"])
            response = applicant.post(up, f"/apply/{code}/upload/", data, headers={"Accept": "application/json"},
                                      files={"file": (f"{scan['slot']}.jpg", payload, "image/jpeg")})
            assert response.status_code == 200 and response.json()["ok"], response.text[:2000]
            uploaded = response.json()
            answer = {"needs_masking": "1" if scan["shows_name"] else "0",
                      "boxes": json.dumps([[100, 285, 700, 90]] if scan["shows_name"] else [])}
            response = applicant.post(mask, uploaded["mask_url"], answer, headers={"Accept": "application/json"})
            assert response.status_code == 200 and response.json()["ok"], response.text[:2000]
            if scan["shows_name"]:
                masked.append(uploaded["id"])
        assert len(filled["scans"]) >= 5 and masked
        # Too big for anyone: nginx refuses it before any node reads it, with a page in Chinese.
        too_big = applicant.post("b", f"/apply/{code}/upload/", {"slot": "photo"},
                                 files={"file": ("big.jpg", b"\xff" * (33 << 20), "image/jpeg")})
        assert too_big.status_code == 413 and "文件太大" in too_big.content.decode()

        # The masked copy, burned on one node, read back through the other: nginx sends it from S3.
        response = applicant.get("a" if len(filled["scans"]) % 2 else "b", f"/files/{masked[0]}/masked/")
        assert response.status_code == 200 and response.content[:3] == b"\xff\xd8\xff"
        _assert_sent_by_nginx(topology, applicant, response)

        _ok_redirect(applicant.post("a", f"/apply/{code}/submit/"), f"/apply/{code}/")
        pk = filled["pk"]
        phase("register, upload, mask, submit")

        # -- the chain: unit (publicity dates and scans), county, committee ----------------------
        unit = Browser(topology)
        unit.login("b", "a", "danwei", "zhicheng2026")
        assert unit.get("b", f"/review/applications/{pk}/").status_code == 200
        scans = {f: (f"{f}.jpg", sample_scan(title, lines=("公示期满无异议。",)), "image/jpeg")
                 for f, title in (("publicity_scan", "推荐单位公示"), ("publicity_result_scan", "公示结果"))}
        _ok_redirect(unit.post("a", f"/review/applications/{pk}/act/approve/", {**PUBLICITY, "confirm": "on"},
                               files=scans), "/review/queue/")

        county = Browser(topology)
        county.login("a", "b", "zhuguan", "zhicheng2026")
        assert county.get("a", f"/review/applications/{pk}/").status_code == 200
        _ok_redirect(county.post("b", f"/review/applications/{pk}/act/approve/", {"comment": "同意推荐"}))

        clerk = Browser(topology)
        clerk.login("b", "a", "pingwei", "zhicheng2026")
        page = clerk.get("b", f"/review/applications/{pk}/")
        assert page.status_code == 200 and code in page.text and NAME not in page.text  # blind review
        attachment = re.search(r"/review/attachments/(\d+)/", page.text).group(1)
        scan = clerk.get("a", f"/review/attachments/{attachment}/")
        assert scan.status_code == 200 and scan.content[:3] == b"\xff\xd8\xff"
        _assert_sent_by_nginx(topology, clerk, scan)
        _ok_redirect(clerk.post("a", f"/review/applications/{pk}/act/approve/", {"comment": ""}))
        assert _facts(topology, code)["state"] == "accepted"
        phase("unit, county, committee")

        # -- the review form, rendered by the worker on acceptance, downloaded through nginx ------
        assert applicant.get("b", "/documents/mine/").status_code == 200
        documents = applicant.get("a", f"/documents/application/{pk}/").text
        form = re.search(r'data-document="([0-9a-f-]{36})"', documents).group(1)
        wait_for(lambda: applicant.get("b", f"/documents/{form}/status/").json()["ready"], timeout=120, interval=1,
                 message=lambda: topology.log("worker-interactive")[-4000:])
        pdf = applicant.get("a", f"/documents/{form}/download/")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert "attachment" in pdf.headers["Content-Disposition"]
        _assert_sent_by_nginx(topology, applicant, pdf)

        # -- an export requested on one node, followed and downloaded on the other ---------------
        assert clerk.get("a", "/documents/exports/").status_code == 200
        _ok_redirect(clerk.post("b", "/documents/exports/new/", {
            "kind": "roster_xlsx", "campaign": setup["campaign_id"]}), "/documents/exports/")
        listing = clerk.get("a", "/documents/exports/").text
        export = re.search(r'data-document="([0-9a-f-]{36})"', listing).group(1)
        wait_for(lambda: clerk.get("b", f"/documents/{export}/status/").json()["ready"], timeout=90, interval=1,
                 message=lambda: topology.log("worker-interactive")[-4000:])
        xlsx = clerk.get("a", f"/documents/{export}/download/")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        _assert_sent_by_nginx(topology, clerk, xlsx)
        phase("review form and export (worker)")

        # -- after acceptance: paper, fee, exemption, decision, publicity, certificate ------------
        facts = _facts(topology, code)
        _ok_redirect(clerk.post("b", f"/aftercare/applications/{pk}/paper/", {
            "items": facts["paper_items"], "received_on": "2025-07-01"}))
        _ok_redirect(clerk.post("a", f"/aftercare/applications/{pk}/fee/", {
            "amount": facts["fee_due"], "paid_on": "2025-07-02", "receipt_number": "TP-0001"}))
        # Paper and fee complete: the door applies the exemption rules (初级 is exempt).
        assert _facts(topology, code)["state"] == "defense_exempt"
        _ok_redirect(clerk.post("a", f"/aftercare/applications/{pk}/decide/", {
            "result": "pass", "meeting_date": "2025-08-20"}))
        _ok_redirect(clerk.post("b", "/aftercare/results/publicity/", {
            "campaign": "demo", "start": "2025-08-21", "end": "2025-08-29"}))
        _ok_redirect(clerk.post("a", f"/aftercare/applications/{pk}/certify/"))
        mine = wait_for(lambda: (r := applicant.get("b", f"/aftercare/my/{code}/certificate.pdf")).content[:4] == b"%PDF"
                        and r, timeout=120, interval=1, message=lambda: topology.log("worker-interactive")[-4000:])
        _assert_sent_by_nginx(topology, applicant, mine)
        certificate = _facts(topology, code)["certificate"]
        assert certificate["status"] == "ready"
        phase("after acceptance to certificate")

        # -- the public: look-up through the balanced server, the signed download ----------------
        public = Browser(topology)
        assert public.get("portal", "/aftercare/certificates/lookup/").status_code == 200
        found = public.post("portal", "/aftercare/certificates/lookup/", {"id_number": number, "name": NAME})
        assert found.status_code == 200 and certificate["number"] in found.text, found.text[-3000:]
        link = re.search(r'href="(/aftercare/certificates/file/[^"]+)"', found.text).group(1)
        certificate_pdf = public.get("portal", link)
        assert certificate_pdf.status_code == 200 and certificate_pdf.content.startswith(b"%PDF")
        _assert_sent_by_nginx(topology, public, certificate_pdf)

        # Rate limits live in Redis, whichever node answers: one address may try 5 wrong names for one
        # ID number (the right pair above is look-up 1; wrong ones are 2–6; the 7th is refused).
        refused_at = None
        for attempt in range(2, 13):
            answer = public.post("portal", "/aftercare/certificates/lookup/", {"id_number": number, "name": "无此人"})
            if answer.status_code == 429:
                refused_at = attempt
                assert "分钟" in answer.text
                break
        assert refused_at == 7
        lookups = {_node_of(topology, rid) for server, rid, path in public.served if path.endswith("/lookup/")}
        assert lookups == {"a", "b"}

        # Every step really went to the node it named.
        for browser in (applicant, unit, county, clerk):
            for server, request_id, _path in browser.served:
                if server in ("a", "b") and request_id:
                    assert _node_of(topology, request_id) == server, (server, _path)
        phase("public look-up and shared rate limit")
        _check_logs_and_metrics(topology, clerk, number)
        _check_machines(topology)
        _check_healthchecks(topology, healthy=True)
        topology.stop_postgres()
        _check_healthchecks(topology, healthy=False)
        phase("logs, metrics, machines, healthchecks")
    print(f"topology walk: {time.monotonic() - started:.0f} s in mode {topology.mode}")


def _ready(topology) -> bool:
    topology.alive()
    try:
        return all(requests.get(topology.url(s) + "/healthz", verify=topology.certificate, timeout=2).ok for s in ("a", "b"))
    except requests.RequestException:
        return False


def _logs_tail(topology) -> str:
    return "\n".join(f"--- {name}\n{topology.log(name)[-1500:]}" for name in ("web-a", "web-b", "nginx"))


def _node_of(topology, request_id: str) -> str | None:
    """The node whose access log has ``request_id`` (gunicorn writes the line just after answering)."""
    found = wait_for(lambda: [node for node in ("a", "b") if _served_by(topology, node, request_id)], timeout=5,
                     interval=0.1, message=f"{request_id} in no access log")
    assert len(found) == 1
    return found[0]


def _assert_sent_by_nginx(topology, browser, response) -> None:
    """gunicorn answered with an empty body (X-Accel-Redirect); nginx sent the file."""
    request_id = response.headers["X-Request-ID"]
    line = wait_for(lambda: _served_by(topology, "a", request_id) or _served_by(topology, "b", request_id),
                    timeout=5, message=request_id)
    assert line["status"] == 200 and line["bytes"] == 0, line
    assert len(response.content) > 1000
    assert "no-store" in response.headers.get("Cache-Control", "")  # from Django's answer, kept by nginx


def _check_logs_and_metrics(topology, clerk, number: str) -> None:
    # A warning with the request id and the signed-in user's id (a 404 inside the clerk's session).
    missing = clerk.get("a", "/review/applications/999999999/")
    assert missing.status_code == 404
    request_id = missing.headers["X-Request-ID"]
    lines = [json.loads(line) for line in topology.log("web-a").splitlines() if line.startswith("{")]
    warning = next(line for line in lines if line.get("request_id") == request_id and line["logger"] == "django.request")
    assert warning["level"] == "WARNING" and isinstance(warning["user_id"], int) and warning["time"]
    worker = [json.loads(line) for line in topology.log("worker-interactive").splitlines() if line.startswith("{")]
    assert any(line.get("task") and line.get("task_id") for line in worker)
    assert any(line.get("request_id") for line in worker if line.get("task"))  # carried from the request
    beat = [json.loads(line) for line in topology.log("beat").splitlines() if line.startswith("{")]
    assert any("leader" in line["message"] for line in beat)
    for name in ("web-a", "web-b", "worker-interactive", "worker-bulk", "worker-ocr", "worker-mail", "beat", "nginx"):
        text = topology.log(name)
        assert NAME not in text and number not in text, f"personal data in the {name} log"

    node = topology.nodes["a"]
    metrics = topology.run(node, ["curl", "-fsS", node.metrics], {"PATH": "/usr/bin:/bin"}).stdout
    assert 'django_http_requests_latency_seconds_by_view_method_bucket{' in metrics
    assert 'view="review:detail"' in metrics
    host = topology.host
    worker_metrics = requests.get(f"http://{host}:{topology.ports['metrics-worker']}/metrics", timeout=5).text
    assert 'portal_celery_tasks_total{outcome="succeeded"' in worker_metrics
    assert "portal_celery_task_duration_seconds_bucket" in worker_metrics
    beat_metrics = requests.get(f"http://{host}:{topology.ports['metrics-beat']}/metrics", timeout=5).text
    assert 'portal_celery_queue_length{queue="interactive"}' in beat_metrics
    # nginx never routes to a metrics port or to readiness.
    assert requests.get(topology.url("portal") + "/readyz", verify=topology.certificate, timeout=5).status_code == 404


def _check_machines(topology) -> None:
    a, b = topology.nodes["a"], topology.nodes["b"]
    for node in (a, b):
        if b.gid is None:  # without root the folders were mode 000 during the walk
            node.data.chmod(0o700)
        leftovers = sorted(p.name for p in node.data.rglob("*"))
        assert leftovers == [], f"{node.name} kept files in its data folder: {leftovers}"
    if b.gid is not None:
        probe = topology.run(b, ["python3", "-c", f"import os; os.listdir({str(a.data)!r})"], {"PATH": "/usr/bin:/bin"},
                             check=False)
        assert probe.returncode != 0 and "PermissionError" in probe.stderr


def _check_healthchecks(topology, *, healthy: bool) -> None:
    """docker-compose.yml's healthcheck commands, on the machine each runs on."""
    checks = [(topology.nodes["a"], "web", topology.nodes["a"].env),
              (topology.nodes["b"], "web", topology.nodes["b"].env),
              (topology.workers, "worker-interactive", topology.worker_env["worker-interactive"])]
    if healthy:
        checks.append((topology.workers, "beat", topology.beat_env))
    for machine, service, env in checks:
        result = topology.run(machine, compose_healthcheck(service), env, check=False, timeout=60)
        assert (result.returncode == 0) is healthy, (service, result.returncode, result.stderr[-1500:])
    if not healthy:
        return
    # A second beat started by mistake waits on the leader lock instead of doubling the schedule.
    workers = topology.workers
    second = {**topology.beat_env, "PORTAL_BEAT_HEARTBEAT": str(workers.home / "beat-2-heartbeat"),
              "PORTAL_BEAT_SCHEDULE": str(workers.home / "beat-2-schedule"), "PORTAL_METRICS_PORT": ""}
    topology.start("beat-2", workers, compose_command("beat"), second)
    wait_for(lambda: "standby" in topology.log("beat-2"), timeout=60, message=lambda: topology.log("beat-2")[-2000:])
    assert (workers.home / "beat-2-heartbeat").read_text().strip() == "standby"
    assert "standby" not in topology.log("beat")
    topology.stop("beat-2")
    # A stopped beat is unhealthy too (its heartbeat goes with it).
    topology.stop("beat")
    result = topology.run(topology.workers, compose_healthcheck("beat"), topology.beat_env, check=False)
    assert result.returncode != 0

