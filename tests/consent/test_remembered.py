import threading
import time

import pytest

from consent.remembered import Remembered


class SlowLoad:
    """A database read that takes a while, counting how often it ran."""

    def __init__(self, value="fresh", seconds=0.05):
        self.value, self.seconds, self.calls = value, seconds, 0

    def __call__(self):
        self.calls += 1
        time.sleep(self.seconds)
        return self.value


def together(count, call):
    """`call()` from `count` threads released at once; their answers."""
    start, answers = threading.Barrier(count), []

    def run():
        start.wait()
        answers.append(call())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_value_is_read_once_and_then_remembered():
    remembered, load = Remembered(seconds=60), SlowLoad(seconds=0)
    assert [remembered.get("site", load) for _ in range(5)] == ["fresh"] * 5
    assert load.calls == 1


def test_many_first_readers_at_once_read_the_database_once():
    remembered, load = Remembered(seconds=60), SlowLoad()
    assert together(16, lambda: remembered.get("site", load)) == ["fresh"] * 16
    assert load.calls == 1


def test_an_expired_value_is_read_again_by_one_caller_while_the_others_keep_the_previous_one():
    remembered = Remembered(seconds=0.01)
    remembered.get("site", SlowLoad("old", seconds=0))
    time.sleep(0.02)
    load = SlowLoad("new", seconds=0.1)
    answers = together(16, lambda: remembered.get("site", load))
    assert load.calls == 1
    assert answers.count("new") == 1 and answers.count("old") == 15
    assert remembered.get("site", load) == "new"


def test_a_failed_read_reaches_its_caller_and_the_next_caller_tries_again():
    remembered = Remembered(seconds=60)

    def broken():
        raise ConnectionError("database down")

    with pytest.raises(ConnectionError):
        remembered.get("site", broken)
    assert remembered.get("site", SlowLoad(seconds=0)) == "fresh"


def test_a_flood_of_unknown_keys_does_not_grow_memory_without_bound_nor_push_out_the_sites_that_exist():
    remembered = Remembered(seconds=60, max_keys=100)
    site = SlowLoad("site", seconds=0)
    remembered.get("pk_real", site)
    for index in range(1_000):
        remembered.get(f"pk_made_up_{index}", lambda: None)
    assert len(remembered.values) <= 100 and len(remembered.readers) <= 100
    assert remembered.get("pk_real", site) == "site" and site.calls == 1


def test_a_slow_read_of_one_key_does_not_hold_up_another():
    remembered, slow = Remembered(seconds=60), SlowLoad("made-up", seconds=0.5)
    reading = threading.Thread(target=remembered.get, args=("pk_made_up", slow))
    reading.start()
    time.sleep(0.05)
    started = time.monotonic()
    assert remembered.get("pk_real", SlowLoad("site", seconds=0)) == "site"
    assert time.monotonic() - started < 0.2
    reading.join()
