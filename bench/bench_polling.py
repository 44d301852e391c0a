"""Polling benchmark: 300 sources of which 290 answer 304, and importing the largest fixture.

The feed server (``tests.feedserver.FeedServer``, real HTTP on loopback) runs in a process of
its own, so the CPU time measured here is the bot's alone: fetching, conditional GET, parsing
in threads, comparing and storing (SQLite in a temp dir by default, ``--database-url`` for a
scratch PostgreSQL database; its sources, sessions and news tables are emptied first).

Reported:

* the first cycle (every source fetched, parsed and stored);
* a steady cycle: 290 sources answer 304, 10 changed (one session moved in each);
* an idle cycle: all 300 answer 304, for the CPU cost of one unchanged source (the best of
  ``--repeat`` runs, since the machine may be busy with other work);
* a bare GET cycle, interleaved with the idle ones: the same 300 conditional GETs (same
  client settings, same validators, same concurrency) straight through httpx, for what a
  304 costs at the least; the ratio of the two is the bot's overhead;
* importing ``fosdem_2021.xml`` (773 sessions) into an empty database: sessions per second,
  tracemalloc peak and ``ru_maxrss``.

    .venv/bin/python bench/bench_polling.py
    .venv/bin/python bench/bench_polling.py --database-url postgresql+asyncpg://postgres@127.0.0.1/scratch
    .venv/bin/python bench/bench_polling.py --profile idle.prof   # cProfile one extra idle cycle
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import multiprocessing
import resource
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import FrozenClock  # noqa: E402
from bot.ingest.fetch import Fetcher, FetchLimits, Validators, http_client  # noqa: E402
from bot.ingest.outcomes import PollStatus  # noqa: E402
from bot.ingest.service import IngestionService  # noqa: E402
from config.settings import Settings  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade_to_head  # noqa: E402

RESULTS = ROOT / "bench" / "results"
FOSDEM = ROOT / "tests" / "data" / "schedules" / "fosdem_2021.xml"
START = datetime(2026, 6, 20, 8, 0, tzinfo=UTC)
INTERVAL = 300


def programme(source: int, sessions: int, shift_minutes: int = 0) -> bytes:
    """An iCalendar programme; ``shift_minutes`` moves the first session."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    for n in range(sessions):
        start = datetime(2026, 6, 23, 8, tzinfo=UTC) + timedelta(minutes=30 * n)
        if n == 0:
            start += timedelta(minutes=shift_minutes)
        lines += [
            "BEGIN:VEVENT",
            f"UID:s{source}-{n}@bench",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + timedelta(minutes=25):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:Session {n} of source {source}",
            f"LOCATION:Room {n % 7}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


# --- the feed server, in its own process ------------------------------------------------


def _feed_server_process(conn: Connection) -> None:
    from tests.feedserver import FeedServer

    async def main() -> None:
        server = await FeedServer().start()
        conn.send(server.port)
        loop = asyncio.get_running_loop()
        while True:
            command, *args = await loop.run_in_executor(None, conn.recv)
            if command == "serve":
                for path, body in args[0].items():
                    server.serve(path, body, content_type="text/calendar")
                conn.send("ok")
            elif command == "stats":
                conn.send((sum(server.hits.values()), sum(server.not_modified.values())))
            else:
                break
        await server.stop()

    asyncio.run(main())


class RemoteFeedServer:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_feed_server_process, args=(child,), daemon=True)
        self._process.start()
        self.port: int = self._conn.recv()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, bodies: dict[str, bytes]) -> None:
        self._conn.send(("serve", bodies))
        assert self._conn.recv() == "ok"

    def stats(self) -> tuple[int, int]:
        self._conn.send(("stats",))
        hits, not_modified = self._conn.recv()
        return int(hits), int(not_modified)

    def stop(self) -> None:
        self._conn.send(("stop",))
        self._process.join(timeout=10)


# --- measurements ------------------------------------------------------------------------


@dataclass
class Cycle:
    name: str
    sources: int
    wall_seconds: float
    cpu_seconds: float
    statuses: dict[str, int]

    @property
    def cpu_ms_per_source(self) -> float:
        return 1000 * self.cpu_seconds / self.sources


async def _cycle(name: str, service: IngestionService) -> Cycle:
    cpu, wall = time.process_time(), time.perf_counter()
    outcomes = await service.poll_due()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    statuses: dict[str, int] = {}
    for outcome in outcomes:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    return Cycle(name, len(outcomes), wall, cpu, statuses)


async def _bare_cycle(
    name: str,
    client: httpx.AsyncClient,
    targets: list[tuple[str, dict[str, str]]],
    concurrency: int,
) -> Cycle:
    """The same conditional GETs with nothing around them: the floor for a 304. ``client``
    lives as long as the bot's and is warmed like it, so both reuse their connections."""
    slots = asyncio.Semaphore(concurrency)

    async def get(url: str, headers: dict[str, str]) -> int:
        async with slots:
            return (await client.get(url, headers=headers)).status_code

    cpu, wall = time.process_time(), time.perf_counter()
    codes = await asyncio.gather(*(get(url, headers) for url, headers in targets))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    statuses: dict[str, int] = {}
    for code in codes:
        statuses[str(code)] = statuses.get(str(code), 0) + 1
    return Cycle(name, len(codes), wall, cpu, statuses)


async def _validators(database: Database) -> list[tuple[str, dict[str, str]]]:
    from sqlalchemy import select

    from storage.models import Source

    async with database.transaction() as db:
        rows = (await db.execute(select(Source.url, Source.etag, Source.last_modified))).all()
    return [(url, Validators(etag, modified).headers()) for url, etag, modified in rows]


async def _clear(database: Database) -> None:
    from sqlalchemy import delete

    from storage.models import FeedEntry, Session, Source

    async with database.transaction() as db:
        for model in (FeedEntry, Session, Source):
            await db.execute(delete(model))


async def bench_polling(
    database_url: str,
    sources: int,
    changed: int,
    sessions: int,
    concurrency: int,
    repeat: int,
    profile: Path | None = None,
) -> tuple[list[Cycle], Cycle]:
    server = RemoteFeedServer()
    try:
        paths = {f"/s{n}.ics": programme(n, sessions) for n in range(sources)}
        server.serve(paths)
        settings = Settings(
            timezone="Europe/Brussels",
            database_url=database_url,
            sources=[{"url": server.url(path), "interval": INTERVAL} for path in paths],
        )
        database = Database(database_url)
        await upgrade_to_head(database)
        await _clear(database)
        clock = FrozenClock(START)
        async with Fetcher() as fetcher:
            service = IngestionService(
                database, fetcher, clock, settings, lambda: [], concurrency=concurrency, jitter=0
            )
            await service.sync_configured_sources()
            cycles = [await _cycle("first (all fetched, parsed, stored)", service)]

            moved = {f"/s{n}.ics": programme(n, sessions, shift_minutes=15) for n in range(changed)}
            server.serve(moved)
            clock.advance(timedelta(seconds=INTERVAL))
            steady = await _cycle(f"steady ({sources - changed} x 304, {changed} changed)", service)
            cycles.append(steady)

            targets = await _validators(database)
            idle, bare = [], []
            async with http_client(FetchLimits()) as client:
                await _bare_cycle("warm-up", client, targets, concurrency)  # open the pool
                for _ in range(repeat):  # the quietest of several: the machine may be shared
                    clock.advance(timedelta(seconds=INTERVAL))
                    idle.append(await _cycle(f"idle (all {sources} x 304)", service))
                    name = f"bare GET ({sources} x 304)"
                    bare.append(await _bare_cycle(name, client, targets, concurrency))
            cycles.append(min(idle, key=lambda cycle: cycle.cpu_seconds))
            floor = min(bare, key=lambda cycle: cycle.cpu_seconds)
            assert floor.statuses == {"304": sources}, floor.statuses
            if profile is not None:  # one more idle cycle, not counted in the figures
                clock.advance(timedelta(seconds=INTERVAL))
                profiler = cProfile.Profile()
                profiler.enable()
                await service.poll_due()
                profiler.disable()
                profiler.dump_stats(profile)
                print(f"  profile of one idle cycle written to {profile}")
        await database.dispose()
        hits, not_modified = server.stats()
        extra = sources if profile is not None else 0
        expected_304 = (sources - changed) + sources * (2 * repeat + 1) + extra
        assert not_modified == expected_304, f"{not_modified} 304s, expected {expected_304}"
        assert steady.statuses.get(PollStatus.UPDATED) == changed, steady.statuses
        print(f"  feed server: {hits} requests, {not_modified} answered 304")
    finally:
        server.stop()
    return cycles, floor


@dataclass
class ImportFigures:
    sessions: int
    parse_seconds: float
    import_seconds: float
    sessions_per_second: float
    reimport_seconds: float
    tracemalloc_peak_mb: float
    ru_maxrss_mb: float


async def bench_import(database_url: str) -> ImportFigures:
    """Parse alone; a timed import into an empty database; a re-import of the same
    programme (nothing changes); then once more from empty under tracemalloc for the peak."""
    from bot.ingest.registry import parse_programme

    data = FOSDEM.read_bytes()
    database = Database(database_url)
    await upgrade_to_head(database)
    await _clear(database)
    settings = Settings(timezone="Europe/Brussels", database_url=database_url)
    started = time.perf_counter()
    parse_programme(data, venue_tz="Europe/Brussels")
    parse_seconds = time.perf_counter() - started

    async def run() -> tuple[int, float]:
        started = time.perf_counter()
        summary = await service.import_bytes(
            data, source_url=FOSDEM.as_uri(), format=None, venue_tz="Europe/Brussels"
        )
        return summary.added, time.perf_counter() - started

    async with Fetcher() as fetcher:
        service = IngestionService(database, fetcher, FrozenClock(START), settings, lambda: [])
        added, seconds = await run()
        unchanged, reimport_seconds = await run()
        assert (added, unchanged) == (773, 0), (added, unchanged)
        await _clear(database)
        tracemalloc.start()
        await run()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    await database.dispose()
    return ImportFigures(
        sessions=added,
        parse_seconds=parse_seconds,
        import_seconds=seconds,
        sessions_per_second=added / seconds,
        reimport_seconds=reimport_seconds,
        tracemalloc_peak_mb=peak / 1e6,
        ru_maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def _import_process(database_url: str, conn: Connection) -> None:
    conn.send(asdict(asyncio.run(bench_import(database_url))))


def _import_in_own_process(database_url: str) -> ImportFigures:
    """A fresh process, so ru_maxrss is the import's own."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_import_process, args=(database_url, child))
    process.start()
    figures = ImportFigures(**parent.recv())
    process.join(timeout=60)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a scratch database (default: SQLite in a temp dir)")
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--sessions", type=int, default=20, help="sessions per source")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5, help="idle cycles (the best is kept)")
    parser.add_argument("--profile", type=Path, help="cProfile one extra idle cycle to this file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        backend = url.split(":", 1)[0]
        print(
            f"polling {args.sources} sources ({args.sessions} sessions each) on {backend}, "
            f"concurrency {args.concurrency}"
        )
        cycles, bare = asyncio.run(
            bench_polling(
                url,
                args.sources,
                args.changed,
                args.sessions,
                args.concurrency,
                args.repeat,
                args.profile,
            )
        )
        for cycle in [*cycles, bare]:
            print(
                f"  {cycle.name}: wall {cycle.wall_seconds:.3f} s, CPU {cycle.cpu_seconds:.3f} s "
                f"({cycle.cpu_ms_per_source:.2f} ms per source)"
            )
        idle = cycles[-1]
        ratio = idle.cpu_ms_per_source / bare.cpu_ms_per_source
        print(
            f"  CPU per unchanged source (idle cycle): {idle.cpu_ms_per_source:.2f} ms; "
            f"bare GET {bare.cpu_ms_per_source:.2f} ms; ratio {ratio:.2f}x"
        )
        figures = _import_in_own_process(url)
    print(
        f"importing {FOSDEM.name}: {figures.sessions} sessions in {figures.import_seconds:.3f} s "
        f"= {figures.sessions_per_second:.0f} sessions/s (parse alone {figures.parse_seconds:.3f}"
        f" s); re-import unchanged {figures.reimport_seconds:.3f} s; tracemalloc peak "
        f"{figures.tracemalloc_peak_mb:.1f} MB, ru_maxrss {figures.ru_maxrss_mb:.0f} MB"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"polling-{stamp}.json"
    report: dict[str, Any] = {
        "backend": backend,
        "args": {
            key: str(value) if isinstance(value, Path) else value
            for key, value in vars(args).items()
        },
        "cycles": [{**asdict(c), "cpu_ms_per_source": c.cpu_ms_per_source} for c in cycles],
        "cpu_ms_per_unchanged_source": cycles[-1].cpu_ms_per_source,
        "bare_get": {**asdict(bare), "cpu_ms_per_request": bare.cpu_ms_per_source},
        "overhead_ratio": ratio,
        "import": asdict(figures),
    }
    out.write_text(json.dumps(report, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
