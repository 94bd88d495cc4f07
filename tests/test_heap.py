"""A serving process, once started, keeps what it has out of later full collections and collects young objects less
often."""

from __future__ import annotations

import gc

from portal import heap


def test_settling_the_heap_keeps_what_lives_now_out_of_later_full_collections() -> None:
    class Node:
        me: Node

    old = Node()
    old.me = old  # a cycle: tracked by the collector
    thresholds = gc.get_threshold()
    try:
        frozen = heap.settle()
        assert gc.get_threshold() == (heap.YOUNG_COLLECTION_THRESHOLD, *thresholds[1:])
        young = Node()
        young.me = young
        assert frozen >= 1 and gc.get_freeze_count() == frozen
        seen = gc.get_objects()
        assert any(o is young for o in seen) and not any(o is old for o in seen)
    finally:
        gc.unfreeze()  # the test process's other tests collect as before
        gc.set_threshold(*thresholds)
