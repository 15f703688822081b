"""The store's contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from pairwatch.catalog import load_catalog
from pairwatch.domain import Observation, Quote
from pairwatch.store import FetchRecord, Store
from pairwatch.store import repository as repo
from pairwatch.store.engine import alembic_config

D = dt.date


def obs(day: int, close: float, adj: float | None = None) -> Observation:
    return Observation(D(2024, 1, day), close, adj)


def test_migrations_are_idempotent(store_url: str) -> None:
    Store(store_url).close()
    again = Store(store_url)
    with again.engine.connect() as conn:
        version = conn.execute(sa.text("select version_num from alembic_version")).scalar()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert version == head
    again.close()


def test_upsert_inserts_then_is_idempotent(store: Store) -> None:
    rows = [obs(2, 100.0, 99.0), obs(3, 101.5, 100.4)]
    first = store.upsert("iwm", rows, "yahoo:IWM")
    assert (first.added, first.updated) == (2, 0)
    assert store.data_version("iwm") == 1
    again = store.upsert("iwm", rows, "yahoo:IWM")
    assert (again.added, again.updated, again.changed) == (0, 0, False)
    assert store.data_version("iwm") == 1


def test_floats_round_trip_exactly(store: Store) -> None:
    value = 241.33999633789062
    store.upsert("iwm", [obs(2, value, 0.1 + 0.2)], "yahoo:IWM")
    series = store.load_series(load_catalog().metric("iwm"))
    assert series.close.iloc[0] == value
    assert series.adj.iloc[0] == 0.1 + 0.2


def test_revisions_replace_stored_values(store: Store) -> None:
    store.upsert("hy-oas", [obs(2, 3.21), obs(3, 3.25)], "fred:BAMLH0A0HYM2")
    result = store.upsert("hy-oas", [obs(3, 3.27), obs(4, 3.30)], "fred:BAMLH0A0HYM2")
    assert (result.added, result.updated) == (1, 1)
    stored = store.rows("hy-oas")
    assert [stored[D(2024, 1, d)].close for d in (2, 3, 4)] == [3.21, 3.27, 3.30]


def test_replace_drops_other_provider_rows_but_keeps_imports(store: Store) -> None:
    store.upsert("hy-oas", [obs(2, 5.0), obs(3, 5.1)], "import:ice.csv")
    store.upsert("hy-oas", [obs(4, 3.0), obs(5, 3.1)], "fred:BAMLH0A0HYM2")
    result = store.upsert("hy-oas", [obs(5, 3.2), obs(8, 3.3)], "other:X", replace=True)
    assert result.deleted == 1
    assert sorted(store.rows("hy-oas")) == [D(2024, 1, d) for d in (2, 3, 5, 8)]
    assert store.provider_source("hy-oas") == "other:X"


def test_failure_mid_write_leaves_no_partial_rows(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.upsert("vix", [obs(2, 13.2)], "cboe:VIX")
    inserted: list[int] = []
    real_diff = repo._diff

    def spy_diff(rows, existing, source):  # type: ignore[no-untyped-def]
        inserts, updates = real_diff(rows, existing, source)
        inserted.append(len(inserts))
        return inserts, updates

    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(repo, "_diff", spy_diff)
    monkeypatch.setattr(repo, "_bump_version", explode)  # runs after the inserts
    with pytest.raises(RuntimeError, match="disk full"):
        store.upsert("vix", [obs(2, 14.0), obs(3, 13.9), obs(4, 13.5)], "cboe:VIX")
    monkeypatch.undo()
    assert inserted == [2]
    assert {d: r.close for d, r in store.rows("vix").items()} == {D(2024, 1, 2): 13.2}
    assert store.data_version("vix") == 1


def test_span_count_and_source(store: Store) -> None:
    assert store.span("spy") == (None, None)
    assert store.provider_source("spy") is None
    store.upsert("spy", [obs(2, 470.0), obs(9, 475.0)], "yahoo:SPY")
    assert store.span("spy") == (D(2024, 1, 2), D(2024, 1, 9))
    assert store.count("spy") == 2


def test_series_as_of_truncates(store: Store) -> None:
    store.upsert("spy", [obs(2, 470.0), obs(3, 471.0), obs(4, 472.0)], "yahoo:SPY")
    series = store.load_series(load_catalog().metric("spy"), as_of=D(2024, 1, 3))
    assert list(series.close) == [470.0, 471.0]
    assert series.adj.tolist() == [470.0, 471.0]  # no adjusted close: adj = close


def test_quotes_upsert(store: Store) -> None:
    at = dt.datetime(2024, 1, 2, 15, 30, tzinfo=dt.UTC)
    store.save_quote("vix", Quote("VIX", 13.5, at, 13.2), "cboe:VIX")
    store.save_quote("vix", Quote("VIX", 13.7, at + dt.timedelta(minutes=15), 13.2), "cboe:VIX")
    quote = store.load_quote("vix")
    assert quote is not None
    assert (quote.price, quote.previous_close) == (13.7, 13.2)
    assert quote.as_of == at + dt.timedelta(minutes=15)


def test_fetch_log(store: Store) -> None:
    now = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    store.log_fetch(FetchRecord("vix", "cboe:VIX", "http://x", now, now, False, message="HTTP 500"))
    store.log_fetch(FetchRecord("vix", "cboe:VIX", "http://x", now, now, True, 3, 0))
    history = store.fetch_history("vix")
    assert [h.ok for h in history] == [True, False]
    assert history[1].message == "HTTP 500"


def test_series_cache_follows_every_write(store: Store) -> None:
    metric = load_catalog().metric("spy")
    store.upsert("spy", [obs(2, 470.0)], "yahoo:SPY")
    assert list(store.load_series(metric).close) == [470.0]
    store.delete_metric("spy")
    assert store.load_series(metric).levels.empty
    store.upsert("spy", [obs(2, 480.0)], "yahoo:SPY")  # same count of writes, other data
    assert list(store.load_series(metric).close) == [480.0]
