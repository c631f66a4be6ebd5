"""The production topology as processes (this machine has no Docker engine), started from the
same commands as docker-compose.yml: ``portal/scripts/release.sh``, ``start-web.sh`` (two nodes),
``start-worker.sh`` (one per queue group), ``start-beat.sh``, and nginx from the same templates.

Isolation of the two web nodes ("machines"):

* **netns** (root, and ``ip netns`` works): each node runs in its own network namespace with its own
  address on a private bridge (10.x.y.2 and .3); nginx, PostgreSQL, Redis and S3 (moto) listen on the
  bridge's address (.1) of the host namespace.  Otherwise **loopback**: every process on 127.0.0.1,
  nodes on separate ports.
* As root, every portal process runs without any capability (``setpriv --bounding-set=-all``),
  with a group of its own: node A, node B, the workers.  (Still uid 0 without privileges rather than
  another uid: this machine's Python lives under /root.)  Each node's data folder
  (``PORTAL_DATA_DIR``) belongs to nobody and to the node's group, mode 0770, so node B cannot read
  node A's (the test checks that it cannot), and the folders must still be empty at the end:
  nothing of the portal lived there.  nginx runs under an unprivileged uid.  Without root, both
  nodes share the test's uid and their data folders are mode 000 instead.

Own services, nothing shared with other developers: a PostgreSQL cluster (``initdb``, stopped at
the end, which also proves the healthchecks fail on a stopped database), a Redis server and a moto
S3 server on free ports.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PG_BIN = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None) \
    if Path("/usr/lib/postgresql").exists() else None
IS_ROOT = os.geteuid() == 0
NOBODY = 65534


def _run(argv, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs)


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float, interval: float = 0.3, message=""):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s: {message() if callable(message) else message}")
        time.sleep(interval)


def netns_available() -> bool:
    if not IS_ROOT or not shutil.which("ip"):
        return False
    name = f"ptprobe{os.getpid()}"
    try:
        _run(["ip", "netns", "add", name])
    except (subprocess.CalledProcessError, OSError):
        return False
    subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)
    return True


def compose_service(name: str) -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][name]


def compose_command(name: str) -> list[str]:
    """A service's command and healthcheck, as docker-compose.yml has them ("CMD" dropped)."""
    return list(compose_service(name)["command"])


def compose_healthcheck(name: str) -> list[str]:
    test = list(compose_service(name)["healthcheck"]["test"])
    assert test[0] == "CMD", test
    return test[1:]


@dataclass
class Machine:
    """Where a process runs: a uid (None: the test's own) and a network namespace (None: the host's)."""

    name: str
    uid: int | None = None
    gid: int | None = None  # with uid None: uid 0 without capabilities, in this group only
    netns: str | None = None
    address: str = "127.0.0.1"
    home: Path | None = None
    data: Path | None = None

    def own(self, path: Path, mode: int = 0o770) -> None:
        """Give ``path`` to this machine alone (nobody else's group, no bits for others)."""
        if self.uid is not None:
            os.chown(path, self.uid, self.uid)
        elif self.gid is not None:
            os.chown(path, NOBODY, self.gid)
        path.chmod(mode)

    def wrap(self, argv: list[str]) -> list[str]:
        prefix = []
        if self.netns:
            prefix += ["ip", "netns", "exec", self.netns]
        if self.uid is not None:
            prefix += ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups", "--"]
        elif self.gid is not None:
            prefix += ["setpriv", f"--regid={self.gid}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                       "--no-new-privs", "--"]
        return prefix + argv


@dataclass
class Topology:
    root: Path
    mode: str
    host: str  # the address the services listen on (bridge or loopback)
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(40))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    machines: dict[str, Machine] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    _cleanup: list = field(default_factory=list)

    # -- environment ------------------------------------------------------------------------------

    def env(self, machine: Machine, **extra) -> dict[str, str]:
        """A production environment, built from nothing (nothing leaks from the test's own)."""
        run = machine.home
        env = {
            "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8",
            "HOME": str(run), "TMPDIR": str(run / "tmp"), "PYTHONDONTWRITEBYTECODE": "1",
            "DJANGO_SETTINGS_MODULE": "portal.settings", "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": self.secret,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_BEHIND_PROXY": "1",
            "PORTAL_TRUSTED_PROXY_COUNT": "1", "PORTAL_X_ACCEL": "1",
            "PORTAL_BASE_URL": self.url("portal"), "LOG_FORMAT": "json",
            "DATABASE_URL": f"postgres://postgres@{self.host}:{self.ports['postgres']}/portal",
            "REDIS_URL": f"redis://{self.host}:{self.ports['redis']}/0",
            "AWS_STORAGE_BUCKET_NAME": "portal-topology", "AWS_S3_ENDPOINT_URL": f"http://{self.host}:{self.ports['s3']}",
            "AWS_S3_REGION_NAME": "us-east-1", "AWS_ACCESS_KEY_ID": "topology", "AWS_SECRET_ACCESS_KEY": "topology",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "DJANGO_STATIC_ROOT": str(self.root / "image-static"), "PORTAL_DATA_DIR": str(machine.data),
            "PROMETHEUS_MULTIPROC_DIR": str(run / "metrics"),
        }
        env.update({k: str(v) for k, v in extra.items()})
        return env

    @property
    def certificate(self) -> str:
        return str(self.root / "nginx" / "tls" / "fullchain.pem")

    @property
    def nginx_source(self) -> str:
        return self.host  # the address nginx connects to the nodes from

    def url(self, server: str) -> str:
        return f"https://127.0.0.1:{self.ports['nginx-' + server]}"

    # -- machines and processes -------------------------------------------------------------------

    def machine(self, name: str, *, netns: str | None = None, address: str = "127.0.0.1",
                uid: int | None = None, gid: int | None = None) -> Machine:
        home = self.root / name / "run"
        data = self.root / name / "data"
        for path in (home / "tmp", home / "metrics", data):
            path.mkdir(parents=True, exist_ok=True)
        m = Machine(name, uid=uid if IS_ROOT else None, gid=gid if IS_ROOT else None, netns=netns,
                    address=address, home=home, data=data)
        for path in (home, home / "tmp", home / "metrics", data):
            m.own(path)
        self.machines[name] = m
        return m

    def start(self, name: str, machine: Machine, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        path = self.root / "logs" / f"{name}.log"
        log = open(path, "w")  # noqa: SIM115  (closed with the process)
        if machine.uid is not None or machine.gid is not None:
            machine.own(path, 0o660)  # nginx reopens /dev/stdout by name
        proc = subprocess.Popen(machine.wrap(argv), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        proc.log_file = log
        self.processes[name] = proc
        return proc

    def run(self, machine: Machine, argv: list[str], env: dict[str, str], *, check=True, timeout=300):
        result = subprocess.run(machine.wrap(argv), cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=timeout, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{argv} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def log(self, name: str) -> str:
        return (self.root / "logs" / f"{name}.log").read_text(errors="replace")

    def stop(self, name: str, sig=signal.SIGTERM, timeout: float = 20) -> None:
        proc = self.processes.pop(name, None)
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        proc.log_file.close()

    def alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}:\n{self.log(name)[-4000:]}")

    # -- services of our own ----------------------------------------------------------------------

    def start_postgres(self) -> None:
        pgdata = self.root / "postgres"
        pgdata.mkdir()
        as_postgres = Machine("postgres", uid=_uid_of("postgres") if IS_ROOT else None)
        if as_postgres.uid is not None:
            os.chown(pgdata, as_postgres.uid, as_postgres.uid)
        pgdata.chmod(0o700)
        env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
        self.run(as_postgres, [str(PG_BIN / "initdb"), "-D", str(pgdata), "-U", "postgres", "-A", "trust",
                               "--no-sync", "-E", "UTF8"], env)
        with open(pgdata / "pg_hba.conf", "a") as hba:
            hba.write(f"host all all {self.host}/24 trust\n")
        port = self.ports["postgres"] = free_port(self.host)
        listen = ",".join(dict.fromkeys([self.host, "127.0.0.1"]))
        options = (f"-c listen_addresses='{listen}' -p {port} -c unix_socket_directories='{pgdata}' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self.run(as_postgres, [str(PG_BIN / "pg_ctl"), "-D", str(pgdata), "-o", options, "-l",
                               str(pgdata / "server.log"), "-w", "start"], env)
        self._postgres = (as_postgres, env, pgdata)
        self._cleanup.append(self.stop_postgres)
        self.run(as_postgres, ["psql", "-h", self.host, "-p", str(port), "-U", "postgres", "-c",
                               "CREATE DATABASE portal"], env)

    def stop_postgres(self) -> None:
        if getattr(self, "_postgres", None):
            machine, env, pgdata = self._postgres
            self.run(machine, [str(PG_BIN / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"], env,
                     check=False)
            self._postgres = None

    def start_redis(self) -> None:
        port = self.ports["redis"] = free_port(self.host)
        self.start("redis", Machine("redis"), ["redis-server", "--bind", self.host, "--port", str(port),
                                               "--save", "", "--appendonly", "no", "--protected-mode", "no"],
                   {"PATH": os.environ["PATH"]})
        wait_for(lambda: _answers(self.host, port), timeout=20, message="redis")

    def start_s3(self) -> None:
        port = self.ports["s3"] = free_port(self.host)
        self.start("s3", Machine("s3"), [str(VENV_BIN / "moto_server"), "-H", self.host, "-p", str(port)],
                   {"PATH": os.environ["PATH"], "HOME": str(self.root)})
        wait_for(lambda: _answers(self.host, port), timeout=30, message=lambda: self.log("s3"))

    # -- network ----------------------------------------------------------------------------------

    def make_bridge(self, tag: str, subnet: str) -> tuple[str, str, str]:
        bridge = f"ptb{tag}"
        _run(["ip", "link", "add", bridge, "type", "bridge"])
        self._cleanup.append(lambda: subprocess.run(["ip", "link", "del", bridge], check=False, capture_output=True))
        _run(["ip", "addr", "add", f"{subnet}.1/24", "dev", bridge])
        _run(["ip", "link", "set", bridge, "up"])
        nodes = []
        for letter, last in (("a", 2), ("b", 3)):
            ns, host_end, ns_end = f"pt{letter}{tag}", f"vh{letter}{tag}", f"vn{letter}{tag}"
            _run(["ip", "netns", "add", ns])
            self._cleanup.append(lambda ns=ns: subprocess.run(["ip", "netns", "del", ns], check=False,
                                                              capture_output=True))
            _run(["ip", "link", "add", host_end, "type", "veth", "peer", "name", ns_end])
            _run(["ip", "link", "set", ns_end, "netns", ns])
            _run(["ip", "link", "set", host_end, "master", bridge])
            _run(["ip", "link", "set", host_end, "up"])
            for command in (["ip", "addr", "add", f"{subnet}.{last}/24", "dev", ns_end],
                            ["ip", "link", "set", ns_end, "up"], ["ip", "link", "set", "lo", "up"]):
                _run(["ip", "netns", "exec", ns, *command])
            nodes.append(ns)
        return bridge, nodes[0], nodes[1]

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        for step in reversed(self._cleanup):
            with contextlib.suppress(Exception):
                step()


def _uid_of(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_uid


def _answers(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def render_nginx(topology: Topology, nodes: dict[str, str], upload_servers: list[str] | None = None) -> Path:
    """The compose file's nginx: its templates rendered by envsubst with the PORTAL_* variables
    (as the nginx image does), in an http block with two more servers pinned to one node each.
    ``upload_servers``: the upload pool's addresses (default: the nodes themselves)."""
    conf = topology.root / "nginx"
    (conf / "conf.d" / "portal").mkdir(parents=True)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (conf / "tmp" / sub).mkdir(parents=True)
    tls = conf / "tls"
    tls.mkdir()
    _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
          "-addext", "subjectAltName=IP:127.0.0.1",
          "-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem")])
    variables = {
        "PORTAL_WEB_SERVERS": " ".join(f"server {address};" for address in nodes.values()),
        # The topology runs no separate upload pool: the nodes take the uploads too (pinned servers: their node).
        "PORTAL_UPLOAD_SERVERS": " ".join(f"server {address};" for address in upload_servers or nodes.values()),
        "PORTAL_RESOLVER": "127.0.0.1", "PORTAL_SERVER_NAME": "127.0.0.1",
        "PORTAL_HTTP_PORT": f"127.0.0.1:{topology.ports['nginx-http']}",
        "PORTAL_HTTPS_PORT": f"127.0.0.1:{topology.ports['nginx-portal']}",
        "PORTAL_TLS_CERT": str(tls / "fullchain.pem"), "PORTAL_TLS_KEY": str(tls / "privkey.pem"),
        "PORTAL_STATIC_ROOT": str(topology.root / "static-volume"), "PORTAL_PRIVATE_ROOT": str(conf / "no-private"),
        "PORTAL_ERROR_PAGES": str(ROOT / "portal" / "deploy" / "nginx" / "errors"),
    }
    assert set(variables) == {k for k in compose_service("nginx")["environment"] if k.startswith("PORTAL_")}
    shell_format = " ".join(f"${{{k}}}" for k in variables)
    templates = ROOT / "portal" / "deploy" / "nginx" / "templates"
    for template in templates.rglob("*.template"):
        target = conf / "conf.d" / template.relative_to(templates).with_suffix("")
        target.write_text(_run(["envsubst", shell_format], input=template.read_text(),
                               env={**variables, "PATH": os.environ["PATH"]}).stdout)
    pinned = "\n".join(f"""
    upstream node_{name} {{ server {address}; keepalive 4; }}
    server {{
        listen 127.0.0.1:{topology.ports['nginx-' + name]} ssl;
        ssl_certificate {tls / 'fullchain.pem'};
        ssl_certificate_key {tls / 'privkey.pem'};
        access_log /dev/stdout portal_json;
        set $portal_upstream node_{name};
        set $portal_upload_upstream node_{name};
        include conf.d/portal/locations.conf;
    }}""" for name, address in nodes.items())
    (conf / "nginx.conf").write_text(f"""
worker_processes 1;
pid {conf / 'nginx.pid'};
error_log {conf / 'error.log'} notice;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {conf / 'tmp/body'};
    proxy_temp_path {conf / 'tmp/proxy'};
    fastcgi_temp_path {conf / 'tmp/fastcgi'};
    uwsgi_temp_path {conf / 'tmp/uwsgi'};
    scgi_temp_path {conf / 'tmp/scgi'};
    include conf.d/portal.conf;
    # The test's own: the same locations, pinned to one node, so the walk chooses its machine.
    {pinned}
}}
""")
    return conf


@contextlib.contextmanager
def topology_running(*, prefer_netns: bool = True):
    """Start everything; yield the Topology; stop everything (and remove the namespaces)."""
    root = Path(tempfile.mkdtemp(prefix="portal-topology-", dir="/tmp"))
    root.chmod(0o755)
    (root / "logs").mkdir()
    prefer_netns = prefer_netns and os.environ.get("PORTAL_TOPOLOGY_NETNS", "1") != "0"  # 0: force loopback
    mode = "netns" if prefer_netns and netns_available() else "loopback"
    tag = secrets.token_hex(3)
    subnet = f"10.{200 + secrets.randbelow(50)}.{secrets.randbelow(250) + 1}"
    topology = Topology(root=root, mode=mode, host=f"{subnet}.1" if mode == "netns" else "127.0.0.1")
    base_uid = 61000 + secrets.randbelow(3000) * 4
    for name in ("nginx-portal", "nginx-http", "nginx-a", "nginx-b"):
        topology.ports[name] = free_port("127.0.0.1")
    try:
        if mode == "netns":
            _, ns_a, ns_b = topology.make_bridge(tag, subnet)
            node_a = topology.machine("node-a", netns=ns_a, address=f"{subnet}.2", gid=base_uid)
            node_b = topology.machine("node-b", netns=ns_b, address=f"{subnet}.3", gid=base_uid + 1)
        else:
            node_a = topology.machine("node-a", gid=base_uid)
            node_b = topology.machine("node-b", gid=base_uid + 1)
        if not IS_ROOT:  # no group to keep the nodes apart: nobody may read a node's folder, not even it
            node_a.data.chmod(0)
            node_b.data.chmod(0)
        workers = topology.machine("workers", gid=base_uid + 2)
        front = topology.machine("nginx", uid=base_uid + 3)
        topology.start_postgres()
        topology.start_redis()
        topology.start_s3()

        # The image build: collectstatic and the font subsets (Dockerfile), then the release step
        # (the `migrate` service).
        build = topology.env(workers)
        fonts = topology.start("build-fonts", workers, [str(VENV_BIN / "python"), "-m", "portal.ops", "build-fonts"],
                               build)  # meanwhile: it takes the longest
        topology.run(Machine("build"), [str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
                     build)
        (root / "static-volume").mkdir()
        workers.own(root / "static-volume", 0o775)
        topology.run(workers, compose_command("migrate"), {**build, "PORTAL_STATIC_EXPORT": str(root / "static-volume")})

        nodes = {}
        for name, machine in (("a", node_a), ("b", node_b)):
            if mode == "netns":
                bind, metrics = f"{machine.address}:8000", 9100
            else:
                bind, metrics = f"127.0.0.1:{free_port('127.0.0.1')}", free_port("127.0.0.1")
            nodes[name] = bind
            machine.env = topology.env(machine, PORTAL_BIND=bind, PORTAL_WEB_WORKERS=2, PORTAL_WEB_THREADS=1,
                                       PORTAL_METRICS_PORT=metrics, PORTAL_METRICS_ADDR=bind.rsplit(":", 1)[0])
            machine.metrics = f"http://{bind.rsplit(':', 1)[0]}:{metrics}/metrics"
            topology.start(f"web-{name}", machine, compose_command("web"), machine.env)
        assert fonts.wait(timeout=300) == 0, topology.log("build-fonts")
        topology.stop("build-fonts")
        topology.worker_env = {}
        for service in ("worker-interactive", "worker-bulk", "worker-ocr", "worker-mail"):
            spec = compose_service(service)["environment"]
            extra = {k: spec[k] for k in ("PORTAL_WORKER_NAME", "PORTAL_WORKER_QUEUES", "PORTAL_WORKER_MAX_TASKS")}
            run = workers.home / service
            (run / "metrics").mkdir(parents=True)
            workers.own(run)
            workers.own(run / "metrics")
            env = topology.env(workers, **extra, PORTAL_WORKER_CONCURRENCY=1, PROMETHEUS_MULTIPROC_DIR=run / "metrics")
            if service == "worker-interactive":
                topology.ports["metrics-worker"] = free_port(topology.host)
                env.update(PORTAL_METRICS_PORT=str(topology.ports["metrics-worker"]), PORTAL_METRICS_ADDR=topology.host)
            topology.worker_env[service] = env
            topology.start(service, workers, compose_command(service), env)
        topology.ports["metrics-beat"] = free_port(topology.host)
        topology.beat_env = topology.env(workers, PORTAL_BEAT_HEARTBEAT=workers.home / "beat-heartbeat",
                                         PORTAL_BEAT_SCHEDULE=workers.home / "beat-schedule",
                                         PORTAL_METRICS_PORT=topology.ports["metrics-beat"],
                                         PORTAL_METRICS_ADDR=topology.host)
        topology.beat_env.pop("PROMETHEUS_MULTIPROC_DIR")
        topology.start("beat", workers, compose_command("beat"), topology.beat_env)

        conf = render_nginx(topology, nodes)
        for path in [conf, *conf.rglob("*")]:
            front.own(path, 0o750 if path.is_dir() else 0o640)
        topology.start("nginx", front, ["nginx", "-p", str(conf), "-c", str(conf / "nginx.conf"), "-g", "daemon off;"],
                       {"PATH": os.environ["PATH"]})
        wait_for(lambda: _answers("127.0.0.1", topology.ports["nginx-portal"]), timeout=15,
                 message=lambda: topology.log("nginx") + (conf / "error.log").read_text(errors="replace"))
        topology.nodes = {"a": node_a, "b": node_b}
        topology.workers = workers
        yield topology
    finally:
        topology.close()
        if os.environ.get("PORTAL_KEEP_TOPOLOGY") != "1":
            shutil.rmtree(root, ignore_errors=True)


def seed(topology: Topology, *args: str) -> dict:
    """``tests/deploy/topology_seed.py`` in the topology's environment (as an administrator would)."""
    result = topology.run(topology.workers, [str(VENV_BIN / "python"), "-m", "tests.deploy.topology_seed", *args],
                          topology.env(topology.workers))
    return json.loads(result.stdout.strip().splitlines()[-1])
