"""The accept path's shortcuts decide as the full checks do: the generic format's plain-event path, the
storable-text prefilter, and the one-statement insert of a batch (each id is its row's)."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from events.models import Event

from events import services
from events.formats import base
from events.formats.base import RawEvent
from events.formats.generic import _clean_item, _clean_plain_item

TEXT = st.one_of(st.none(), st.just(""), st.text(max_size=12), st.text(min_size=250, max_size=260),
                 st.integers(), st.floats(allow_nan=False), st.booleans(), st.lists(st.text(max_size=3), max_size=2))
WHEN = st.one_of(st.none(), st.just(""), st.just("2026-11-24T10:00:00Z"), st.just("2026-11-24T10:00:00+02:00"),
                 st.just("0001-01-01T00:00:00Z"), st.just("yesterday"), st.just("0000-01-01T00:00:00Z"),
                 st.just("9999-12-31T23:59:59-23:00"), st.integers())
def mostly(valid, odd):
    """valid four times in five: enough well-formed events for the shortcut, each field sometimes odd."""
    return st.integers(0, 4).flatmap(lambda pick: odd if pick == 0 else valid)


PLAIN = st.text(max_size=12)
SEVERITY = mostly(st.sampled_from(["critical", "major", "minor", "warning", "info", "clear"]),
                  st.one_of(st.sampled_from(["loud", "", "CRITICAL"]), TEXT))
LABELS = mostly(st.one_of(st.none(), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3)),
                st.one_of(st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.none()), min_size=1,
                                          max_size=2), st.lists(st.text(max_size=2), max_size=2)))
ITEM = st.fixed_dictionaries(
    {"source": mostly(st.text(min_size=1, max_size=12), TEXT), "check": mostly(st.text(min_size=1, max_size=12), TEXT),
     "severity": SEVERITY},
    optional={"node": mostly(PLAIN, TEXT), "ci": mostly(PLAIN, TEXT), "message": mostly(PLAIN, TEXT),
              "fingerprint": mostly(PLAIN, TEXT), "labels": LABELS, "time": WHEN,
              "ci_id": mostly(st.one_of(st.none(), st.just("")),
                              st.one_of(st.integers(0, 10**20), st.text(max_size=4))),
              "idempotency_key": mostly(st.one_of(st.none(), PLAIN),
                                        st.one_of(TEXT, st.text(min_size=199, max_size=202))),
              "extra": TEXT})


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ITEM, TEXT))
def test_the_plain_event_path_returns_what_the_full_check_returns(item):
    plain = _clean_plain_item(item, {})
    if plain is not None:
        assert _clean_item(item) == (plain, {})


def test_the_plain_event_path_takes_what_senders_send():
    event = {"source": "nagios", "node": "web01", "check": "HTTP", "severity": "critical", "message": "503",
             "time": "2026-11-24T10:00:00Z", "labels": {"env": "prod"}, "idempotency_key": "k1"}
    times = {}
    assert _clean_plain_item(event, times) == _clean_item(event)[0]
    assert times == {"2026-11-24T10:00:00Z": "2026-11-24T10:00:00+00:00"}
    assert _clean_plain_item({**event, "time": "0001-01-01T00:00:00Z"}, times) == _clean_item(
        {**event, "time": "0001-01-01T00:00:00Z"})[0]


STRINGS = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=6)
JSONISH = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), STRINGS),
                       lambda children: st.one_of(st.lists(children, max_size=3),
                                                  st.dictionaries(STRINGS, children, max_size=3)), max_leaves=8)


def _walk_refuses(data):
    stack = [data]
    while stack:
        value = stack.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in items:
            if isinstance(key, str) and base._unstorable(key) or isinstance(child, str) and base._unstorable(child):
                return True
            stack.append(child)
    return isinstance(data, str) and bool(base._unstorable(data))


@settings(max_examples=600, deadline=None)
@given(JSONISH)
def test_the_storable_prefilter_never_lets_through_what_the_walk_refuses(data):
    if _walk_refuses(data):
        assert not base._surely_storable(data)
        with pytest.raises(ValidationError):
            base.refuse_unstorable_text(data)
    else:
        base.refuse_unstorable_text(data)


@pytest.mark.parametrize("data", [{"a": "x\x00y"}, {"x\x00": 1}, ["\ud800"], {"l": {"k": ["ok", "\udfff"]}}, "\x00"])
def test_nul_and_lone_surrogates_are_still_refused(data):
    assert not base._surely_storable(data)
    with pytest.raises(ValidationError):
        base.refuse_unstorable_text(data)


def test_a_literal_backslash_u0000_is_storable():
    data = {"message": json.loads('"C:\\\\u0000"')}
    assert data["message"] == "C:\\u0000"
    base.refuse_unstorable_text(data)  # the prefilter's false alarm, cleared by the walk


@pytest.mark.django_db
def test_each_id_of_a_stored_batch_is_its_rows(bot):
    raws = [RawEvent(f"src{i % 3}", {"source": f"src{i % 3}", "node": f"n{i:03d}", "check": "c", "severity": "minor"},
                     f"key{i}" if i % 4 else None) for i in range(100)]
    accepted = services.accept("generic", raws, account=bot)
    assert accepted.created == 100 and len(set(accepted.ids)) == 100
    stored = {e.pk: e for e in Event.objects.filter(pk__in=accepted.ids)}
    for raw, pk in zip(raws, accepted.ids):
        event = stored[pk]
        assert (event.source, event.payload, event.idempotency_key) == (raw.source, raw.payload, raw.idempotency_key)
        assert (event.account_id, event.format, event.error, event.attempts) == (bot.pk, "generic", "", 0)
    assert services.accept("generic", raws, account=bot).ids[1::4] == accepted.ids[1::4]  # keyed rows: retries
