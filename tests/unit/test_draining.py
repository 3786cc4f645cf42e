import unittest

from membership.server import draining


class Parked:
    def __init__(self):
        self.woken = 0

    def wake(self):
        self.woken += 1


class DrainingTest(unittest.TestCase):

    def setUp(self):
        draining.reset()
        self.addCleanup(draining.reset)
        saved = list(draining._callbacks)
        self.addCleanup(draining._callbacks.__setitem__, slice(None), saved)

    def test_subscribers_are_called_once_when_draining_starts(self):
        parked = Parked()
        draining.subscribe(parked.wake)
        self.assertFalse(draining.is_draining())
        self.assertEqual(0, parked.woken)
        draining.start()
        draining.start()
        self.assertTrue(draining.is_draining())
        self.assertEqual(1, parked.woken)

    def test_a_late_subscriber_is_called_at_once(self):
        draining.start()
        parked = Parked()
        draining.subscribe(parked.wake)
        self.assertEqual(1, parked.woken)

    def test_a_failing_callback_does_not_stop_the_others(self):
        parked = Parked()

        def broken():
            raise RuntimeError('boom')

        draining.subscribe(broken)
        draining.subscribe(parked.wake)
        with self.assertLogs('membership.server.draining', 'ERROR'):
            draining.start()
        self.assertEqual(1, parked.woken)
