"""The faster context formatter writes exactly oslo.log's lines."""
import logging
import sys

from oslo_config import cfg
from oslo_context import context
from oslo_log import formatters
from oslo_log import log
import testtools

from membership import logformat


def _conf(**overrides):
    conf = cfg.ConfigOpts()
    log.register_options(conf)
    conf([])
    for name, value in overrides.items():
        conf.set_override(name, value)
    return conf


def _records():
    ctx = context.RequestContext(request_id='req-1', user_id='u',
                                 project_id='p', overwrite=False)
    plain = logging.LogRecord('membership.api', logging.INFO, __file__, 1,
                              'joined %s', ('m1',), None)
    with_context = logging.LogRecord('membership.api', logging.INFO,
                                     __file__, 2, 'left %(m)s',
                                     ({'m': 'm2'},), None)
    with_context.context = ctx
    # A whole second: isoformat() would leave its microseconds out.
    with_context.created = 1764633600.0
    try:
        raise ValueError('bad')
    except ValueError:
        failed = logging.LogRecord('membership.api', logging.ERROR,
                                   __file__, 3, 'failed', (),
                                   sys.exc_info())
    failed.context = ctx
    plain.created = failed.created = 1764633600.25
    # msecs was taken from the clock when each record was made.
    plain.msecs = failed.msecs = 250.0
    with_context.msecs = 0.0
    return plain, with_context, failed


class FormatterTest(testtools.TestCase):

    def _both(self, conf):
        oslo = formatters.ContextFormatter(project='membership',
                                           version='1', config=conf,
                                           datefmt=conf.log_date_format)
        handler = logging.Handler()
        handler.setFormatter(formatters.ContextFormatter(
            project='membership', version='1', config=conf,
            datefmt=conf.log_date_format))
        logformat.install([handler])
        self.assertIsInstance(handler.formatter, logformat.ContextFormatter)
        return oslo, handler.formatter

    def test_same_lines_as_oslo_log(self):
        oslo, ours = self._both(_conf())
        for expected, record in zip(_records(), _records()):
            line = ours.format(record)
            self.assertEqual(oslo.format(expected), line)
            self.assertNotIn('isotime', record.__dict__)
        self.assertIn('req-1 u p', ours.format(_records()[1]))

    def test_isotime_when_a_format_names_it(self):
        conf = _conf(logging_context_format_string='%(isotime)s %(message)s',
                     logging_exception_prefix='%(isotime)s! ')
        oslo, ours = self._both(conf)
        records = _records()
        for expected, record in zip(_records(), records):
            self.assertEqual(oslo.format(expected), ours.format(record))
            self.assertEqual(expected.isotime, record.isotime)
        self.assertIn('.000000', records[1].isotime)
        self.assertIn('.250000', records[0].isotime)

    def test_other_formatters_are_left_alone(self):
        handler = logging.Handler()
        json_formatter = formatters.JSONFormatter()
        handler.setFormatter(json_formatter)
        logformat.install([handler])
        self.assertIs(json_formatter, handler.formatter)


class ThreadNamesTest(testtools.TestCase):
    """Records look up their thread only if a format may print it."""

    def setUp(self):
        super().setUp()
        saved = logging.logThreads
        self.addCleanup(setattr, logging, 'logThreads', saved)

    def _install(self, *formatters_):
        handlers = []
        for formatter in formatters_:
            handler = logging.Handler()
            handler.setFormatter(formatter)
            handlers.append(handler)
        logformat.install(handlers)
        return logging.LogRecord('m', logging.INFO, __file__, 1, 'x', (),
                                 None)

    def _oslo(self, **overrides):
        conf = _conf(**overrides)
        return formatters.ContextFormatter(project='membership', version='1',
                                           config=conf)

    def test_oslo_log_default_formats_print_no_thread(self):
        record = self._install(self._oslo(), logging.Formatter('%(message)s'))
        self.assertFalse(logging.logThreads)
        self.assertIsNone(record.threadName)

    def test_a_format_naming_a_thread_keeps_it(self):
        for formatter in (
                self._oslo(logging_context_format_string=(
                    '%(threadName)s %(message)s')),
                self._oslo(logging_debug_format_suffix='%(thread)d'),
                logging.Formatter('%(thread)d %(message)s')):
            record = self._install(self._oslo(), formatter)
            self.assertTrue(logging.logThreads)
            self.assertIsNotNone(record.threadName)

    def test_an_unknown_formatter_keeps_it(self):
        self._install(self._oslo(), formatters.JSONFormatter())
        self.assertTrue(logging.logThreads)
