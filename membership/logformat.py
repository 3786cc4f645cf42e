"""oslo.log's context formatter, without work no format string uses.

``ContextFormatter.format`` computes an ISO 8601 time for every line,
building a new ``dateutil`` local zone each time, although only a format
naming ``%(isotime)s`` prints it; that is about a fifth of the cost of a
request's log line. This subclass computes it only when the configured
formats ask for it (they are read once, at start), with the local zone
built once. The lines are the
same.
"""
import datetime
import logging

from dateutil import tz
from oslo_log import formatters

# The options of ContextFormatter's own formats that may name isotime.
_FORMATS = ('logging_context_format_string',
            'logging_default_format_string',
            'logging_debug_format_suffix',
            'logging_exception_prefix')


class ContextFormatter(formatters.ContextFormatter):

    # Set by install(): whether a format names isotime, the local zone.
    _isotime = True
    _local_zone = None

    def _compute_iso_time(self, record):
        if not self._isotime:
            return
        isotime = (datetime.datetime.fromtimestamp(record.created)
                   .replace(tzinfo=self._local_zone).isoformat())
        if record.created == int(record.created):
            # isoformat() leaves out microseconds that are zero.
            isotime = f'{isotime[:-6]}.000000{isotime[-6:]}'
        record.isotime = isotime


def install(handlers):
    """Give ``handlers`` that format with oslo.log's ContextFormatter
    this one, with the same settings; collect threads' names only if a
    handler's format may print them.
    """
    logging.logThreads = any(_may_print_thread(handler.formatter)
                             for handler in handlers)
    for handler in handlers:
        if type(handler.formatter) is formatters.ContextFormatter:
            faster = ContextFormatter.__new__(ContextFormatter)
            faster.__dict__.update(handler.formatter.__dict__)
            # Once: reading an option costs more than the time it saves.
            faster._isotime = any(
                'isotime' in (getattr(faster.conf, name, None) or '')
                for name in _FORMATS)
            faster._local_zone = tz.tzlocal()
            handler.setFormatter(faster)


def _may_print_thread(formatter):
    """Whether ``formatter`` may print a record's thread (``thread``,
    ``threadName``): any formatter this module does not know may.
    """
    if formatter is None:
        return False  # logging's default format: level, name, message
    if type(formatter) in (formatters.ContextFormatter, ContextFormatter):
        texts = [getattr(formatter.conf, name, None) or ''
                 for name in _FORMATS]
    elif type(formatter) is logging.Formatter:
        texts = [formatter._fmt or '']
    else:
        return True
    return any('thread' in text for text in texts)
