"""The shipped nginx configuration (docs/deploy/nginx.conf), rendered for a benchmark run."""

from __future__ import annotations

from pathlib import Path

from .stack import ROOT

NGINX_SITE = ROOT / "docs" / "deploy" / "nginx.conf"
ASGI_SERVERS = "    server 127.0.0.1:8002;   # uvicorn: /live/<slug>/stream/ only\n" \
               "    server 127.0.0.1:8003;\n"  # fmt: skip


def render_site(*, wsgi: int, asgi: list[int], listen: int, workdir: Path) -> str:
    """The shipped site config with this run's ports and paths (each must be found)."""
    text = NGINX_SITE.read_text()
    swaps = {
        "/var/cache/nginx/newsroom": str(workdir / "nginx-cache"),
        "server 127.0.0.1:8001;": f"server 127.0.0.1:{wsgi};",
        ASGI_SERVERS: "".join(f"    server 127.0.0.1:{port};\n" for port in asgi),
        "listen 80;": f"listen 127.0.0.1:{listen};",
        "/srv/newsroom/staticfiles/": f"{ROOT / 'staticfiles'}/",
        "/srv/newsroom/media/": f"{workdir / 'media'}/",
    }
    for old, new in swaps.items():
        if old not in text:
            raise RuntimeError(f"docs/deploy/nginx.conf no longer contains {old!r}")
        text = text.replace(old, new)
    return text


def nginx_config(site: Path, *, static_root: Path, static_port: int, workdir: Path) -> str:
    """A whole nginx.conf around the site: this run's paths, plus a plain static server
    holding the same bytes as the poll's answers (the yardstick)."""
    temp = workdir / "nginx-temp"
    temp.mkdir(exist_ok=True)
    static_root.mkdir(exist_ok=True)
    return f"""
user root;
worker_processes 2;
worker_rlimit_nofile 20000;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 16384; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
    server {{
        listen 127.0.0.1:{static_port};
        root {static_root};
        etag on;
    }}
}}
"""
