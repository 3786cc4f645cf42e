"""membership.api.microversion.negotiate."""
import testtools

from membership.api import microversion

KEY = 'HTTP_OPENSTACK_API_VERSION'


def negotiate(value=None):
    environ = {'PATH_INFO': '/v1/groups'}
    if value is not None:
        environ[KEY] = value
    return microversion.negotiate(environ)


class NegotiateTest(testtools.TestCase):

    def test_the_bounds(self):
        self.assertEqual((1, 0), microversion.MIN_VERSION)
        self.assertEqual(1, microversion.MAX_VERSION[0])
        self.assertGreaterEqual(microversion.MAX_VERSION,
                                microversion.MIN_VERSION)
        self.assertEqual(microversion.VERSIONS[-1],
                         microversion.text(microversion.MAX_VERSION))

    def test_no_header_is_the_minimum(self):
        self.assertEqual((1, 0), negotiate())

    def test_latest_is_the_maximum(self):
        self.assertEqual(microversion.MAX_VERSION,
                         negotiate('membership latest'))

    def test_exact_versions(self):
        self.assertEqual((1, 0), negotiate('membership 1.0'))
        for text in microversion.VERSIONS:
            major, minor = (int(p) for p in text.split('.'))
            self.assertEqual((major, minor), negotiate('membership ' + text))

    def test_another_service_is_ignored(self):
        self.assertEqual((1, 0), negotiate('compute 2.95'))

    def test_ours_among_several_services(self):
        self.assertEqual((1, 0), negotiate('compute 2.1, membership 1.0'))
        self.assertEqual(microversion.MAX_VERSION,
                         negotiate('compute 2.1, membership latest'))

    def test_malformed(self):
        for value in ('membership foo', 'membership 1', 'membership 1.',
                      'membership .1', 'membership 1.0.1', 'membership a.b',
                      'membership v1.0'):
            self.assertRaises(microversion.InvalidVersion, negotiate, value)

    def test_above_the_maximum(self):
        major, minor = microversion.MAX_VERSION
        self.assertRaises(microversion.UnsupportedVersion, negotiate,
                          f'membership {major}.{minor + 1}')
        self.assertRaises(microversion.UnsupportedVersion, negotiate,
                          'membership 1.99')
        self.assertRaises(microversion.UnsupportedVersion, negotiate,
                          'membership 2.0')

    def test_below_the_minimum(self):
        self.assertRaises(microversion.UnsupportedVersion, negotiate,
                          'membership 0.9')

    def test_unsupported_detail_gives_the_range(self):
        error = self.assertRaises(microversion.UnsupportedVersion, negotiate,
                                  'membership 1.99')
        self.assertIn('1.99', str(error))
        self.assertIn(microversion.text(microversion.MIN_VERSION),
                      str(error))
        self.assertIn(microversion.text(microversion.MAX_VERSION),
                      str(error))

    def test_errors_are_value_errors(self):
        self.assertTrue(issubclass(microversion.InvalidVersion, ValueError))
        self.assertTrue(
            issubclass(microversion.UnsupportedVersion, ValueError))
        self.assertFalse(issubclass(microversion.InvalidVersion,
                                    microversion.UnsupportedVersion))

    def test_text(self):
        self.assertEqual('1.0', microversion.text((1, 0)))
        self.assertEqual('1.12', microversion.text((1, 12)))
