"""Import benchmark: a 3,000-entry Indico timetable through ``parse_programme``.

The timetable is generated: 5 days, 10 rooms, Session blocks of 4 contributions (with
presenters, descriptions and a webcast link) and a Break after every block. Reported:
sessions per second (best of ``--repeat`` parses) and peak memory of one parse (tracemalloc:
Python allocations, the input bytes included).

    .venv/bin/python bench/bench_indico.py [--entries 3000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.ingest import parse_programme

RESULTS = Path(__file__).resolve().parent / "results"


def timetable(entries: int) -> bytes:
    """An Indico timetable with `entries` contributions in blocks of four, plus breaks."""
    days: dict[str, dict[str, Any]] = {}
    first = date(2025, 11, 3)
    per_day = -(-entries // 5)
    made = 0
    for block in range(-(-entries // 4)):
        day = first + timedelta(days=(block * 4) // per_day)
        room = f"Room {block % 10 + 1}"
        start = datetime.combine(day, datetime.min.time()) + timedelta(
            hours=8, minutes=((block // 10) % 40) * 20
        )
        children: dict[str, Any] = {}
        for slot in range(4):
            if made == entries:
                break
            made += 1
            begin = start + timedelta(minutes=5 * slot)
            children[f"c{made}"] = {
                "entryType": "Contribution",
                "id": f"c{made}",
                "uniqueId": f"a9c{made}",
                "title": f"Contribution {made}: open data in practice",
                "startDate": _when(begin),
                "endDate": _when(begin + timedelta(minutes=5)),
                "room": room,
                "location": "Palais des Nations",
                "presenters": [{"name": f"Speaker {made}", "affiliation": "UN"}],
                "description": f"<p>Talk number <b>{made}</b> about open data.</p>",
                "url": f"https://indico.example.org/event/9/contributions/{made}/",
                "material": [
                    {"title": "Webcast", "resources": [{"url": "https://webtv.un.org/x"}]}
                ],
            }
        key = day.strftime("%Y%m%d")
        days.setdefault(key, {})[f"s{block}"] = {
            "entryType": "Session",
            "title": f"Track {block % 7}",
            "startDate": _when(start),
            "endDate": _when(start + timedelta(minutes=20)),
            "entries": children,
        }
        days[key][f"b{block}"] = {
            "entryType": "Break",
            "title": "Coffee",
            "startDate": _when(start + timedelta(minutes=20)),
            "endDate": _when(start + timedelta(minutes=25)),
        }
    return json.dumps({"results": {"9": days}}).encode()


def _when(moment: datetime) -> dict[str, str]:
    return {
        "date": moment.date().isoformat(),
        "time": moment.strftime("%H:%M:%S"),
        "tz": "Europe/Zurich",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = timetable(args.entries)
    best = float("inf")
    count = 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        count = len(parse_programme(data, venue_tz="Europe/Zurich").sessions)
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    parse_programme(data, venue_tz="Europe/Zurich")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    figures = {
        "entries": args.entries,
        "sessions": count,
        "input_bytes": len(data),
        "seconds": round(best, 4),
        "sessions_per_second": round(count / best),
        "peak_mb": round((peak + len(data)) / 2**20, 1),
    }
    print(json.dumps(figures))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "indico.json").write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
