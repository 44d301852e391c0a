"""Expanding recurring VEVENTs inside a bounded window, with a cap on occurrences."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from dateutil.rrule import rrulestr

from bot.ingest.keys import occurrence_suffix
from bot.ingest.parsers.common import count_warning
from bot.ingest.parsers.ical_fields import as_utc, moment, start_of, values
from bot.ingest.records import SessionRecord

MAX_OCCURRENCES = 20_000
EXPANSION_WINDOW = timedelta(days=731)  # two years after the first event

SessionBuilder = Callable[[icalendar.Component, str], SessionRecord]


def expand_series(
    calendar: icalendar.Calendar,
    series: list[icalendar.Component],
    zone: ZoneInfo,
    earliest: datetime,
    build: SessionBuilder,
    warnings: list[str],
) -> list[SessionRecord]:
    """Occurrences of `series` from `earliest` to two years later, keyed ``UID@<start>``."""
    window_end = earliest + EXPANSION_WINDOW
    budget = MAX_OCCURRENCES
    counts: Counter[str] = Counter()
    subset = icalendar.Calendar()
    for vtimezone in calendar.walk("VTIMEZONE"):
        subset.add_component(vtimezone)
    for event in sorted(series, key=lambda ev: as_utc(start_of(ev), zone)):
        budget -= _limit_rules(event, window_end, max(budget, 0), zone, counts)
        subset.add_component(event)
    count_warning(
        warnings, counts["window"], f"recurrence goes past {window_end:%Y-%m-%d}; not expanded"
    )
    count_warning(warnings, counts["capped"], f"recurrence cut at {MAX_OCCURRENCES} occurrences")
    count_warning(warnings, counts["bad_rule"], "unreadable RRULE; treated as a single event")
    try:
        query = recurring_ical_events.of(subset, skip_bad_series=True)
        found = query.between(earliest - timedelta(days=1), window_end + timedelta(days=1))
    except Exception as exc:  # the library has many failure modes on odd input
        warnings.append(f"recurring events not expanded ({type(exc).__name__}: {exc})")
        return []
    components: list[icalendar.Component] = list(found)
    missing = sorted({str(ev["UID"]) for ev in series} - {str(c["UID"]) for c in components})
    if missing:
        warnings.append(f"{len(missing)} recurring event(s) had no occurrence, e.g. {missing[0]!r}")
    sessions: list[SessionRecord] = []
    for component in components:
        original = moment(component, "RECURRENCE-ID") or start_of(component)
        key = f"{component['UID']}@{occurrence_suffix(as_utc(original, zone))}"
        session = build(component, key)
        if session.start <= window_end:
            sessions.append(session)
    sessions.sort(key=lambda s: (s.start, s.key))
    if len(sessions) > MAX_OCCURRENCES:
        warnings.append(f"more than {MAX_OCCURRENCES} occurrences; the rest dropped")
        del sessions[MAX_OCCURRENCES:]
    return sessions


def _limit_rules(
    event: icalendar.Component,
    window_end: datetime,
    budget: int,
    zone: ZoneInfo,
    counts: Counter[str],
) -> int:
    """Bound each RRULE to `budget` occurrences inside the window by setting UNTIL.

    recurring-ical-events re-evaluates a rule from DTSTART on every query, so an
    unbounded rule costs time quadratic in its length; this keeps it linear.
    """
    rules = values(event, "RRULE")
    if not rules:
        return 1
    start = start_of(event)
    dtstart = start if isinstance(start, datetime) else datetime.combine(start, time(0))
    used = 0
    for rule in rules:
        bounded = _bound_rule(rule, dtstart, isinstance(start, datetime), window_end, budget, zone)
        if bounded is None:
            counts["bad_rule"] += 1
            del event["RRULE"]
            return 1
        count, reason = bounded
        if reason:
            counts[reason] += 1
        used += count
    return used


def _bound_rule(
    rule: Any,
    dtstart: datetime,
    timed: bool,
    window_end: datetime,
    budget: int,
    zone: ZoneInfo,
) -> tuple[int, str] | None:
    """Count the rule's occurrences in the window; cut it at `budget`. None if unreadable."""
    until = [as_utc(value, zone) for value in rule.get("UNTIL", [])]
    spec: Any = icalendar.vRecur({k: v for k, v in rule.items() if k.upper() != "UNTIL"})
    try:
        occurrences = iter(rrulestr(spec.to_ical().decode(), dtstart=dtstart))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    count, last = 0, None
    for occurrence in occurrences:
        occurrence_utc = as_utc(occurrence, zone)
        if until and occurrence_utc > until[0]:
            break
        if occurrence_utc > window_end:
            return count, "window"
        if count >= budget:
            if last is None:
                rule["COUNT"] = [1]
                rule.pop("UNTIL", None)
            else:
                rule.pop("COUNT", None)
                rule["UNTIL"] = [last if timed else last.date()]
            return count, "capped"
        count += 1
        last = occurrence.astimezone(UTC) if occurrence.tzinfo else occurrence
    return count, ""
