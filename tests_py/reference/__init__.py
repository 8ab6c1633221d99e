"""Independent reference implementation (plain Python + pandas) of the customer-tiering warehouse.

Written only from the written definitions (docs/raw-data-contract.md, models/_docs.md, the
YAML descriptions, DECISIONLOG.md, dbt_project.yml vars, seeds/reference/*.csv, the shared
DOMAIN.md), never from the dbt SQL,
so that it can be used as an oracle for the dbt models. Entry point: ``compute_all``.
"""
from .core import compute_all, load_vars  # noqa: F401
