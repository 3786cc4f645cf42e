"""psycopg2 waits for PostgreSQL through gevent, not in libpq.

libpq blocks in C while a query runs, which under a gevent worker stops
every connection of the process for the round trip. psycopg2 has a
documented hook for exactly this, ``extensions.set_wait_callback``: with
a callback installed it runs libpq asynchronously and calls it to wait
for the socket, which gevent's ``wait_read``/``wait_write`` make
cooperative. (PyMySQL, the MariaDB driver, is pure Python over
``socket``, already cooperative once gevent patched it.)
"""
import gevent.socket


def _wait(conn, timeout=None):
    # Imported here: psycopg2 is an optional driver.
    from psycopg2 import extensions
    while True:
        state = conn.poll()
        if state == extensions.POLL_OK:
            return
        if state == extensions.POLL_READ:
            gevent.socket.wait_read(conn.fileno(), timeout=timeout)
        elif state == extensions.POLL_WRITE:
            gevent.socket.wait_write(conn.fileno(), timeout=timeout)
        else:
            raise extensions.OperationalError(f'poll() returned {state}')


def install_psycopg2_wait():
    """Install the wait callback if psycopg2 is there; True if it is."""
    try:
        from psycopg2 import extensions
    except ImportError:
        return False
    extensions.set_wait_callback(_wait)
    return True
