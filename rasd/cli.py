"""The `rasd` command line. Expected failures print one line and exit 2; nothing else
prints a traceback unless RASD_DEBUG=1."""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from rasd.settings import DEFAULT_SOURCES, Settings

if TYPE_CHECKING:
    from flows.api import TemporaryServer
    from rasd.pipeline import RunSummary

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class UsageProblem(Exception):
    """Input the operator must fix; the message says what is wrong and what to do."""


def _quiet_prefect() -> None:
    # The bundled server's telemetry would try to reach the internet on every start.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def check_warehouse_path(path: Path) -> None:
    """Fail early, before any fetching, when the warehouse cannot be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and path.is_dir():
        raise UsageProblem(
            f"warehouse path {path} is a directory; give a file such as {path / 'warehouse.duckdb'}"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageProblem(
            f"cannot create the warehouse folder {folder}: {exc.strerror}; "
            "choose a writable --warehouse path"
        ) from None
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageProblem(
            f"warehouse {path} is not writable; "
            "choose a writable --warehouse path or fix its permissions"
        )


def _check_sources(path: Path) -> None:
    from rasd.sources import load_sources

    load_sources(path)


def cmd_run(args: argparse.Namespace) -> int:
    settings = Settings.from_env(args.warehouse)
    sources = Path(args.sources)
    _check_sources(sources)
    check_warehouse_path(settings.warehouse)
    with ExitStack() as started:  # what is started here ends here, in reverse order
        server = None
        if not args.no_prefect:
            _quiet_prefect()
            from flows.api import temporary_server

            # The server's start-up, in a process of its own, is the longest: it goes first.
            server = started.enter_context(temporary_server())
        _begin_early(settings, sources, started)
        summary = _run(args, settings, sources, server)
    print(summary.render())
    _write_run_report(settings, summary.run_id)
    return _exit_for(summary)


def _begin_early(settings: Settings, sources: Path, started: ExitStack) -> None:
    """Begin the run's head start (its download process, listings, first batches) before
    Prefect is imported, so its work overlaps that import."""
    if not settings.download_apart or settings.dask_address:
        return  # one core, or a cluster whose workers do the work
    from rasd.pipeline import HeadStart

    head_start = HeadStart.begin(sources, settings)
    if head_start is not None:
        started.callback(head_start.close)


def _run(
    args: argparse.Namespace, settings: Settings, sources: Path, server: TemporaryServer | None
) -> RunSummary:
    if args.no_prefect:
        from rasd.pipeline import run_pipeline

        return run_pipeline(sources, settings, show_progress=True)
    from flows.api import prefect_api, without_heartbeats
    from flows.nightly import nightly

    with prefect_api(server), without_heartbeats():
        return nightly(str(sources), str(settings.warehouse), return_state=False)


def _write_run_report(settings: Settings, run_id: str) -> None:
    """Each run leaves its HTML report beside the warehouse; a report that cannot be
    drawn must not turn a good run into a failed one."""
    from rasd.analyst.report import write_report

    out = settings.home / "reports" / f"{run_id}.html"
    try:
        write_report(settings.warehouse, out, run_id=run_id)
    except Exception as exc:  # noqa: BLE001 - reported, and the run's data is safe
        print(f"rasd: run report not written ({type(exc).__name__}: {exc})", file=sys.stderr)
        return
    print(f"  report:     {out}")


def _exit_for(summary) -> int:
    """Exit 2 when a configured listing could not be read: the operator must fix it."""
    for url, error in summary.listing_failures:
        print(
            f"rasd: source listing {url} could not be read ({error}); "
            "check its URL in the sources file",
            file=sys.stderr,
        )
    if summary.listing_failures:
        return EXIT_BAD_INPUT
    return EXIT_OK if summary.status == "completed" else EXIT_FAILED


def cmd_reprocess(args: argparse.Namespace) -> int:
    from rasd.reprocess import reprocess

    settings = Settings.from_env(args.warehouse)
    if not settings.warehouse.exists():
        raise UsageProblem(
            f"no warehouse at {settings.warehouse}; run `rasd run` first or pass --warehouse"
        )
    check_warehouse_path(settings.warehouse)
    summary = reprocess(
        settings, since=args.since, until=args.until, urls=args.url or None, show_progress=True
    )
    print(summary.render())
    return _exit_for(summary)


def cmd_eval(args: argparse.Namespace) -> int:
    from rasd.evaluate import evaluate_gold

    gold = Path(args.gold)
    if not gold.is_file():
        raise UsageProblem(
            f"gold file {gold} not found; "
            "give a JSON-lines gold file such as ../shared/gold/seeds.jsonl"
        )
    report = evaluate_gold(gold, keep=Path(args.keep) if args.keep else None)
    print(report)
    return EXIT_OK


def cmd_serve_sample(args: argparse.Namespace) -> int:
    from rasd.sample_server import main as serve_main

    return serve_main(["--port", str(args.port)])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rasd", description="Conflict events from Arabic news into DuckDB."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the nightly job once")
    run.add_argument(
        "--sources", default=str(DEFAULT_SOURCES), help="sources YAML file (default: %(default)s)"
    )
    run.add_argument(
        "--warehouse",
        default=None,
        help="DuckDB file (default: data/warehouse.duckdb or $RASD_WAREHOUSE)",
    )
    run.add_argument(
        "--no-prefect",
        action="store_true",
        help="run the same stages without Prefect (quicker start)",
    )
    run.set_defaults(func=cmd_run)

    rep = sub.add_parser(
        "reprocess", help="rebuild articles and events from stored raw pages, without fetching"
    )
    rep.add_argument("--warehouse", default=None)
    rep.add_argument(
        "--since", default=None, help="only pages fetched on or after this date (YYYY-MM-DD)"
    )
    rep.add_argument(
        "--until", default=None, help="only pages fetched on or before this date (YYYY-MM-DD)"
    )
    rep.add_argument("--url", action="append", help="only this stored page (repeatable)")
    rep.set_defaults(func=cmd_reprocess)

    ev = sub.add_parser(
        "eval", help="score the extractor against a gold file, through the whole pipeline"
    )
    ev.add_argument(
        "--gold", required=True, help="gold JSON-lines file (e.g. ../shared/gold/dev.jsonl)"
    )
    ev.add_argument("--keep", default=None, help="keep the scratch warehouse in this folder")
    ev.set_defaults(func=cmd_eval)

    serve = sub.add_parser("serve-sample", help="serve the bundled sample site on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.set_defaults(func=cmd_serve_sample)

    try:
        from rasd.analyst.cli import register
    except ImportError:  # the analyst commands are optional at import time
        register = None
    if register is not None:
        register(sub)
    return parser


def _expected_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [UsageProblem]
    for module, name in [
        ("rasd.sources", "SourceConfigError"),
        ("rasd.pipeline", "RunInProgressError"),
    ]:
        try:
            errors.append(getattr(__import__(module, fromlist=[name]), name))
        except (ImportError, AttributeError):
            continue
    return tuple(errors)


def main(argv: Sequence[str] | None = None) -> int:
    # Libraries (GX above all) are chatty at INFO; the operator reads rasd's own lines.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("rasd").setLevel(logging.INFO)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except _expected_errors() as exc:
        print(f"rasd: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("rasd: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("RASD_DEBUG") == "1":
            raise
        print(
            f"rasd: failed: {type(exc).__name__}: {exc} (set RASD_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILED


_exit_code = EXIT_FAILED  # what the process ends with if main() never returns


def entry() -> None:
    """The `rasd` console command."""
    exit_after(main)


def exit_after(command: Callable[[], int]) -> NoReturn:
    """Run a command and end the process with its exit code."""
    global _exit_code
    # Registered first, so it runs after every other exit handler (they run last-in,
    # first-out): Prefect's, the temporary folders', the worker pools'.
    atexit.register(_end_without_teardown)
    _exit_code = command()
    sys.exit(_exit_code)


def _end_without_teardown() -> None:
    """End the process once the exit handlers have run. The interpreter's teardown would
    then collect every module's objects several times over, seconds of CPU with Prefect,
    GX and the gazetteer loaded, for a process that is ending anyway."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_code)


if __name__ == "__main__":
    entry()
