"""Engines and transactions for SQLite, PostgreSQL and MariaDB.

Locking strategy: every change to a group's membership first locks the
group's row (``SELECT ... FOR UPDATE``; SQLite has one writer at a time
and takes it with ``BEGIN IMMEDIATE``), so per group the writes are
serialized and revisions cannot collide, while reads never lock. Reads
and writes run at READ COMMITTED (PostgreSQL's default; set for MariaDB,
whose REPEATABLE READ default would let a transaction read a snapshot
older than the lock it holds and adds gap locks that deadlock inserts).

A heartbeat is one UPDATE in one short transaction and never takes the
group lock (a session-bound member's heartbeat is the member UPDATE,
which matches nothing, then one UPDATE of its session).
"""
import contextlib
import fcntl
import functools
import logging
import os
import threading

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import engines
from oslo_db.sqlalchemy import exc_filters
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

from membership import blocking
from membership import logsafe
from membership.storage import exceptions

LOG = logging.getLogger(__name__)

_WRITE = 'membership_write'
# One statement, atomic by itself: SQLite runs it in its own implicit
# transaction, so no BEGIN is sent (nor a COMMIT that finds nothing).
_ONE_STATEMENT = 'membership_one_statement'


def connection_url(conf):
    if conf.database.connection:
        return conf.database.connection
    path = os.path.join(os.path.abspath(conf.state_path),
                        'membership.sqlite')
    return 'sqlite:///' + path


def create_engine(conf, max_connections=None):
    """The engine of ``conf``'s database; its pool holds at most
    ``max_connections`` (None: [database] max_pool_size + max_overflow).
    InvalidConnection if it names no database this driver can open.
    """
    try:
        return _create_engine(conf, max_connections)
    except (sa_exc.ArgumentError, ImportError) as e:
        # NoSuchModuleError is an ArgumentError; neither message, unlike
        # the URL, holds a password.
        raise exceptions.InvalidConnection(
            f'[database] connection is not a database URL this service '
            f'can open: {e}.') from None


def _create_engine(conf, max_connections):
    url = sa.engine.make_url(connection_url(conf))
    db = conf.database
    timeout = conf.storage.timeout
    if url.get_backend_name() == 'sqlite':
        return _sqlite_engine(url, conf, max_connections)
    url = _with_timeouts(url, timeout)
    pool_size = db.max_pool_size or 5
    overflow = db.max_overflow or 0
    if max_connections is not None:
        pool_size = min(pool_size, max_connections)
        overflow = min(overflow, max_connections - pool_size)
    engine = engines.create_engine(
        url,
        max_pool_size=pool_size,
        max_overflow=overflow,
        pool_timeout=timeout,
        connection_recycle_time=db.connection_recycle_time,
        mysql_sql_mode=db.mysql_sql_mode,
        connection_parameters=db.connection_parameters,
        # Start even when the database is down; requests then get 503.
        max_retries=0,
        logging_name='membership')
    if url.get_backend_name() == 'mysql':
        # Once per new connection, where SQLAlchemy turns a lost server
        # into its OperationalError (so StorageUnavailable: 503). As an
        # engine-wide execution option the isolation level was set on
        # every checkout, where a server lost then raised the driver's
        # own error (a 500).
        @event.listens_for(engine, 'connect')
        def _session(dbapi_con, record):
            with dbapi_con.cursor() as cur:
                cur.execute("SET time_zone = '+00:00'")
                cur.execute('SET SESSION TRANSACTION ISOLATION LEVEL '
                            'READ COMMITTED')
    return engine


def _with_timeouts(url, timeout):
    """Bound connecting (and, for MariaDB, each read and write) so an
    unreachable database answers 503 in time instead of hanging.
    """
    seconds = str(max(1, int(round(timeout))))
    names = {'postgresql': ('connect_timeout',),
             'mysql': ('connect_timeout', 'read_timeout', 'write_timeout')}
    query = {name: seconds for name in names.get(url.get_backend_name(), ())
             if name not in url.query}
    if url.get_backend_name() == 'postgresql' and 'options' not in url.query:
        # Lock waits too: a stuck transaction holding a group's row.
        query['options'] = f'-c lock_timeout={int(timeout * 1000)}'
    return url.update_query_dict(query)


def _sqlite_engine(url, conf, max_connections):
    if url.database and url.database != ':memory:':
        os.makedirs(os.path.dirname(os.path.abspath(url.database)),
                    exist_ok=True)
    timeout = conf.storage.timeout
    engine = sa.create_engine(
        url, pool_size=5,
        max_overflow=32 if max_connections is None else max_connections,
        pool_timeout=timeout,
        # Closing a Connection already ends its transaction (BEGIN is
        # ours, the driver is in autocommit): a second ROLLBACK at each
        # check-in would find nothing to do.
        pool_reset_on_return=None,
        connect_args={'timeout': timeout,
                      'check_same_thread': False})

    @event.listens_for(engine, 'connect')
    def _pragmas(dbapi_con, record):
        # We emit BEGIN ourselves (below), so writers can ask for IMMEDIATE.
        dbapi_con.isolation_level = None
        dbapi_con.execute('PRAGMA journal_mode = WAL')
        dbapi_con.execute('PRAGMA foreign_keys = ON')
        # In WAL mode NORMAL keeps every commit through a crash of the
        # process and the database consistent through a power cut (the
        # last commits may then be lost); FULL would fsync each commit.
        # [database] sqlite_synchronous = false turns syncing off.
        dbapi_con.execute('PRAGMA synchronous = NORMAL'
                          if conf.database.sqlite_synchronous
                          else 'PRAGMA synchronous = OFF')
        if conf.storage.sqlite_max_size_mb:
            page = dbapi_con.execute('PRAGMA page_size').fetchone()[0]
            pages = conf.storage.sqlite_max_size_mb * 1024 * 1024 // page
            dbapi_con.execute(f'PRAGMA max_page_count = {int(pages)}')

    @event.listens_for(engine, 'begin')
    def _begin(conn):
        # A write transaction takes the write lock up front: a deferred
        # one that reads first could not upgrade once another writer has
        # committed (SQLITE_BUSY_SNAPSHOT, which no busy timeout retries).
        options = conn.get_execution_options()
        if options.get(_ONE_STATEMENT):
            return
        conn.exec_driver_sql('BEGIN IMMEDIATE' if options.get(_WRITE)
                             else 'BEGIN')

    exc_filters.register_engine(engine)
    return engine


class _WriterLock:
    """SQLite's one writer, queued for without SQLite's busy handler.

    The busy handler sleeps and retries (up to 100 ms a try): that makes
    the tail latency of every write once two processes share the file,
    and under a cooperative server it stops the whole worker while it
    sleeps. Instead, the threads (or greenlets) of this process queue on
    a lock, in order, and the processes on an ``flock`` of a file next to
    the database, which the kernel hands over the instant its holder
    releases it (or dies). Uncontended, the ``flock`` is one system call;
    contended, it waits in a real thread (``membership.blocking``).
    """

    def __init__(self, database):
        self._threads = threading.Lock()
        self._path = (database + '.writer' if database and
                      database != ':memory:' else None)
        self._fd = None

    def __enter__(self):
        self._threads.acquire()
        if self._path is None:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT,
                                   0o600)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                blocking.call(fcntl.flock, self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc_info):
        try:
            if self._path is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


class Transactions:
    """Read and write transactions over one engine."""

    def __init__(self, engine):
        self.engine = engine
        sqlite = engine.dialect.name == 'sqlite'
        self._writer = (_WriterLock(engine.url.database) if sqlite
                        else contextlib.nullcontext())
        self._one_statement = sqlite
        # Built once: write_one is the heartbeat's path.
        self._write_options = {_WRITE: True}
        self._write_one_options = {_WRITE: True, _ONE_STATEMENT: sqlite}

    @contextlib.contextmanager
    def read(self):
        with self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def read_one(self):
        """A read whose statements need not share one snapshot (usually
        there is one). SQLite then sends no BEGIN: each is its own.
        """
        with self.engine.connect() as conn:
            if self._one_statement:
                conn = conn.execution_options(**{_ONE_STATEMENT: True})
            yield conn

    def write(self):
        return self._write(self._write_options)

    def write_one(self):
        """A write of exactly one statement (a heartbeat's UPDATE). On
        SQLite it is its own transaction, under this process's writer
        lock; elsewhere it runs as :meth:`write` does.
        """
        return self._write(self._write_one_options)

    @contextlib.contextmanager
    def _write(self, options):
        with self._writer, self.engine.connect() as conn:
            conn = conn.execution_options(**options)
            with conn.begin():
                yield conn


# What a database that stopped, restarted or dropped the connection can
# raise, at any point of a transaction (the rollback included). Data,
# integrity and programming errors are bugs, not outages: they stay 500.
_OUTAGE = (sa_exc.OperationalError, sa_exc.InterfaceError,
           sa_exc.InternalError, sa_exc.DisconnectionError,
           sa_exc.TimeoutError, sa_exc.PendingRollbackError,
           sa_exc.ResourceClosedError, db_exc.DBConnectionError)


def _is_unavailable(error):
    if isinstance(error, _OUTAGE):
        return True
    if isinstance(error, db_exc.DBError):
        return isinstance(error.inner_exception, _OUTAGE)
    if isinstance(error, sa_exc.DBAPIError):
        return bool(error.connection_invalidated)
    return False


def _reason(error):
    """The driver's own message, on one line, without the statement and
    its parameters (a client's names and metadata) SQLAlchemy adds.
    """
    while isinstance(error, db_exc.DBError) and error.inner_exception:
        error = error.inner_exception
    error = getattr(error, 'orig', None) or error
    return logsafe.text(f'{type(error).__name__}: {error}')


# SQLite's SQLITE_FULL, PostgreSQL's disk_full, MariaDB's "table is
# full" and "disk full".
_FULL_SQLITE = 13
_FULL_PG = '53100'
_FULL_MYSQL = (1114, 1021)


def is_full(error):
    """Whether ``error`` says the database has no room to write."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if getattr(error, 'sqlite_errorcode', None) == _FULL_SQLITE:
            return True
        if getattr(error, 'pgcode', None) == _FULL_PG:
            return True
        args = getattr(error, 'args', ())
        if (type(error).__module__.startswith('pymysql') and args
                and args[0] in _FULL_MYSQL):
            return True
        error = (getattr(error, 'orig', None)
                 or getattr(error, 'inner_exception', None)
                 or error.__cause__)
    return False


def translated(retries=5):
    """Retry deadlocks (oslo.db style) and turn an unreachable or locked
    database into StorageUnavailable, so no driver error reaches the API.
    """
    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            attempt = 0
            while True:
                try:
                    return fn(*args, **kwargs)
                except db_exc.DBDeadlock:
                    attempt += 1
                    if attempt > retries:
                        raise exceptions.StorageUnavailable(
                            'The database kept deadlocking.')
                    LOG.debug('Deadlock in %s, retry %d', fn.__name__,
                              attempt)
                    continue
                except exceptions.StorageError:
                    raise
                except Exception as e:
                    if not _is_unavailable(e):
                        raise
                    error = e
                # Outside the except block: oslo.log would append the
                # exception's own text (the statement, its parameters).
                LOG.warning('Database unavailable in %s: %s', fn.__name__,
                            _reason(error))
                raise exceptions.StorageUnavailable(str(error)) from error
        return wrapper
    return decorator
