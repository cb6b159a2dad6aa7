"""Grouping without a worker thread (LeaderGrouping): every item handled once, in groups, each request
answered with its own result, errors reaching every request of their group."""

import threading
import time

import pytest

from personalization.ingest.grouping import LeaderGrouping


class Doubler(LeaderGrouping):
    def __init__(self, *, fail_on=None, slow=0.0):
        super().__init__()
        self.groups: list[list[int]] = []
        self.fail_on, self.slow = fail_on, slow

    def handle(self, items):
        self.groups.append(list(items))
        time.sleep(self.slow)  # a round trip: other requests queue meanwhile
        if self.fail_on in items:
            raise RuntimeError("refused")
        return [ValueError("odd") if item % 7 == 3 else item * 2 for item in items]


def submit_all(grouping, items, threads=16):
    answers, start = {}, threading.Barrier(threads)

    def run(part):
        start.wait()
        for item in part:
            try:
                answers[item] = grouping.submit(item)
            except Exception as error:
                answers[item] = error

    workers = [threading.Thread(target=run, args=(items[i::threads],)) for i in range(threads)]
    [worker.start() for worker in workers]
    [worker.join() for worker in workers]
    return answers


def test_every_item_is_handled_once_in_groups_and_answered_with_its_own_result():
    grouping = Doubler(slow=0.002)
    answers = submit_all(grouping, list(range(2000)))
    handled = [item for group in grouping.groups for item in group]
    assert sorted(handled) == list(range(2000))
    assert max(len(group) for group in grouping.groups) > 1, "requests arriving together share a group"
    for item, answer in answers.items():
        if item % 7 == 3:
            assert isinstance(answer, ValueError)
        else:
            assert answer == item * 2


def test_a_group_that_fails_fails_every_request_in_it_and_no_other():
    grouping = Doubler(fail_on=500, slow=0.001)
    answers = submit_all(grouping, list(range(1000)))
    failed_group = next(group for group in grouping.groups if 500 in group)
    assert all(isinstance(answers[item], RuntimeError) for item in failed_group)
    assert all(not isinstance(answer, RuntimeError) for item, answer in answers.items() if item not in failed_group)


def test_a_request_alone_leads_its_own_group():
    grouping = Doubler()
    assert grouping.submit(4) == 8
    with pytest.raises(ValueError):
        grouping.submit(3)
    assert grouping.groups == [[4], [3]]
