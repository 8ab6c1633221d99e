"""Publication: what BI reads changes only when a whole build is green.

dbt builds into the work database (TIERING_DUCKDB_PATH). When the latest build was green and
complete (gate.py), the marts are copied into a new DuckDB file that atomically replaces the
published one (copy.py), with a provenance row (provenance.py) and a Parquet copy (parquet.py).
`python -m publication build|publish|status` (cli.py). README "Publication", DECISIONLOG D60-D69.
"""
