"""`make bench`: how close `rasd run` comes to the floor on this machine.

Serves a generated site of N article pages on 127.0.0.1 (rasd.benchgen) and times, side by
side:

1. the floor: every page downloaded with 16 threads and `trafilatura.extract` run on it on
   all cores, nothing else;
2. `rasd run` as a separate process, with Prefect, into a fresh warehouse;
3. the rerun: the same command again with nothing changed on the site.

Prints the times, pages per second, the peak memory of each run (RSS summed over the
`rasd run` process tree) and the ratios against the targets. Exits non-zero only when the
benchmark itself cannot be set up or a run fails, never for a missed target.

    .venv/bin/python scripts/bench.py [--pages 5000] [--json bench.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import httpx
import psutil
import trafilatura

from flows.api import free_port
from rasd.benchgen import BenchSiteError, generate_article, serve_generated

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
TARGETS = {"run_over_floor": 1.3, "rerun_over_run": 0.15, "peak_memory_mb": 1536.0}
PREFECT_MODES = {
    "both": ("server", "temporary"),
    "server": ("server",),
    "temporary": ("temporary",),
    "none": ("none",),
}
MODE_TITLES = {
    "server": "Prefect server running, as deployed",
    "temporary": "temporary Prefect server started by `rasd run`",
    "none": "without Prefect (`rasd run --no-prefect`)",
}
POLL_SECONDS = 0.2
EXTRACT_CHUNK = 16  # pages per job sent to the extraction processes
SUMMARY_SECONDS = re.compile(r"run \S+: completed in ([\d.]+) s")
SUMMARY_PAGES = re.compile(
    r"pages:\s+(\d+) attempted, (\d+) fetched, (\d+) unchanged, (\d+) failed"
)


class BenchError(RuntimeError):
    """The benchmark could not be set up or a measured run failed."""


@dataclass
class RunFigures:
    seconds: float
    peak_rss_mb: float
    exit_code: int
    pages: dict[str, int] = field(default_factory=dict)
    pipeline_seconds: float | None = None  # the run's own figure, without process start-up
    peak_by_process: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, object]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# --------------------------------------------------------------------------- the floor


def _ready() -> bool:
    return True


def _extract_chunk(pages: list[bytes]) -> int:
    """How many of the pages trafilatura found a main text in."""
    return sum(1 for page in pages if trafilatura.extract(page))


def measure_floor(base_url: str, paths: Sequence[str], threads: int, workers: int) -> dict:
    """Download with `threads` threads while `workers` processes extract, overlapping."""
    started = time.perf_counter()
    limits = httpx.Limits(max_connections=threads + 4, max_keepalive_connections=threads)
    with (
        ProcessPoolExecutor(max_workers=workers) as pool,
        httpx.Client(base_url=base_url, limits=limits, timeout=30) as client,
    ):
        pool.submit(_ready).result()  # fork the workers before any download thread exists
        with ThreadPoolExecutor(max_workers=threads) as downloads:
            extracted = _download_and_extract(client, downloads, pool, paths)
    seconds = time.perf_counter() - started
    if extracted < len(paths) * 0.9:
        raise BenchError(f"the floor extracted text from only {extracted} of {len(paths)} pages")
    return {"seconds": seconds, "extracted": extracted}


def _download_and_extract(
    client: httpx.Client,
    downloads: ThreadPoolExecutor,
    pool: ProcessPoolExecutor,
    paths: Sequence[str],
) -> int:
    """Pages go to the extraction processes in small chunks as soon as they arrive."""
    jobs: list[Future[int]] = []
    chunk: list[bytes] = []
    for done in as_completed([downloads.submit(_download, client, p) for p in paths]):
        chunk.append(done.result())
        if len(chunk) == EXTRACT_CHUNK:
            jobs.append(pool.submit(_extract_chunk, chunk))
            chunk = []
    if chunk:
        jobs.append(pool.submit(_extract_chunk, chunk))
    return sum(job.result() for job in jobs)


def _download(client: httpx.Client, path: str) -> bytes:
    response = client.get(path)
    if response.status_code != 200:
        raise BenchError(f"the bench site answered {response.status_code} for {path}")
    return response.content


# --------------------------------------------------------------------------- rasd run


class _PeakMemory:
    """Polls the RSS of a process and all its descendants; keeps the largest sum."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self.peak_by_process: dict[str, float] = {}  # MB per kind of process, at the peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            sizes = _tree_rss(self.root)
            total = sum(size for _, size in sizes)
            if total > self.peak:
                self.peak = total
                self.peak_by_process = _by_kind(sizes)
            self._stop.wait(POLL_SECONDS)

    def __enter__(self) -> _PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def _tree_rss(root: psutil.Process) -> list[tuple[str, int]]:
    """(kind, RSS) of the process and each descendant."""
    sizes = []
    try:
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
    for process in members:
        try:
            sizes.append((_kind(process, root), process.memory_info().rss))
        except psutil.NoSuchProcess:
            continue
    return sizes


def _kind(process: psutil.Process, root: psutil.Process) -> str:
    if process.pid == root.pid:
        return "rasd run"
    command = " ".join(process.cmdline())
    if "uvicorn" in command or "prefect.server" in command:
        return "prefect temporary server"
    return "worker processes"


def _by_kind(sizes: list[tuple[str, int]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for kind, size in sizes:
        out[kind] = round(out.get(kind, 0.0) + size / 2**20, 1)
    return out


def _kill_tree(pid: int) -> None:
    """Stop a `rasd run` that overran: its process group holds it and all its workers."""
    with suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def keep_reference_data(env: dict[str, str]) -> None:
    """The gazetteer built and kept where the runs look for it (not timed): a nightly run
    finds it kept by the night before, except the first run after an upgrade."""
    print("keeping the gazetteer for the runs (not timed) ...", flush=True)
    code = (
        "from rasd.pipeline import keep_reference_data; from rasd.settings import Settings; "
        "keep_reference_data(Settings.from_env())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise BenchError(f"could not keep the gazetteer: {done.stderr.strip()[-500:]}")


def run_rasd(command: list[str], env: dict[str, str], log: Path, timeout: float) -> RunFigures:
    started = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        with _PeakMemory(process.pid) as memory:
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_tree(process.pid)
                process.wait()
                raise BenchError(
                    f"`rasd run` did not finish within {timeout:.0f} s; see {log}"
                ) from None
    seconds = time.perf_counter() - started
    text = log.read_text(encoding="utf-8", errors="replace")
    if code != 0:
        tail = "\n".join(text.splitlines()[-25:])
        raise BenchError(f"`rasd run` exited with {code}; the end of its output:\n{tail}")
    body = SUMMARY_SECONDS.search(text)
    return RunFigures(
        seconds,
        memory.peak / 2**20,
        code,
        _summary_pages(text),
        float(body.group(1)) if body else None,
        memory.peak_by_process,
    )


def _summary_pages(output: str) -> dict[str, int]:
    found = SUMMARY_PAGES.search(output)
    if not found:
        return {}
    names = ("attempted", "fetched", "unchanged", "failed")
    return dict(zip(names, map(int, found.groups()), strict=True))


def warehouse_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "events")
        }


@contextmanager
def prefect_server(home: Path, env: dict[str, str]) -> Iterator[dict[str, str]]:
    """A separate `prefect server start` on 127.0.0.1, as a production deployment runs one.

    Yields the environment that points runs at it; its start-up is not part of any timing.
    """
    port = free_port()
    server_env = {**env, "PREFECT_HOME": str(home)}
    log = home / "server.log"
    home.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(VENV_BIN / "prefect"), "server", "start", "--host", "127.0.0.1"]
            + ["--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=server_env,
            start_new_session=True,
        )
    api = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(api, process, log)
        yield {**env, "PREFECT_API_URL": api}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _kill_tree(process.pid)
            process.wait()


def _wait_healthy(api: str, process: subprocess.Popen, log: Path, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"`prefect server start` exited early; see {log}")
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise BenchError(f"the Prefect server was not healthy within {limit:.0f} s; see {log}")


# --------------------------------------------------------------------------- breakdown


class _Waited:
    """A step running ahead in a thread; the time the run waits for it is counted."""

    def __init__(self, stages: _TimedStages, name: str, future: Future) -> None:
        self.stages, self.name, self.future = stages, name, future

    def result(self) -> object:
        return self.stages._timed(self.name, self.future.result)

    def done(self) -> bool:
        return self.future.done()


class _TimedStages:
    """rasd.pipeline.PlainStages with the time spent in each step added up.

    Fetching, clean + extract and validation run ahead in threads, so each has two
    figures: the time the step took in its thread and the time the run waited for it.
    """

    def __init__(self, settings: object) -> None:
        from rasd.pipeline import PlainStages

        self.inner = PlainStages(settings)
        self.seconds: dict[str, float] = {}

    def _timed(self, name: str, call: object, *args: object) -> object:
        started = time.perf_counter()
        try:
            return call(*args)
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def discover(self, sources_file: Path) -> object:
        return self._timed("discover", self.inner.discover, sources_file)

    def earlier_fetches(self, warehouse: object) -> object:
        return self.inner.earlier_fetches(warehouse)

    def fetch(self, refs: list, previous: dict) -> object:
        return self._timed("fetch (in its thread)", self.inner.fetch, refs, previous)

    def fetch_ahead(self, refs: list, previous: dict) -> object:
        future = self.inner._fetcher.submit(self.fetch, refs, previous)
        return _Waited(self, "waiting for fetch", future)

    def prepare(self, pages: int) -> None:
        self._timed("start workers", self.inner.prepare, pages)

    def process(self, pages: list) -> object:
        return self._timed("clean+extract (in its thread)", self.inner.process, pages)

    def process_ahead(self, pages: list) -> object:
        future = self.inner._processor.submit(self.process, pages)
        return _Waited(self, "waiting for clean+extract", future)

    def validate(self, batch: object, run_id: str) -> object:
        return self._timed("validate (in its thread)", self.inner.validate, batch, run_id)

    def validate_ahead(self, batch: object, run_id: str) -> object:
        future = self.inner._validator.submit(self.validate, batch, run_id)
        return _Waited(self, "waiting for validate", future)

    def close(self) -> None:
        self.inner.close()


def measure_breakdown(sources: Path, warehouse: Path) -> dict[str, float]:
    """Seconds per step of one plain run, in this process (imports already paid)."""
    from rasd.pipeline import run_pipeline
    from rasd.settings import Settings

    stages = _TimedStages(Settings.from_env(warehouse))
    summary = run_pipeline(sources, stages.inner.settings, stages)
    steps = dict(stages.seconds)
    counted = sum(v for k, v in steps.items() if "(in its thread)" not in k)
    steps["staging, load, run records"] = summary.seconds - counted
    steps["total"] = summary.seconds
    return steps


# --------------------------------------------------------------------------- report


@dataclass
class Round:
    """One run on a fresh warehouse, its rerun, and the floor measured around the run."""

    floor: dict
    run: RunFigures
    rerun: RunFigures
    warehouse: dict[str, int]

    @property
    def floor_seconds(self) -> float:
        return self.floor["seconds"]


def ratios(floor: float, run: RunFigures, rerun: RunFigures) -> dict[str, float]:
    return {
        "run_over_floor": run.seconds / floor,
        "rerun_over_run": rerun.seconds / run.seconds,
        "peak_memory_mb": max(run.peak_rss_mb, rerun.peak_rss_mb),
    }


def summary_ratios(rounds: Sequence[Round]) -> dict[str, float]:
    """The median round's ratios (the machine's drift moves one round by up to a quarter
    from the next) and the highest peak memory of any run."""
    each = [ratios(r.floor_seconds, r.run, r.rerun) for r in rounds]
    return {
        "run_over_floor": statistics.median(e["run_over_floor"] for e in each),
        "rerun_over_run": statistics.median(e["rerun_over_run"] for e in each),
        "peak_memory_mb": max(e["peak_memory_mb"] for e in each),
    }


def render(pages: int, rounds: Sequence[Round]) -> str:
    head = ("round", "floor s", "run s", "rerun s", "run/floor", "rerun/run", "peak MB")
    lines = [f"{head[0]:6}" + "".join(f"{h:>11}" for h in head[1:]) + f"{'pipeline s':>12}"]
    for number, r in enumerate(rounds, start=1):
        each = ratios(r.floor_seconds, r.run, r.rerun)
        body = f"{r.run.pipeline_seconds:.1f}" if r.run.pipeline_seconds is not None else "?"
        lines.append(
            f"{number:<6}{r.floor_seconds:>11.1f}{r.run.seconds:>11.1f}{r.rerun.seconds:>11.1f}"
            f"{each['run_over_floor']:>11.2f}{each['rerun_over_run']:>11.2f}"
            f"{each['peak_memory_mb']:>11.0f}{body:>12}"
        )
    floor = statistics.median(r.floor_seconds for r in rounds)
    run = statistics.median(r.run.seconds for r in rounds)
    lines += [f"pages/s (median round): floor {pages / floor:.0f}, run {pages / run:.0f}", ""]
    of = f"median of {len(rounds)} rounds" if len(rounds) > 1 else "one round"
    for name, value in summary_ratios(rounds).items():
        target = TARGETS[name]
        verdict = "met" if value <= target else "MISSED"
        shown = f"{value:.0f}" if name == "peak_memory_mb" else f"{value:.2f}"
        kind = "highest of the runs" if name == "peak_memory_mb" else of
        lines.append(f"{name:16}{shown:>8}  target <= {target:g}  {verdict}  ({kind})")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=5000, help="article pages (default 5000)")
    parser.add_argument("--seed", type=int, default=0, help="text generator seed")
    parser.add_argument("--threads", type=int, default=16, help="download threads of the floor")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--timeout", type=float, default=None, help="limit per `rasd run` in s (default scales)"
    )
    parser.add_argument(
        "--prefect",
        choices=sorted(PREFECT_MODES),
        default="both",
        help="which Prefect set-up `rasd run` uses: a long-lived `prefect server start` as "
        "deployed (started before the timing), the temporary server `rasd run` starts "
        "itself, both side by side (default), or none (`rasd run --no-prefect`)",
    )
    parser.add_argument(
        "--conditional",
        action="store_true",
        help="ignore sitemap lastmod (RASD_TRUST_LASTMOD=0): the rerun asks every page again "
        "with If-None-Match and gets 304s",
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time each step of a plain run in this process (a third warehouse)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="runs (each with its rerun and the floor around it) per Prefect set-up; the "
        "ratios are the median round's (default 3)",
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep warehouse and logs here")
    args = parser.parse_args(argv)
    if args.pages < 1 or args.threads < 1 or args.rounds < 1:
        parser.error("--pages, --threads and --rounds must be at least 1")
    return args


def bench(args: argparse.Namespace, work: Path) -> dict:
    rasd = VENV_BIN / "rasd"
    if not rasd.is_file():
        raise BenchError(f"{rasd} not found; run `make setup` first")
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    env["RASD_CACHE_DIR"] = str(work / "cache")
    if args.conditional:
        env["RASD_TRUST_LASTMOD"] = "0"
    timeout = args.timeout or max(600.0, args.pages * 0.3)
    paths = [generate_article(i, args.seed).path for i in range(args.pages)]
    info = machine()
    load_before = os.getloadavg()
    print(
        f"machine: {info['nproc']} x {info['cpu_model']}, {info['ram_gb']} GB, "
        f"Python {info['python']}",
        flush=True,
    )
    keep_reference_data(env)
    print(f"generating and serving {args.pages} pages ...", flush=True)
    with serve_generated(args.pages, args.seed) as base_url:

        def floor_now() -> dict:
            print("floor: 16-thread download + trafilatura on all cores ...", flush=True)
            return measure_floor(base_url, paths, args.threads, os.cpu_count() or 1)

        sources = work / "sources.yaml"
        sources.write_text(
            f"sources:\n  - name: bench\n    kind: sitemap\n"
            f"    url: {base_url}/sitemap_index.xml\n",
            encoding="utf-8",
        )
        modes: dict[str, list[Round]] = {}
        for mode in PREFECT_MODES[args.prefect]:
            modes[mode] = measure_mode(
                mode, rasd, sources, work, env, timeout, floor_now, args.rounds
            )
            for measured in modes[mode]:
                _check_runs(args.pages, measured.run, measured.rerun)
        breakdown = None
        if args.breakdown:
            print("breakdown: one plain run, timed step by step ...", flush=True)
            breakdown = measure_breakdown(sources, work / "breakdown" / "warehouse.duckdb")
    for mode, rounds in modes.items():
        print(f"\n{MODE_TITLES[mode]}:")
        print(render(args.pages, rounds))
        print(
            "floor: each round's is the mean of the floors measured right before and after its run"
        )
        counts = rounds[-1].warehouse
        print(f"warehouse: {counts['articles']} articles, {counts['events']} events")
    if breakdown:
        print("\nplain run, seconds per step:")
        for name, seconds in breakdown.items():
            print(f"  {name:32}{seconds:>8.1f}")
    return {
        "pages": args.pages,
        "seed": args.seed,
        "machine": info,
        "settings": {k: env.get(k) for k in _KNOBS},
        "prefect": {
            mode: {
                "rounds": [
                    {
                        **asdict(r),
                        "ratios": ratios(r.floor_seconds, r.run, r.rerun),
                    }
                    for r in rounds
                ],
                "ratios": summary_ratios(rounds),
            }
            for mode, rounds in modes.items()
        },
        "breakdown": breakdown,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "targets": TARGETS,
    }


def measure_mode(
    mode: str,
    rasd: Path,
    sources: Path,
    work: Path,
    env: dict[str, str],
    timeout: float,
    floor_now: Callable[[], dict],
    rounds: int = 1,
) -> list[Round]:
    """Rounds of a run on a fresh warehouse with one Prefect set-up and its rerun, with
    the floor measured before the first run and after each.

    Each run's floor is the mean of the measurements just before and just after it: on a
    shared or virtual machine the speed drifts over minutes, and a ratio is only as good as
    its two times being taken under the same conditions."""
    folder = work / mode
    measured: list[Round] = []
    with _prefect_env(mode, folder, env) as run_env:
        floors = [floor_now()]
        for number in range(1, rounds + 1):
            here = folder / f"round{number}"
            here.mkdir(parents=True, exist_ok=True)
            warehouse = here / "warehouse.duckdb"
            command = [str(rasd), "run", "--sources", str(sources), "--warehouse", str(warehouse)]
            command += ["--no-prefect"] if mode == "none" else []
            title = f"run {number}/{rounds} ({MODE_TITLES[mode]})"
            print(f"{title}: {' '.join(command[1:])} ...", flush=True)
            run = run_rasd(command, run_env, here / "run.log", timeout)
            floors.append(floor_now())
            print("rerun: the same, nothing changed ...", flush=True)
            rerun = run_rasd(command, run_env, here / "rerun.log", timeout)
            before, after = floors[-2:]
            floor = {
                "seconds": (before["seconds"] + after["seconds"]) / 2,
                "before_run": before,
                "after_run": after,
            }
            measured.append(Round(floor, run, rerun, warehouse_counts(warehouse)))
    return measured


_KNOBS = ("RASD_BATCH_SIZE", "RASD_WORKERS", "RASD_FETCH_THREADS", "RASD_TRUST_LASTMOD")


@contextmanager
def _prefect_env(mode: str, folder: Path, env: dict[str, str]) -> Iterator[dict]:
    if mode == "server":
        print("starting a long-lived Prefect server (not timed) ...", flush=True)
        with prefect_server(folder / "prefect", env) as server_env:
            yield server_env
    else:
        yield {k: v for k, v in env.items() if k != "PREFECT_API_URL"}


def _check_runs(pages: int, run: RunFigures, rerun: RunFigures) -> None:
    """A run that skipped pages or a rerun that refetched everything measures nothing."""
    if run.pages and run.pages["attempted"] < pages:
        raise BenchError(f"`rasd run` attempted {run.pages['attempted']} of {pages} pages")
    if rerun.pages and rerun.pages["unchanged"] < pages * 0.9:
        print(f"note: the rerun found only {rerun.pages['unchanged']} pages unchanged")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="rasd-bench-"))
    try:
        figures = bench(args, work)
    except (BenchError, BenchSiteError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
