"""The per-address limit on tries at codes."""

from consent_kit.web.ratelimit import Attempts


def test_allows_up_to_the_limit_in_the_window_then_again_after_it():
    attempts = Attempts(limit=3, window=60)
    assert [attempts.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert attempts.allow("b", now=3)  # another address is counted apart
    assert attempts.allow("a", now=60.5)  # the first try has left the window


def test_memory_stays_bounded_under_a_flood_of_addresses():
    attempts = Attempts(limit=1, window=60, max_addresses=100)
    for n in range(1000):
        attempts.allow(f"10.0.0.{n}", now=n * 100)  # each older than the window by the next
    assert len(attempts.tries) <= 100
