"""Small SQL building blocks shared by the entity builders.

Randomness
----------
Every random number is a pure function of ``(--seed, a row key, a salt)``:
``u(k, salt)`` / ``u2(k, j, salt)`` hash those values with DuckDB's ``hash()`` and map the
top 53 bits to a double in [0, 1).  DuckDB combines the hashes of several arguments with a
cheap XOR-style step, which leaves two draws that differ only in their salt strongly
correlated (corr ~0.9), so the combined hash is hashed once more (a full avalanche mix).
Nothing depends on thread scheduling or on the order rows are produced in, so the same
arguments always give the same values.

Times are handled as integer epoch seconds (UTC) and only formatted at the end.
"""

from __future__ import annotations

import re
import zlib
from typing import Iterable, Sequence

# CNY per unit of each currency the clean data uses (rounded, fixed: this is synthetic data,
# the warehouse's own FX seed decides the real conversion).
FX_CNY_PER_UNIT = {"CNY": 1.0, "USD": 7.2, "EUR": 7.8, "HKD": 0.92, "JPY": 0.048}

TWO_53 = 9007199254740992.0


# A salt is written in the SQL text as a dotted name right before the closing parenthesis of
# u(), u2(), expo() or nrm(), e.g. u2(pos, j, 'o.tod').  Before execution it is replaced by a
# fixed integer (CRC-32 of the name): hashing integers is ~2.5x faster than hashing strings.
_SALT = re.compile(r"'([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)'\)")
_SALTS: dict[int, str] = {}


def intern_salts(sql: str) -> str:
    def repl(m: re.Match) -> str:
        name = m.group(1)
        value = zlib.crc32(name.encode())
        if _SALTS.setdefault(value, name) != name:
            raise ValueError(f"salt collision: {name} / {_SALTS[value]}")
        return f"{value})"
    return _SALT.sub(repl, sql)


def lit(value: object) -> str:
    """A SQL literal for a Python value (None -> NULL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def choice(u_expr: str, options: Sequence[tuple[object, float]]) -> str:
    """CASE expression picking one option by cumulative weight from a uniform draw.

    ``u_expr`` should be a column (not a hash call): it is referenced once per option.
    """
    total = float(sum(w for _, w in options))
    parts, cum = [], 0.0
    for value, weight in options[:-1]:
        cum += weight / total
        parts.append(f"WHEN {u_expr} < {cum!r} THEN {lit(value)}")
    return "CASE " + " ".join(parts) + f" ELSE {lit(options[-1][0])} END"


def str_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(lit(v) for v in values) + "]"


def pick_from(values: Sequence[str], u_expr: str) -> str:
    """Uniform pick from a list literal."""
    return f"list_extract({str_list(values)}, 1 + floor({u_expr} * {len(values)})::BIGINT)"


def macros(seed: int) -> list[str]:
    """The macros every builder uses.  The seed is baked in as a literal."""
    s = f"{int(seed)}::BIGINT"
    return [
        # uniform [0, 1) from one key + salt, and from two keys + salt
        f"CREATE OR REPLACE MACRO u(k, salt) AS "
        f"((hash(hash({s}, k, salt)) >> 11)::DOUBLE / {TWO_53})",
        f"CREATE OR REPLACE MACRO u2(k, j, salt) AS "
        f"((hash(hash({s}, k, j, salt)) >> 11)::DOUBLE / {TWO_53})",
        # standard normal (Box-Muller) and standard exponential
        "CREATE OR REPLACE MACRO nrm(k, j, salt) AS "
        "sqrt(-2.0 * ln(1.0 - u2(k, j, salt::BIGINT + 1000000007))) * cos(2.0 * pi() * u2(k, j, salt::BIGINT + 2000000014))",
        "CREATE OR REPLACE MACRO expo(k, j, salt) AS -ln(1.0 - u2(k, j, salt))",
        # Poisson-ish count from its mean and a standard normal draw (normal approximation)
        "CREATE OR REPLACE MACRO pois(lam, z) AS "
        "greatest(0, floor(lam + sqrt(lam) * z + 0.5))::BIGINT",
        # epoch seconds -> text
        "CREATE OR REPLACE MACRO ts_of(x) AS make_timestamp((x)::BIGINT * 1000000)",
        "CREATE OR REPLACE MACRO fmt_ts(x) AS strftime(ts_of(x), '%Y-%m-%d %H:%M:%S')",
        "CREATE OR REPLACE MACRO fmt_d(x) AS strftime(ts_of(x), '%Y-%m-%d')",
        "CREATE OR REPLACE MACRO epoch_s(t) AS floor(epoch(t))::BIGINT",
        # amounts: JPY has no minor unit
        "CREATE OR REPLACE MACRO fmt_amt(x, ccy) AS "
        "CASE WHEN ccy = 'JPY' THEN round(x, 0)::DECIMAL(18, 0)::VARCHAR "
        "ELSE round(x, 2)::DECIMAL(18, 2)::VARCHAR END",
        "CREATE OR REPLACE MACRO amt_round(x, ccy) AS "
        "CASE WHEN ccy = 'JPY' THEN round(x, 0) ELSE round(x, 2) END",
        "CREATE OR REPLACE MACRO fx(ccy) AS CASE ccy "
        + " ".join(f"WHEN '{c}' THEN {r!r}" for c, r in FX_CNY_PER_UNIT.items())
        + " END",
        # messy-but-valid spellings of an enum value (each differs from the canonical one)
        "CREATE OR REPLACE MACRO mangle(v, h) AS CASE floor(h * 5)::INT "
        "WHEN 0 THEN upper(v) WHEN 1 THEN ' ' || v WHEN 2 THEN v || ' ' "
        "WHEN 3 THEN upper(v[1]) || v[2:] ELSE ' ' || upper(v) || ' ' END",
        "CREATE OR REPLACE MACRO mangle_ccy(v, h) AS CASE floor(h * 5)::INT "
        "WHEN 0 THEN lower(v) WHEN 1 THEN v || ' ' WHEN 2 THEN ' ' || lower(v) "
        "WHEN 3 THEN v[1] || lower(v[2:]) ELSE ' ' || v END",
        # --- defect values (each is rejected by a TRY_CAST in staging) -------------------
        # a timestamp that is not a date
        "CREATE OR REPLACE MACRO bad_ts(x, h) AS CASE floor(h * 8)::INT "
        "WHEN 0 THEN strftime(ts_of(x), '%Y') || '-02-30 ' || strftime(ts_of(x), '%H:%M:%S') "
        "WHEN 1 THEN 'yesterday' "
        "WHEN 2 THEN printf('%02d', 13 + ((x) // 86400) % 15) || strftime(ts_of(x), '/%m/%Y') "
        "WHEN 3 THEN '0000-00-00 00:00:00' "
        "WHEN 4 THEN strftime(ts_of(x), '%Y') || '-13-' || strftime(ts_of(x), '%d') "
        "WHEN 5 THEN strftime(ts_of(x), '%Y') || '-06-31 ' || strftime(ts_of(x), '%H:%M:%S') "
        "WHEN 6 THEN 'TBD' "
        "ELSE strftime(ts_of(x), '%Y-%m-%d') || ' 25:' || strftime(ts_of(x), '%M:%S') END",
        # an amount that is not a number
        "CREATE OR REPLACE MACRO bad_num(v0, h) AS CASE floor(h * 6)::INT "
        "WHEN 0 THEN CASE WHEN contains(coalesce(v0, '12.50'), '.') "
        "  THEN replace(coalesce(v0, '12.50'), '.', ',') ELSE coalesce(v0, '12') || ',00' END "
        "WHEN 1 THEN 'abc' "
        "WHEN 2 THEN CASE WHEN contains(coalesce(v0, '12.50'), '.') "
        "  THEN coalesce(v0, '12.50') || '.5' ELSE coalesce(v0, '12') || '.5.0' END "
        "WHEN 3 THEN '¥' || coalesce(v0, '12.50') "
        "WHEN 4 THEN coalesce(v0, '12.50') || '元' "
        "ELSE '1.2.3' END",
        # a score that is not a number
        "CREATE OR REPLACE MACRO bad_score(h) AS "
        + pick_from(["five", "4 stars", "很好", "9/10", "abc", "4,5"], "h"),
        # an event later than its own loaded_at: year 2099, or a +8 h time-zone slip
        "CREATE OR REPLACE MACRO future_ts(x, loaded, h) AS CASE WHEN h < 0.5 "
        "THEN '2099-' || replace(strftime(ts_of(x), '%m-%d %H:%M:%S'), '02-29', '02-28') "
        "ELSE fmt_ts((loaded) + 8 * 3600 + floor(h * 3600)::BIGINT) END",
    ]
