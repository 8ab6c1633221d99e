"""Fixtures shared by several test modules (pytest shares a session fixture only from here)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def docs_warehouse(tmp_path_factory):
    """The demo warehouse with its static docs site and semantic manifest, built once per session
    for the docs (browser) and semantic-layer tests. See tests_py/docs_warehouse.py."""
    import docs_warehouse as builder

    return builder.build(tmp_path_factory.mktemp("docs_warehouse"))


# `make test` runs pytest on every core (pytest-xdist, `--dist loadfile`): a module's tests stay on
# one worker, so a module fixture (a warehouse built once for the module) is built once. The
# longest modules start first, so that no worker is left with a long one at the end: those that
# build on Spark, then the publication under a BI client, then those that load batches, then the
# other marked (warehouse-building) ones. pytest-xdist would start the modules with the most tests
# first instead (`--no-loadscope-reorder` in the Makefile keeps this order).
START_FIRST = ("spark", "publication", "incremental", "slow", "report", "docs", "semantic")


def _start_rank(item) -> int:
    marks = {mark.name for mark in item.iter_markers()}
    return min((rank for rank, name in enumerate(START_FIRST) if name in marks), default=len(START_FIRST))


def pytest_collection_modifyitems(config, items):
    ranks: dict[str, int] = {}
    for item in items:
        ranks[item.module.__name__] = min(ranks.get(item.module.__name__, len(START_FIRST)), _start_rank(item))
    # a stable sort: within a module, and between modules of one rank, the collection order stays
    items.sort(key=lambda item: ranks[item.module.__name__])
