"""The report: each figure next to its goal, then the broadcast's total and the bot's log."""

from __future__ import annotations

import logging
import math
import os
from collections import Counter
from collections.abc import Sequence

from bench.latency.measure import Run, Tally
from bench.latency.people import REPLY_TIMEOUT
from bench.latency.serve import Observed

REPLY_GOAL, RATE_GOAL, SECOND_LIMIT, LATE_GOAL = 0.300, 27.0, 30, 2.0


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else math.nan


def busiest_second(times: Sequence[float]) -> int:
    """The most events in any window of one second."""
    ordered, best, first = sorted(times), 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def verdict(met: bool) -> str:
    """The word next to a goal."""
    return "met" if met else "missed"


def report(run: Run, tally: Tally) -> None:
    """The block the issue asks for, then the broadcast's total and the bot's log."""
    options = run.plan.options
    print(f"latency bench: {options.people} people, {options.rate:g} updates/s for "
          f"{options.duration:g} s, {options.latency * 1000:g} ms per Bot API call; broadcast "
          f"to {options.broadcast}, {options.reminders} reminders")
    _replies(run.observed)
    _broadcast(run)
    _reminders(run)
    print(f"sent twice: {_twice(run)} (goal 0: {verdict(_twice(run) == 0)})")
    _broadcast_total(run)
    print(f"tasks claimed in the database: {run.claimed}")
    print(f"CPU during the load: bot process {run.cpu:.0%} of one core, fake Bot API and "
          f"people {run.observed.cpu:.0%}; machine load average {run.load_average:.1f} on "
          f"{os.cpu_count()} cores; the bot's event loop woke sleepers late by p50 "
          f"{percentile(run.lags, 0.5) * 1000:.0f} ms, p99 {percentile(run.lags, 0.99) * 1000:.0f}"
          f" ms, max {max(run.lags, default=math.nan) * 1000:.0f} ms")
    _log(tally)


def _replies(observed: Observed) -> None:
    """Reply latency against its goal, by kind, and what the people did."""
    seconds = [s for _k, s in observed.latencies]
    p99 = percentile(seconds, 0.99)
    print(f"replies: {len(seconds)} answered; p50 {percentile(seconds, 0.5) * 1000:.0f} ms, "
          f"p95 {percentile(seconds, 0.95) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms "
          f"(goal < {REPLY_GOAL * 1000:.0f} ms: {verdict(p99 < REPLY_GOAL)})")
    kinds = sorted({k for k, _s in observed.latencies})
    parts = [f"{k} {sum(1 for x, _ in observed.latencies if x == k)} "
             f"(p99 {percentile([s for x, s in observed.latencies if x == k], 0.99) * 1000:.0f}"
             " ms)" for k in kinds]
    missing = sum(observed.unanswered.values())
    which = f" ({_counts(Counter(observed.unanswered))})" if missing else ""
    print(f"  by kind: {', '.join(parts)}; updates sent {observed.pushed}, unanswered within "
          f"{REPLY_TIMEOUT:g} s {missing}{which}, not sent because everyone was still waiting "
          f"for a reply: {observed.skipped}")
    print(f"  updates: {_counts(Counter(observed.steps))}")
    print(f"  over the run, p50 (unanswered) by update time: {_timeline(observed)}")


def _timeline(observed: Observed, parts: int = 6) -> str:
    """Reply p50 and unanswered updates for each sixth of the run."""
    width = (observed.end - observed.begin) / parts
    slices = []
    for n in range(parts):
        low = observed.begin + n * width
        mine = [s for at, s in observed.timeline if low <= at < low + width]
        missing = sum(1 for s in mine if math.isinf(s))
        slices.append(f"{n * width:.0f}–{(n + 1) * width:.0f} s {percentile(mine, 0.5) * 1000:.0f}"
                      f" ms ({missing})")
    return ", ".join(slices)


def _counts(counts: Counter[str]) -> str:
    """Counts as "key n, key n", largest first."""
    return ", ".join(f"{key} {value}" for key, value in counts.most_common())


def _times(run: Run, chats: range) -> list[float]:
    """Arrival times of the new messages to these chats, in order."""
    return sorted(at for chat, at, _t in run.observed.arrivals if chat in chats)


def _broadcast(run: Run) -> None:
    """The broadcast's rate while replies flowed and its busiest second, against the goals."""
    times, end = _times(run, run.plan.audience()), run.observed.end
    flowing = [t for t in times if t <= end]
    until = end if len(flowing) < len(times) or not flowing else flowing[-1]
    rate = len(flowing) / max(until - run.broadcast_started, 1e-9)
    highest = busiest_second(times)
    everything = busiest_second([at for _c, at, _t in run.observed.arrivals])
    print(f"broadcast: {len(flowing)} sent while replies flowed, {rate:.1f}/s; highest in any "
          f"second: {highest} (goals ≥ {RATE_GOAL:g}/s: {verdict(rate >= RATE_GOAL)}, "
          f"≤ {SECOND_LIMIT}: {verdict(highest <= SECOND_LIMIT)})")
    print(f"  all new messages (replies, broadcast, reminders, reports): highest in any "
          f"second: {everything}")


def _reminders(run: Run) -> None:
    """Reminder lateness (first message in the chat minus due time) against its goal."""
    firsts: dict[int, float] = {}
    for chat, at, _text in run.observed.arrivals:
        if chat in run.due:
            firsts.setdefault(chat, at)
    late = [at - run.due[chat] for chat, at in firsts.items()]
    p99, worst = percentile(late, 0.99), max(late, default=math.nan)
    met = p99 < LATE_GOAL and len(firsts) == len(run.due)
    print(f"reminders: {len(run.due)} due, {len(firsts)} arrived; lateness p50 "
          f"{percentile(late, 0.5):.2f} s, p99 {p99:.2f} s, max {worst:.2f} s "
          f"(goal < {LATE_GOAL:g} s: {verdict(met)})")


def _twice(run: Run) -> int:
    """Extra copies of the same text in one broadcast or reminder chat."""
    plan = run.plan
    copies = Counter((chat, text) for chat, _at, text in run.observed.arrivals
                     if chat in plan.audience() or chat in plan.reminded())
    return sum(n - 1 for n in copies.values() if n > 1)


def _broadcast_total(run: Run) -> None:
    """How long the whole broadcast took, from the coordinator's Send."""
    chats = run.plan.audience()
    reached = {chat for chat, _at, _t in run.observed.arrivals if chat in chats}
    times = _times(run, chats)
    took = (times[-1] - run.broadcast_started) if times else math.nan
    overall = len(times) / took if times and took > 0 else math.nan
    after = [t for t in times if t > run.observed.end]
    later = len(after) / (after[-1] - run.observed.end) if len(after) > 1 else math.nan
    print(f"broadcast total: {len(reached)} of {len(chats)} recipients in {took:.1f} s "
          f"({overall:.1f}/s overall, {later:.1f}/s after the load's end; delivery.start "
          f"took {run.broadcast_took:.2f} s)")


def _log(tally: Tally) -> None:
    """The bot's warnings and errors, most frequent first."""
    total = sum(tally.seen.values())
    print(f"bot log: {total} warnings/errors" + (":" if total else ""))
    for line, count in tally.seen.most_common(10):
        print(f"  {count} × {line[:160]}")


def quiet_logging() -> Tally:
    """WARNING and up, counted for the report instead of printed as they come."""
    tally = Tally()
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    root.handlers[:] = [tally]
    return tally
