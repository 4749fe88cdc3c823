import pytest

from shows import cache

pytestmark = pytest.mark.django_db  # on_commit needs a connection


@pytest.fixture
def calls():
    return []


def compute(calls, value):
    def run():
        calls.append(value)
        return value
    return run


def test_one_round_trip_and_recompute_after_a_generation_bump(locmem_cache, calls,
                                                               django_capture_on_commit_callbacks):
    assert cache.read_through("k", compute(calls, "v1"), 60) == "v1"
    assert cache.read_through("k", compute(calls, "v2"), 60) == "v1"
    with django_capture_on_commit_callbacks(execute=True):
        cache.invalidate_all()
    assert cache.read_through("k", compute(calls, "v3"), 60) == "v3"
    assert calls == ["v1", "v3"]


def test_a_page_computed_before_an_edit_is_never_served_after_it(locmem_cache, calls,
                                                                  django_capture_on_commit_callbacks):
    cache.read_through("k", compute(calls, "before"), 60)
    old = locmem_cache.get(cache.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        cache.invalidate_all()
    # A reader that started before the edit stores its stale page after the bump:
    locmem_cache.set("k", (old, "stale"), 60)
    assert cache.read_through("k", compute(calls, "fresh"), 60) == "fresh"


def test_evicted_generation_starts_a_new_one(locmem_cache, calls):
    cache.read_through("k", compute(calls, "v1"), 60)
    locmem_cache.delete(cache.GENERATION_KEY)
    assert cache.read_through("k", compute(calls, "v2"), 60) == "v2"


def test_no_cache_computes_every_time(calls):
    # Test settings: the dummy cache stores nothing (as a dead Redis).
    assert cache.read_through("k", compute(calls, "a"), 60) == "a"
    assert cache.read_through("k", compute(calls, "b"), 60) == "b"
