"""membership.api.timeutils.iso."""
import re

import testtools

from membership.api import timeutils

ISO = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$')


class IsoTest(testtools.TestCase):

    def test_none(self):
        self.assertIsNone(timeutils.iso(None))

    def test_epoch(self):
        self.assertEqual('1970-01-01T00:00:00.000000Z', timeutils.iso(0))

    def test_one_microsecond(self):
        self.assertEqual('1970-01-01T00:00:00.000001Z', timeutils.iso(1))

    def test_one_day(self):
        self.assertEqual('1970-01-02T00:00:00.000000Z',
                         timeutils.iso(86400 * 10 ** 6))

    def test_a_moment_in_2026(self):
        self.assertEqual('2026-11-24T10:00:00.123456Z',
                         timeutils.iso(1795514400123456))

    def test_the_last_microsecond_of_a_leap_day(self):
        self.assertEqual('2000-02-29T23:59:59.999999Z',
                         timeutils.iso(951868799999999))

    def test_milliseconds_keep_six_digits(self):
        self.assertEqual('2026-11-24T10:00:00.123000Z',
                         timeutils.iso(1795514400123000))

    def test_the_format(self):
        for value in (0, 1, 999999, 1795514400123456, 253402300799999999):
            self.assertRegex(timeutils.iso(value), ISO)

    def test_order_is_kept(self):
        values = [0, 1, 10 ** 6, 1795514400123456, 1795514400123457]
        rendered = [timeutils.iso(v) for v in values]
        self.assertEqual(sorted(rendered), rendered)
        self.assertEqual(len(set(rendered)), len(rendered))
