"""The HTTP/1.1 conformance checks through Apache httpd + mod_wsgi.

Run by ``tox -e integration-apache`` against the sites tools/with-apache.sh
started from the sample vhost. Where Apache itself answers, its statuses
differ from membership-api's within what RFC 9110/9112 allow:

- a body that never completes (a short body; Transfer-Encoding: chunked
  with a Content-Length, which Apache reads as chunked and which then
  never ends) gets ``408 Request Timeout`` from mod_reqtimeout, not 400;
- Apache's own refusals (400, 408, 411, 413, 414) have Apache's HTML body,
  not the API-WG one.
"""
import os
import unittest

from tests.functional import test_http_conformance

URL = os.environ.get('MEMBERSHIP_TEST_URL')
# [oslo_middleware] enable_proxy_headers_parsing is off on this site.
PROXY_PARSING_OFF_URL = os.environ.get('MEMBERSHIP_TEST_URL_RETENTION')


@unittest.skipUnless(os.environ.get('MEMBERSHIP_TEST_APACHE_DIR'),
                     'needs Apache httpd + mod_wsgi: run by '
                     'tox -e integration-apache (tools/with-apache.sh)')
class ApacheConformanceTest(test_http_conformance.Conformance,
                            unittest.TestCase):

    url = URL
    proxy_parsing_off_url = PROXY_PARSING_OFF_URL
    # RequestReadTimeout body=3 in the tests' vhost (20 in the sample).
    read_timeout = 3
    incomplete_body = (400, 408)


if __name__ == '__main__':
    unittest.main()
