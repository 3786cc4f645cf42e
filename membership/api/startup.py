"""What must hold before a process serves, checked where its app is built
(``app.load_app``: membership-api, mod_wsgi and any WSGI server alike).

A failed check raises :class:`StartupError` with one line saying what to
fix; the entry points print or log that line, never a traceback.
"""
import contextlib
import logging
import os
import tempfile

from oslo_config import cfg

from membership.storage import exceptions as storage

LOG = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """This process cannot serve; the message, one line, says why."""


def one_line(text):
    return ' '.join(str(text).split())


@contextlib.contextmanager
def configuration_errors():
    """oslo.config's errors (a bad value, an unknown choice, an
    unreadable file: its message names the option and the file) and a
    database URL the driver cannot open, as StartupError.
    """
    try:
        yield
    except (cfg.Error, storage.InvalidConnection) as e:
        raise StartupError(one_line(e)) from None


def check_options(conf):
    """Every option's value converts: oslo.config converts each one when
    it is first read, which would otherwise fail mid-request.
    """
    for name in list(conf):
        value = _value(conf, 'DEFAULT', name)
        if isinstance(value, cfg.ConfigOpts.GroupAttr):
            for option in list(value):
                _value(value, name, option)


def _value(namespace, group, name):
    try:
        return namespace[name]
    except cfg.ConfigFileValueError as e:
        # The ValueError of the option's type says what is wrong.
        reason = one_line(e.__context__ or e).rstrip('.')
        raise StartupError(f'[{group}] {name} is not valid: {reason}.') \
            from None


def check_state_path(conf):
    """With no [database] connection the SQLite database lives in
    state_path: a directory this process must be able to write.
    """
    if conf.database.connection:
        return
    path = conf.state_path
    if not os.path.isdir(path):
        raise StartupError(f'[DEFAULT] state_path {path} is not a '
                           f'directory (the SQLite database lives there '
                           f'when [database] connection is not set).')
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as e:
        raise StartupError(f'[DEFAULT] state_path {path} is not writable '
                           f'by this process: {e.strerror}.') from None


@contextlib.contextmanager
def policy_file_errors():
    """A policy file oslo.policy cannot read, as StartupError: PyYAML's
    error (a ValueError) or, for a document that is not a mapping of
    rules, AttributeError.
    """
    try:
        yield
    except (ValueError, AttributeError) as e:
        raise StartupError(f'[oslo_policy] policy_file is not a YAML or JSON '
                           f'mapping of rules: {one_line(e)}') from None


def check_database(services):
    try:
        services.storage.check_schema()
        return
    except storage.SchemaNotCurrent as e:
        raise StartupError(one_line(e)) from None
    except storage.StorageUnavailable:
        pass
    # Serving while the database is down is by design (503 until it is
    # back); the next process start checks the schema. The driver logged
    # why (and this line is outside the except block, so oslo.log does
    # not append the exception again).
    LOG.warning('The database schema could not be checked: the database '
                'is unavailable.')


def warn_missing_policy_file(conf):
    """A policy_file set in the configuration that is not there: the
    defaults apply, which is rarely what the operator meant.
    """
    path = conf.oslo_policy.policy_file
    location = conf.get_location('policy_file', 'oslo_policy')
    if location and location.location in (cfg.Locations.opt_default,
                                          cfg.Locations.set_default):
        return
    found = path if os.path.isabs(path) else conf.find_file(path)
    if not found or not os.path.exists(found):
        LOG.warning('[oslo_policy] policy_file %s does not exist: the '
                    'default rules apply until it does.', path)
