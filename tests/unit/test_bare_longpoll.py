"""The waiting floor's app parks a GET until its wake file exists."""
import os

import fixtures
import gevent
import testtools

from benchmarks import bare_longpoll


def _call(method):
    statuses = []
    body = b''.join(bare_longpoll.application(
        {'REQUEST_METHOD': method},
        lambda status, headers: statuses.append(status)))
    return statuses[0], body


class BareLongPollTest(testtools.TestCase):

    def test_anything_but_get_answers_at_once(self):
        self.assertEqual(('204 No Content', b''), _call('POST'))

    def test_get_waits_for_the_wake_file(self):
        wake = os.path.join(self.useFixture(fixtures.TempDir()).path, 'w')
        self.useFixture(fixtures.EnvironmentVariable('BENCH_WAKE_FILE',
                                                     wake))
        poll = gevent.spawn(_call, 'GET')
        gevent.sleep(0.1)
        self.assertFalse(poll.ready())
        open(wake, 'w').close()
        self.assertEqual(('200 OK', bare_longpoll.BODY), poll.get(timeout=5))
