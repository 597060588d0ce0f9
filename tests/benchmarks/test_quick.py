"""Fast checks that ``make bench`` can still run: the shipped nginx config renders and
loads, the load client parses events, the statistics are the ones documented. The
benchmarks themselves never run in the test suite (``make bench BENCH_ARGS=--quick``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks.proxy import nginx_config, render_site
from benchmarks.sseclient import ID_LINE
from benchmarks.stats import percentile, summary

pytestmark = pytest.mark.benchmarks


def test_shipped_nginx_config_renders_with_the_run_s_ports(tmp_path: Path):
    site = render_site(wsgi=18001, asgi=[18002], listen=18080, workdir=tmp_path)
    assert "server 127.0.0.1:18001;" in site
    assert "server 127.0.0.1:18002;" in site
    assert "listen 127.0.0.1:18080;" in site
    directives = [line.split("#")[0].strip() for line in site.splitlines()]
    assert not any(d.startswith("proxy_cache_valid") for d in directives)  # Django decides
    assert "proxy_buffering off;" in site


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_shipped_nginx_config_loads(tmp_path: Path):
    site = tmp_path / "site.conf"
    site.write_text(render_site(wsgi=18001, asgi=[18002], listen=18080, workdir=tmp_path))
    static = tmp_path / "static"
    static.mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config(site, static_root=static, static_port=18081, workdir=tmp_path))
    check = subprocess.run(["nginx", "-t", "-q", "-c", str(conf), "-p", str(tmp_path)],
                           capture_output=True, text=True, timeout=20)  # fmt: skip
    assert check.returncode == 0, check.stderr


def test_load_client_reads_event_ids():
    block = b"retry: 2000\n\nid: 41\nevent: change\ndata: <p>x</p>\n\n: keep-alive\n\nid: 42\n"
    assert ID_LINE.findall(block) == [b"41", b"42"]


def test_percentiles_are_observed_values_and_runs_report_median_min_max():
    assert percentile(list(range(1, 101)), 99) == 99
    assert percentile([5.0], 50) == 5.0
    assert summary([3.0, 1.0, 2.0]) == {"median": 2.0, "min": 1.0, "max": 3.0, "runs": 3}
