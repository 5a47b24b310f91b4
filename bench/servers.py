"""Servers the load benchmark starts and drives: gunicorn, nginx in front of several, and their CPU.

Each runs in its own session (process group) so that stopping it stops its workers too, and each
tells how much CPU time it (master and workers) has used so far, read from /proc.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/feedback"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, live or reaped."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name may hold spaces; the fields after its ")" are fixed.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid:
            # Children that exited (gunicorn recycles workers after REY_MAX_REQUESTS) are gone from
            # /proc; the parent reaped them, so their CPU time is in its cutime and cstime.
            total += sum(map(int, fields[11:15]))
        elif int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class _Process:
    """A server started in its own session, ready once its port accepts connections."""

    name = "server"

    def __init__(self, command: list[str], *, port: int, log: Path, env: dict | None = None):
        self.command, self.port, self.log, self.env = command, port, log, env

    def __enter__(self):
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log.open("a"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited:\n" + self.log.read_text()[-3000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not start:\n" + self.log.read_text()[-3000:])

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def cpu_seconds(self) -> float:
        return _tree_cpu_seconds(self.process.pid)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"


class Gunicorn(_Process):
    """gunicorn with the production settings (feedback/gunicorn_conf.py); ``app_uri`` None is Rəy."""

    name = "gunicorn"

    def __init__(self, env: dict, app_uri: str | None, log: Path):
        port = free_port()
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "feedback" / "gunicorn_conf.py")]
        super().__init__(command + ([app_uri] if app_uri else []), port=port, log=log,
                         env={**env, "REY_BIND": f"127.0.0.1:{port}"})


class Nginx(_Process):
    """nginx balancing over app servers on this host as the README's production example does:
    round robin, keep-alive connections to the upstreams, the X-Forwarded-* headers set."""

    name = "nginx"

    def __init__(self, upstream_ports: list[int], workdir: Path):
        port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        upstreams = "".join(f"server 127.0.0.1:{p}; " for p in upstream_ports)
        temp = "".join(f"{kind}_temp_path {workdir / kind};\n  "
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (workdir / "nginx.conf").write_text(f"""
worker_processes 1;
pid {workdir / 'nginx.pid'};
error_log {workdir / 'error.log'} warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  {temp}upstream rey {{ {upstreams}keepalive 32; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://rey;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
""")
        super().__init__(["nginx", "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-g", "daemon off;"],
                         port=port, log=workdir / "nginx.log")


class Cluster:
    """App servers behind a load balancer, driven and measured as one server."""

    def __init__(self, balancer: Nginx, servers: list[Gunicorn]):
        self.balancer, self.servers = balancer, servers

    def cpu_seconds(self) -> float:
        return self.balancer.cpu_seconds() + sum(server.cpu_seconds() for server in self.servers)

    @property
    def url(self) -> str:
        return self.balancer.url
