"""Fixtures shared by several test modules (pytest shares a session fixture only from here)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def docs_warehouse(tmp_path_factory):
    """The demo warehouse with its static docs site and semantic manifest, built once per session
    for the docs (browser) and semantic-layer tests. See tests_py/docs_warehouse.py."""
    import docs_warehouse as builder

    return builder.build(tmp_path_factory.mktemp("docs_warehouse"))
