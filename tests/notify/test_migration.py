"""Migration 0002: the tables match `notify.tables`, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from pairwatch.notify.subscriptions import DIGEST, Subscribers, now_utc
from pairwatch.notify.tables import alert_firings, alerts, deliveries, subscribers
from pairwatch.store import Store
from pairwatch.store.schema import metadata

OURS = {t.name for t in (subscribers, deliveries, alerts, alert_firings)}


def _ours(diff: object) -> bool:
    """True when an autogenerate difference (a tuple, or a list of them) names our tables."""
    if isinstance(diff, str):
        return diff in OURS
    if isinstance(diff, list | tuple):
        return any(_ours(item) for item in diff)
    table = getattr(diff, "table", None)
    return getattr(diff, "name", None) in OURS or getattr(table, "name", None) in OURS


def test_migrated_schema_matches_the_tables(store_url: str) -> None:
    store = Store(store_url)
    try:
        with store.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) >= OURS
            context = MigrationContext.configure(conn)
            diffs = [d for d in compare_metadata(context, metadata) if _ours(d)]
        assert diffs == []
    finally:
        store.close()


def test_unique_keys_hold(store_url: str) -> None:
    store = Store(store_url)
    try:
        subs = Subscribers(store.engine)
        first = subs.add("u@example.com", (), now_utc())
        assert subs.add("u@example.com", ("iwm-vs-vix",), now_utc()).id == first.id
        day = dt.date(2025, 12, 31)
        assert subs.claim(first.id, DIGEST, day, "<a@b>", now_utc()) is not None
        assert subs.claim(first.id, DIGEST, day, "<c@b>", now_utc()) is None
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
            conn.execute(
                deliveries.insert().values(
                    subscriber_id=first.id,
                    kind=DIGEST,
                    as_of=day,
                    message_id="<d@b>",
                    status="sent",
                    created_at=now_utc(),
                )
            )
    finally:
        store.close()


def test_downgrade_and_upgrade_again(tmp_path: object) -> None:
    store = Store(f"sqlite:///{tmp_path}/m.sqlite")
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("pairwatch.store").joinpath("migrations"))
    )
    try:
        with store.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0001")
            assert not OURS & set(sa.inspect(conn).get_table_names())
            command.upgrade(config, "head")
            assert set(sa.inspect(conn).get_table_names()) >= OURS
    finally:
        store.close()


def test_conditional_updates(store_url: str) -> None:
    store = Store(store_url)
    try:
        subs, now, day = Subscribers(store.engine), now_utc(), dt.date(2025, 12, 31)
        reader = subs.add("v@example.com", ("iwm-vs-vix",), now)
        gap = dt.timedelta(minutes=5)
        assert subs.claim_notice(reader.id, now, gap)
        assert not subs.claim_notice(reader.id, now + dt.timedelta(minutes=1), gap)
        assert subs.claim_notice(reader.id, now + dt.timedelta(minutes=6), gap)
        assert subs.confirm(reader.id, now) and not subs.confirm(reader.id, now)
        claimed = subs.claim(reader.id, DIGEST, day, "<1@x>", now)
        assert claimed is not None
        subs.finish(claimed, "deferred", now, "451 later")
        again = subs.claim(reader.id, DIGEST, day, "<2@x>", now)
        assert again == claimed
        subs.finish(claimed, "sent", now)
        assert subs.last_sent(reader.id) == day
        assert subs.claim(reader.id, DIGEST, day, "<3@x>", now) is None
        found = subs.delivery(reader.id, DIGEST, day)
        assert found is not None and found.message_id == "<2@x>" and found.sent_at is not None
        assert subs.unsubscribe(reader.id, now) and subs.confirmed() == []
    finally:
        store.close()
