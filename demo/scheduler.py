"""Runs the demo's processes in simulated time order.

A process is a generator: it acts at the clock's current instant, then yields the instant it wants to act at
next. The scheduler moves the clock there and resumes it; processes due after `end` are dropped, so what was
still going on at the end stays open (today's queue)."""

import heapq
import itertools


class Scheduler:
    def __init__(self, clock, end):
        self.clock, self.end = clock, end
        self._queue, self._order = [], itertools.count()

    def spawn(self, process, at):
        """Start (or resume) `process` at instant `at`."""
        if at <= self.end:
            heapq.heappush(self._queue, (at, next(self._order), process))

    def run(self):
        while self._queue:
            at, _, process = heapq.heappop(self._queue)
            self.clock.advance_to(max(at, self.clock.now))
            try:
                following = next(process)
            except StopIteration:
                continue
            self.spawn(process, following)
