"""The database's clock, in integer microseconds since the epoch (UTC).

Each expression is stable within one statement, so ``expires_at > now``
and ``now + ttl`` in the same statement see the same instant. SQLite's
clock has millisecond resolution; PostgreSQL's and MariaDB's microsecond.
"""
import sqlalchemy as sa
from sqlalchemy.ext import compiler
from sqlalchemy.sql import expression

SECOND = 1000000


def seconds(column):
    """A column of seconds in microseconds: as a BIGINT first (an
    INTEGER ttl times 10**6 overflows PostgreSQL's integer past 2147 s).
    """
    return sa.cast(column, sa.BigInteger) * SECOND


class now(expression.FunctionElement):
    type = sa.BigInteger()
    inherit_cache = True
    name = 'membership_now'


@compiler.compiles(now)
def _now_sqlite(element, compiler, **kw):
    return ("(CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0)"
            " AS INTEGER) * 1000)")


@compiler.compiles(now, 'postgresql')
def _now_postgresql(element, compiler, **kw):
    return ("CAST(EXTRACT(EPOCH FROM statement_timestamp()) * 1000000"
            " AS BIGINT)")


@compiler.compiles(now, 'mysql')
@compiler.compiles(now, 'mariadb')
def _now_mysql(element, compiler, **kw):
    # NOW(6) is fixed for the statement; the session runs in UTC.
    return "CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED)"


_READ = sa.select(now())


def read(conn):
    """The database's clock now, by a statement of its own (built once)."""
    return conn.execute(_READ).scalar()
