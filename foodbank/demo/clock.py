"""The demo's clock: replaying a past day, the rows it writes carry that day's time.

The services take the day of what they record as a parameter (received date, hand-out date, event date,
`today` for the checks against the future), and the demo passes the historical day. Two clocks remain
that no parameter reaches: the database's `now()` behind the `created_at` / `occurred_at` defaults
(stock movements, status history, audit events) and `foodbank.lib.clock.utcnow()`, which a few
services call for a decision or closing time. The annual summary dates a disposal by its movement's
`occurred_at`, so a year replayed in one transaction would otherwise put every disposal on the day
the demo was loaded.

`DemoClock.running(session)` installs a `before_flush` hook on the session for the duration of the load:
on every row about to be written it fills the timestamp columns the database would default, and replaces
the values `utcnow()` just gave (any timestamp at or after the load started), with the replayed moment.
The rows are otherwise exactly what the services wrote; nothing is inserted or updated behind them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import DateTime, event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, Session

from foodbank.lib.clock import LOCAL_TZ, utcnow
from foodbank.lib.db import RECORDING_MOMENT


class DemoClock:
    def __init__(self) -> None:
        self.started = utcnow()
        self.moment = self.started
        self._columns: dict[Mapper[Any], tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def at(self, day: date, hour: float) -> None:
        """Replay `day` from `hour` (Japan time); never later than the real start, so nothing is in the future."""
        local = datetime.combine(day, time(0), LOCAL_TZ) + timedelta(hours=hour)
        self.moment = min(local.astimezone(UTC), self.started - timedelta(minutes=1))

    def _timestamps(self, mapper: Mapper[Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(attributes the database defaults to now(), every timezone-aware timestamp attribute)."""
        found = self._columns.get(mapper)
        if found is None:
            defaulted, stamps = [], []
            for attr in mapper.column_attrs:
                column = attr.columns[0]
                if isinstance(column.type, DateTime) and column.type.timezone:
                    stamps.append(attr.key)
                    if column.server_default is not None:
                        defaulted.append(attr.key)
            found = self._columns[mapper] = (tuple(defaulted), tuple(stamps))
        return found

    def _stamp(self, session: Session, _context: Any, _instances: Any) -> None:
        for obj in session.new:
            state = inspect(obj)
            defaulted, stamps = self._timestamps(state.mapper)
            for key in stamps:
                value = state.dict.get(key)
                if (value is None and key in defaulted) or (isinstance(value, datetime) and value >= self.started):
                    setattr(obj, key, self.moment)
        for obj in session.dirty:
            state = inspect(obj)
            for key in self._timestamps(state.mapper)[1]:
                value = state.dict.get(key)
                if key in state.committed_state and isinstance(value, datetime) and value >= self.started:
                    setattr(obj, key, self.moment)
        # Keep the order of events within a replayed day.
        self.moment += timedelta(seconds=1)

    @contextmanager
    def running(self, session: AsyncSession) -> Iterator[DemoClock]:
        target = session.sync_session
        event.listen(target, "before_flush", self._stamp)
        session.info[RECORDING_MOMENT] = lambda: self.moment  # Core inserts (lib.db.insert_rows) too
        try:
            yield self
        finally:
            session.info.pop(RECORDING_MOMENT, None)
            event.remove(target, "before_flush", self._stamp)
