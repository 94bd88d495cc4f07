"""How a serving process keeps the cycle collector's pauses short (measured in docs/performance.md, "Live fan-out").

The pauses themselves are timed into ``portal_gc_pause_seconds`` (``observability.watch_collector``).
"""

from __future__ import annotations

import gc

# the youngest generation is collected after this many new container objects, not Python's 700 (see settle)
YOUNG_COLLECTION_THRESHOLD = 10_000


def settle() -> int:
    """Once the process has started: what is alive now (modules, routes, templates, reference data) lives as long as the
    process, so it is moved out of the cycle collector's sight, and each full collection scans only what came later.
    Then the young generation is collected after 10,000 new objects instead of 700.

    A full collection stops the whole process for as long as it takes to scan every container object; with thousands
    of tabs connected that is seconds (docs/performance.md). Python considers one every 100 young collections, so with
    its default of 700 a busy process with 2,000 tabs ran one every few seconds while tabs were opening; with 10,000 it
    ran 5 in a run that had 27, and the young collections, fewer, stay in tens of milliseconds.

    Objects frozen here are still freed by reference counting; only a cycle among them would stay, and these are kept
    for the process's life anyway. (Tabs' objects are not frozen: a closed tab's elements are cycles, and would stay.)
    Returns how many objects were frozen.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, older, oldest)
    return gc.get_freeze_count()
