"""`build --scheduler`: the render stage on a real dask cluster (a LocalCluster of two worker processes on
127.0.0.1) gives byte for byte a local build's output, survives a worker killed mid-render, and fails cleanly,
leaving the previous output, when dask gives up on a shard."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import cloudpickle
import dask
import distributed  # requirements-dev.txt: the [cluster] extra
import pytest
from distributed.diagnostics.plugin import SchedulerPlugin

from dateline import shards
from dateline.build import build_site
from dateline.errors import DatelineError

from conftest import FIXTURES, REPO, run_cli, serve_once, write_article

COUNTRIES = ["LT", "LV", "EE", "PL", "DE", "FR", "US", "BR"]
TAGS = ["diplomacy", "economy", "energy", "elections", "weather", "shipping"]
DASK_MODULES = ("dask", "distributed", "tornado", "msgpack", "cloudpickle")


def generated_site(folder: Path, articles: int = 120) -> Path:
    """The full fixture site with ARTICLES more stories over a month: a few hundred pages, dozens of shards."""
    shutil.copytree(FIXTURES / "full", folder)
    for n in range(articles):
        day, hour = 1 + n % 28, 6 + n % 12
        write_article(folder, f"gen/{n:03d}.md",
                      f"---\ntitle: Story {n} from the wire\ndate: 2025-08-{day:02d}T{hour:02d}:15:00Z\n"
                      f"dateline: Riga\nsource: AFP\ncountries: [{COUNTRIES[n % 8]}, {COUNTRIES[(n * 3) % 8]}]\n"
                      f"tags: [{TAGS[n % 6]}, {TAGS[(n // 6) % 6]}]\n---\n\nParagraph {n} of the story.\n\n"
                      f"Another paragraph with *emphasis* number {n}.\n")
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class RenderLog(SchedulerPlugin):
    """Which worker rendered which shard (the scheduler runs in this process); optionally kills the worker
    process running shards once the first shard is rendered: a worker lost mid-build."""

    def __init__(self, scheduler, kill: bool = False) -> None:
        self.scheduler = scheduler
        self.kill = kill
        self.rendered: list[tuple[str, str]] = []  # (shard key, worker address) as each shard finished
        self.killed_while_running: list[str] = []  # shard keys the killed worker was running

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        if not str(key).startswith("dateline-render-") or finish != "memory":
            return
        worker = kwargs.get("worker") or ""
        self.rendered.append((str(key), str(worker)))
        if self.kill and not self.killed_while_running:
            running = [ts for ts in self.scheduler.tasks.values()
                       if str(ts.key).startswith("dateline-render-") and ts.state == "processing"]
            if running:
                victim = running[0].processing_on
                self.killed_while_running = [str(ts.key) for ts in running if ts.processing_on is victim]
                os.kill(victim.pid, signal.SIGKILL)


@pytest.fixture(scope="module", autouse=True)
def single_threaded_after():
    """The tests after these fork build workers, which Dateline does only from a single-threaded process: dask
    leaves one thread behind (its offload executor, made on first use and kept for the process's life), shut
    down here once nothing of dask runs any more."""
    yield
    distributed.utils._offload_executor.shutdown(wait=True)
    deadline = time.monotonic() + 30
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [thread.name for thread in threading.enumerate()] == ["MainThread"]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as local:
        with distributed.Client(local, set_as_default=False) as client:
            yield local, client


@pytest.fixture
def log(cluster):
    """A fresh RenderLog on the scheduler, with both workers up (a test before may have killed one)."""
    local, client = cluster
    client.wait_for_workers(2, timeout=60)
    plugins = []

    def install(kill: bool = False) -> RenderLog:
        plugin = RenderLog(local.scheduler, kill)
        local.scheduler.add_plugin(plugin, name=f"render-log-{len(plugins)}")
        plugins.append(plugin)
        return plugin
    yield install
    for n in range(len(plugins)):
        local.scheduler.remove_plugin(name=f"render-log-{n}")
    local.scheduler.allowed_failures = 3  # as dask's default, for the next test


def test_cluster_build_is_byte_identical_to_a_local_build(cluster, log, tmp_path):
    local, _ = cluster
    site = generated_site(tmp_path / "site")
    # the local build as an editor runs it, in a process of its own (this one has dask's threads: no forking)
    assert run_cli("build", "--site", str(site), "--output", str(tmp_path / "local")).returncode == 0
    rendered = log()
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "cluster"),
                     "--scheduler", local.scheduler_address)
    assert result.returncode == 0, result.stderr
    assert "Built 125 articles" in result.stdout
    assert tree(tmp_path / "cluster") == tree(tmp_path / "local")
    # really on the cluster, on both workers, in many shards (one each would prove nothing of the merge)
    assert len(rendered.rendered) >= 10
    assert len({worker for _, worker in rendered.rendered}) == 2

    # An edit's rebuild (the pages showing one article, from the snapshot) goes to the cluster too.
    story = site / "content" / "articles" / "gen" / "007.md"
    story.write_text(story.read_text().replace("Paragraph 7", "Paragraph seven, corrected"))
    shards_before = len(rendered.rendered)
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "cluster"),
                     "--scheduler", local.scheduler_address)
    assert result.returncode == 0, result.stderr
    assert len(rendered.rendered) > shards_before
    assert build_site(site, tmp_path / "local").edited_only
    assert tree(tmp_path / "cluster") == tree(tmp_path / "local")
    assert b"Paragraph seven, corrected" in tree(tmp_path / "cluster")["2025/08/08/story-7-from-the-wire/index.html"]


def built_here_and_on_the_cluster(site: Path, tmp_path: Path, scheduler: str, log) -> dict[str, bytes]:
    """SITE built by the CLI locally and on the cluster at SCHEDULER: the cluster rendered shards, and its
    output (returned) is the local one byte for byte."""
    assert run_cli("build", "--site", str(site), "--output", str(tmp_path / "local")).returncode == 0
    rendered = log()
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "cluster"), "--scheduler", scheduler)
    assert result.returncode == 0, result.stderr
    assert rendered.rendered
    built = tree(tmp_path / "cluster")
    assert built == tree(tmp_path / "local")
    return built


def test_a_site_in_another_language_with_its_own_strings_renders_the_same_on_the_cluster(cluster, log, tmp_path):
    """Workers have no disk of the site's: its own catalog (locales/fr.po) travels in the kit, with site.yaml's
    strings in its settings, and the French pages come back as a local build writes them."""
    local, _ = cluster
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "language-fr", site)
    with (site / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write('strings:\n  Latest: "À la une"\n')
    (site / "locales").mkdir()
    (site / "locales" / "fr.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                                            'msgid "Archive"\nmsgstr "Le fonds"\n', encoding="utf-8")
    built = built_here_and_on_the_cluster(site, tmp_path, local.scheduler_address, log)
    home = built["index.html"].decode()
    assert ">Le fonds</a>" in home and ">À la une</a>" in home


def test_check_on_the_cluster(cluster, log, tmp_path):
    """check's strict production build renders on the cluster as well, with the same verdict."""
    local, _ = cluster
    site = generated_site(tmp_path / "site", articles=20)
    rendered = log()
    result = run_cli("check", "--site", str(site), "--now", "2030-01-01T00:00:00Z",
                     "--scheduler", local.scheduler_address)
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stdout and rendered.rendered


def test_a_worker_killed_mid_render_is_replaced_and_the_output_is_identical(cluster, log, tmp_path):
    """The shards the killed worker held are sent again (a second try) and rendered by the other worker: same
    bytes, no error."""
    local, _ = cluster
    site = generated_site(tmp_path / "site")
    build_site(site, tmp_path / "local")
    killer = log(kill=True)
    result = build_site(site, tmp_path / "cluster", scheduler=local.scheduler_address)
    assert killer.killed_while_running, "no worker was running a shard when the first one finished"
    lost = {shard_and_try(key) for key in killer.killed_while_running}
    rendered = {shard_and_try(key) for key, _ in killer.rendered}
    assert {(shard, 2) for shard, _ in lost} <= rendered  # each lost shard rendered at its second try
    assert result.warnings == [] and result.files == len(tree(tmp_path / "local"))
    assert tree(tmp_path / "cluster") == tree(tmp_path / "local")


def test_a_shard_dask_gives_up_on_fails_the_build_and_leaves_the_previous_output(cluster, log, tmp_path):
    """With no retry allowed (dask's allowed-failures, which the build follows too), a killed worker's shards
    fail: exit status 1 without a traceback, output/ as the build before left it; the next build (retries back)
    equals a local build of the edited site."""
    local, _ = cluster
    site = generated_site(tmp_path / "site")
    out = tmp_path / "out"
    build_site(site, out)
    before = tree(out)
    config = site / "site.yaml"  # every page shows the title: all of them are to be rendered again
    config.write_text(config.read_text().replace("title: Full Digest", "title: Edited Digest"))
    killer = log(kill=True)
    local.scheduler.allowed_failures = 0
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--output", str(out),
                             "--scheduler", local.scheduler_address], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"})
    assert killer.killed_while_running
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert f"--scheduler: {local.scheduler_address}: the workers running the pages from " in result.stderr
    assert "died, 1 in turn" in result.stderr and "the output folder was left as it was" in result.stderr
    assert tree(out) == before
    assert all(b"Edited Digest" not in page for page in before.values())

    local.scheduler.allowed_failures = 3
    cluster[1].wait_for_workers(2, timeout=60)
    build_site(site, out, scheduler=local.scheduler_address)
    build_site(site, tmp_path / "local")
    assert tree(out) == tree(tmp_path / "local")
    assert b"Edited Digest" in tree(out)["index.html"]


def shard_and_try(key: str) -> tuple[int, int]:
    """(shard number, try) from a render task's key, dateline-render-BUILD-SHARD-TRY."""
    shard, attempt = key.rsplit("-", 2)[1:]
    return int(shard), int(attempt)


def test_pages_showing_many_articles_render_here_and_the_output_is_identical(cluster, log, tmp_path, monkeypatch):
    """Pages showing more articles than a shard may carry views of (lowered here to 2: article pages with their
    related articles, lists, feeds) render in the building process, beside the shards."""
    local, _ = cluster
    monkeypatch.setattr(shards, "SHIPPED_VIEWS", 2)
    site = generated_site(tmp_path / "site", articles=30)
    build_site(site, tmp_path / "local")
    rendered = log()
    build_site(site, tmp_path / "cluster", scheduler=local.scheduler_address)
    assert tree(tmp_path / "cluster") == tree(tmp_path / "local")
    assert rendered.rendered  # the pages with few articles (tag indexes, the 404...) were still shipped


def test_a_template_error_reads_as_in_a_local_build(cluster, log, tmp_path):
    """The same messages, in the same order, whichever shard meets the error first; nothing is written."""
    local, _ = cluster
    site = generated_site(tmp_path / "site", articles=40)
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text(
        '{% extends "default/article.html" %}\n{% block content %}\n{{ article.title.nope() }}\n{% endblock %}\n')
    messages = []
    for scheduler in (None, local.scheduler_address):
        with pytest.raises(DatelineError) as failed:
            build_site(site, tmp_path / "out", scheduler=scheduler)
        messages.append([str(error) for error in failed.value.errors])
    assert messages[0] == messages[1]
    assert "article.html:3: template error while rendering " in messages[0][0]
    assert not (tmp_path / "out").exists()


def test_workers_running_another_dateline_are_refused(tmp_path):
    """A real worker whose Dateline differs (a copy of the package with one line more), joined to a scheduler:
    the build stops before rendering, saying what to do."""
    copy = tmp_path / "other"
    shutil.copytree(REPO / "dateline", copy / "dateline", ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "dateline" / "cluster.py").open("a") as module:
        module.write("# another version\n")
    site = generated_site(tmp_path / "site", articles=0)
    with distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as local:
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", local.scheduler_address,
                                   "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"],
                                  cwd=copy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            result = run_cli("build", "--site", str(site), "--scheduler", local.scheduler_address)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "would render other pages: Dateline's code differs. Install the same Dateline" in result.stderr
    assert not (site / "output").exists()


class SchedulerDies(SchedulerPlugin):
    """Kills the scheduler's own process once the first shard is rendered (runs in a `dask scheduler`)."""

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        if str(key).startswith("dateline-render-") and finish == "memory":
            os.kill(os.getpid(), signal.SIGKILL)


def test_a_scheduler_lost_mid_render_fails_the_build_cleanly(tmp_path):
    """A real `dask scheduler` process that dies mid-render: exit status 1 with the build's own message (none of
    dask's logged tracebacks), and the previous output untouched."""
    site = generated_site(tmp_path / "site", articles=60)
    out = tmp_path / "out"
    build_site(site, out)
    before = tree(out)
    config = site / "site.yaml"
    config.write_text(config.read_text().replace("title: Full Digest", "title: Edited Digest"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--no-dashboard"], **quiet)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                               "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"], cwd=REPO, **quiet)
    try:
        cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the scheduler cannot import this file
        try:
            with distributed.Client(address, timeout="60s", set_as_default=False) as client:
                client.wait_for_workers(1, timeout=60)
                client.register_plugin(SchedulerDies())
        finally:
            cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
        result = run_cli("build", "--site", str(site), "--output", str(out), "--scheduler", address)
        assert scheduler.wait(timeout=60) == -signal.SIGKILL
    finally:
        for process in (worker, scheduler):
            process.kill()
            process.wait(timeout=60)
    assert result.returncode == 1 and result.stderr == (
        f"--scheduler: {address}: lost the scheduler while rendering (the connection to it was lost); build again "
        "when it is back, or without --scheduler\n1 error; the output folder was left as it was.\n")
    assert tree(out) == before


def test_a_scheduler_without_workers_is_refused(tmp_path):
    """It answers, but nobody would render: refused once dask's connection timeout has passed (1 s here)."""
    site = generated_site(tmp_path / "site", articles=0)
    with distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as local, \
            dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(DatelineError) as failed:
            build_site(site, tmp_path / "out", scheduler=local.scheduler_address)
    assert str(failed.value) == (f"--scheduler: {local.scheduler_address}: the scheduler has no workers (none joined "
                                 f"within 1s): start some with `dask worker {local.scheduler_address}`")
    assert not (tmp_path / "out").exists()


def imported_modules(stderr: str) -> set[str]:
    """Top-level modules in `python -X importtime` output."""
    return {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


def test_build_and_serve_without_scheduler_never_load_dask(tmp_path):
    site = generated_site(tmp_path / "site", articles=0)
    result = subprocess.run([sys.executable, "-X", "importtime", str(REPO / "build.py"), "build", "--site", str(site)],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert not imported_modules(result.stderr) & set(DASK_MODULES)
    served = serve_once([sys.executable, "-X", "importtime", str(REPO / "build.py"), "serve", "--site", str(site),
                         "--port", "0"], cwd=REPO)
    assert served.status == 200 and served.returncode == 0, served.stderr[-2000:]
    assert not imported_modules(served.stderr) & set(DASK_MODULES)


def test_a_site_in_several_languages_renders_the_same_on_the_cluster(cluster, log, tmp_path):
    """Each page renders in its own language on the workers too (its data names it), links in its folder."""
    local, _ = cluster
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "multilingual", site)
    built = built_here_and_on_the_cluster(site, tmp_path, local.scheduler_address, log)
    assert 'lang="fr"' in built["fr/index.html"].decode() and 'dir="rtl"' in built["ar/index.html"].decode()
