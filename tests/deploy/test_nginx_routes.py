"""nginx, from the compose file's templates rendered as the topology test renders them, sends an
applicant's scan upload to the upload pool (docker-compose's ``web-uploads``) and every other
request to the web nodes: a deadline rush of uploads never holds the officers' gunicorn threads."""

from __future__ import annotations

import contextlib
import http.server
import os
import subprocess
import threading
from types import SimpleNamespace

import pytest
import requests
import urllib3

from tests.deploy.topology import _answers, free_port, render_nginx, wait_for

pytestmark = pytest.mark.topology


class _Named(http.server.BaseHTTPRequestHandler):
    """Answers every request with the server's name and the path it was asked for."""

    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = f"{self.server.name} {self.command} {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def _named_server(name: str):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Named)
    server.name = name
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_uploads_go_to_the_upload_pool_and_everything_else_to_the_web_nodes(tmp_path):
    ports = {name: free_port("127.0.0.1") for name in ("nginx-portal", "nginx-http", "nginx-a")}
    with _named_server("web") as web, _named_server("uploads") as uploads:
        topology = SimpleNamespace(root=tmp_path, ports=ports)
        conf = render_nginx(topology, {"a": web}, upload_servers=[uploads])
        for path in [tmp_path, conf, *conf.rglob("*")]:
            path.chmod(0o777 if path.is_dir() else 0o644)  # nginx's workers run as nobody under root
        nginx = subprocess.Popen(["nginx", "-p", str(conf), "-c", str(conf / "nginx.conf"), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={"PATH": os.environ["PATH"]})
        try:
            wait_for(lambda: _answers("127.0.0.1", ports["nginx-portal"]), timeout=15,
                     message=lambda: (conf / "error.log").read_text(errors="replace"))
            base = f"https://127.0.0.1:{ports['nginx-portal']}"
            with urllib3.warnings.catch_warnings():
                urllib3.warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)

                def ask(method: str, path: str) -> str:
                    response = requests.request(method, base + path, data=b"x" * 2048, verify=False, timeout=10)
                    assert response.status_code == 200, (path, response.status_code, response.text[:200])
                    return response.text

                assert ask("POST", "/apply/25000001/upload/") == "uploads POST /apply/25000001/upload/"
                # Everything else, including the application's other pages and posts, stays on the web nodes.
                assert ask("POST", "/apply/25000001/submit/") == "web POST /apply/25000001/submit/"
                assert ask("GET", "/apply/25000001/") == "web GET /apply/25000001/"
                assert ask("GET", "/review/queue/?q=upload") == "web GET /review/queue/?q=upload"
                assert ask("GET", "/apply/25000001/upload/x/") == "web GET /apply/25000001/upload/x/"
        finally:
            nginx.terminate()
            nginx.wait(10)
