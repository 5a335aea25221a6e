"""Measure `build --scheduler` on a local dask cluster: what docs/scaling.md's arithmetic for large archives
stands on.

    python bench/cluster.py [--site bench/work/sites/10000/dateline] [--workers 2] [--noop-tasks 5000]

The site defaults to the 10,000-article Reuters site bench/run.py makes (run ``bench/run.py --sizes 10000
--tools dateline`` once first). Steps, each a cold build (output deleted, the article cache kept, so both
builds read the articles alike):

1. a local build (pages rendered on this machine's cores), before any dask thread exists, so it forks as usual;
2. a real `dask scheduler` and --workers `dask worker` processes (one thread each, no nanny) on 127.0.0.1;
   the scheduler's pace (CPU per second) while every worker runs a task that only sleeps, and with nothing
   to do; then the same build with the scheduler's address, in this process (whose packing of shards and
   writing of files are timed), each process's CPU time read from /proc; the outputs compared byte for byte;
3. --noop-tasks empty tasks on the same cluster: the scheduler's cost per task, whatever the task does.

Prints a Markdown table: pages and shards, the render stage's wall time both ways, the workers' CPU per page,
the scheduler's CPU per shard and per second, this process's CPU for packing and writing, the bytes shipped
(the compressed shards going out, the rendered files coming back, the kit of templates and settings sent once
per worker) and the empty task's cost. The machine is shared: quote the load average it prints. Nothing is
asserted: benchmarks are not tests.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dateline import cluster  # noqa: E402
from dateline import shards as shipping  # noqa: E402
from dateline.build import build_site  # noqa: E402
from dateline.incremental.trees import OutputTrees  # noqa: E402

DEFAULT_SITE = ROOT / "bench" / "work" / "sites" / "10000" / "dateline"
WORK = ROOT / "bench" / "work" / "cluster"


def _noop(value: int) -> int:
    return value


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cold(output: Path) -> None:
    for folder in (output, output.parent / f".{output.name}.next", output.parent / f".{output.name}.mirror"):
        shutil.rmtree(folder, ignore_errors=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process PID so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_cluster(workers: int) -> tuple[str, subprocess.Popen, list[subprocess.Popen]]:
    """`dask scheduler` and WORKERS `dask worker` processes (one thread, no nanny) on 127.0.0.1, as a real
    cluster runs them: each process's CPU time can be read apart."""
    address = f"tcp://127.0.0.1:{free_port()}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", address.rsplit(":", 1)[1], "--no-dashboard"], **quiet)
    workers_ = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                  "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"], cwd=ROOT, **quiet)
                for _ in range(workers)]
    return address, scheduler, workers_


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--noop-tasks", type=int, default=5000)
    parser.add_argument("--shards-per-worker", type=int, default=shipping.SHARDS_PER_WORKER)
    args = parser.parse_args()
    shipping.SHARDS_PER_WORKER = args.shards_per_worker
    if not (args.site / "site.yaml").is_file():
        raise SystemExit(f"{args.site}: no site here; run `python bench/run.py --sizes 10000 --tools dateline` first")
    local_out, cluster_out = WORK / "out-local", WORK / "out-cluster"
    load = os.getloadavg()[0]

    build_site(args.site, local_out)  # fills the article cache, whatever state it was in
    cold(local_out)
    local = build_site(args.site, local_out)

    # This process's own work for the cluster: packing shards, rendering the pages too big to ship, writing.
    shard_bytes: list[int] = []
    shard_pages: list[int] = []
    to_render: list[int] = []
    spent = {"packing": 0.0, "writing": 0.0}
    planned, write = cluster.plan_shards, OutputTrees.write

    def measured_shards(*a, **k):  # each shard's size as it goes out
        to_render.append(len(a[0]))
        shards = planned(*a, **k)
        while True:
            begin = time.process_time()
            shard = next(shards, None)
            spent["packing"] += time.process_time() - begin
            if shard is None:
                return
            shard_bytes.append(len(shipping.pack_shard(shard)))
            shard_pages.append(len(shard.pages))
            yield shard

    def measured_write(self, site_path, data):
        begin = time.process_time()
        try:
            return write(self, site_path, data)
        finally:
            spent["writing"] += time.process_time() - begin
    cluster.plan_shards, OutputTrees.write = measured_shards, measured_write

    address, scheduler, workers = start_cluster(args.workers)
    try:
        import distributed

        with distributed.Client(address, set_as_default=False, timeout="60s") as client:
            client.wait_for_workers(args.workers, timeout=120)
            # the scheduler's own pace while every worker is busy (heartbeats, metrics): tasks that only sleep
            busy = cpu_seconds(scheduler.pid)
            client.gather(client.map(time.sleep, [5] * args.workers, pure=False))
            busy = (cpu_seconds(scheduler.pid) - busy) / 5
        idle = cpu_seconds(scheduler.pid)
        time.sleep(5)  # and with nothing to do
        idle = (cpu_seconds(scheduler.pid) - idle) / 5
        processes = [scheduler, *workers]
        before = [cpu_seconds(p.pid) for p in processes]
        wall = time.perf_counter()
        cold(cluster_out)
        mine = time.process_time()
        remote = build_site(args.site, cluster_out, scheduler=address)
        mine = time.process_time() - mine
        wall = time.perf_counter() - wall
        after = [cpu_seconds(p.pid) for p in processes]
        with distributed.Client(address, set_as_default=False) as client:
            noop_before = cpu_seconds(scheduler.pid)
            start = time.perf_counter()
            client.gather(client.map(_noop, range(args.noop_tasks), pure=False))
            noop_wall = (time.perf_counter() - start) / args.noop_tasks
            noop_cpu = (cpu_seconds(scheduler.pid) - noop_before) / args.noop_tasks
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
            process.wait(timeout=60)
    identical = tree(local_out) == tree(cluster_out)
    shards = len(shard_bytes)
    scheduler_cpu = after[0] - before[0]
    worker_cpu = sum(after[1:]) - sum(before[1:])
    rendered = sum(shard_pages)
    returned = sum(p.stat().st_size for p in cluster_out.rglob("*") if p.is_file())
    kit_size = len(pickle.dumps(_kit_of(args.site), protocol=5))
    rows = [
        ("articles; files in the output", f"{remote.articles:,}; {remote.files:,}"),
        ("pages shipped in shards; rendered here (showing too many articles)",
         f"{rendered:,}; {sum(to_render) - rendered:,}"),
        ("shards", f"{shards:,} of {statistics.median(shard_pages):.0f} pages (median)"),
        ("local build, render stage (2 cores, forked workers)", f"{local.timings.get('render', 0):.2f} s"),
        (f"cluster build, render stage ({args.workers} workers)",
         f"{remote.timings.get('render', 0):.2f} s (whole build {sum(remote.timings.values()):.2f} s)"),
        ("workers' CPU per shipped page", f"{worker_cpu / rendered * 1000:.3f} ms"),
        ("scheduler's CPU: per shard; beyond its pace with workers busy", f"{scheduler_cpu / shards * 1000:.1f} ms; "
         f"{(scheduler_cpu - busy * wall) / shards * 1000:.1f} ms"),
        ("scheduler's CPU per second: building; workers busy sleeping; idle",
         f"{scheduler_cpu / wall * 1000:.0f} ms; {busy * 1000:.0f} ms; {idle * 1000:.0f} ms"),
        ("this process: packing shards, per page", f"{spent['packing'] / rendered * 1000:.3f} ms"),
        ("this process: writing the twin tree, per file", f"{spent['writing'] / remote.written * 1000:.3f} ms"),
        ("this process: whole build's CPU", f"{mine:.2f} s"),
        ("stages before rendering (wall)", ", ".join(f"{name} {seconds:.2f} s" for name, seconds in
                                                    remote.timings.items() if name not in ("render", "commit",
                                                                                           "snapshot"))),
        ("bytes out per shard (pickled, compressed): median; per page; total",
         f"{statistics.median(shard_bytes) / 1024:.0f} KiB; {sum(shard_bytes) / rendered / 1024:.1f} KiB; "
         f"{sum(shard_bytes) / 2**20:.1f} MiB"),
        ("bytes back (rendered files): per file; total", f"{returned / remote.files / 1024:.1f} KiB; "
                                                          f"{returned / 2**20:.1f} MiB"),
        ("kit (templates + settings), once per worker", f"{kit_size / 1024:.0f} KiB"),
        (f"empty task ({args.noop_tasks:,} at once): wall; scheduler CPU",
         f"{noop_wall * 1000:.3f} ms; {noop_cpu * 1000:.3f} ms"),
        ("output byte-identical to the local build", "yes" if identical else "NO"),
        ("load average (1 min) at start", f"{load:.2f}"),
    ]
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


def _kit_of(site: Path):
    from dateline.config import load_config
    from dateline.render import make_environment, with_taxonomy_templates

    config = load_config(site)
    env = make_environment(site, config)
    config = with_taxonomy_templates(config, env)
    return shipping.RenderKit("x" * 32, config, False, shipping.shipped(env.loader, env))


if __name__ == "__main__":
    main()
