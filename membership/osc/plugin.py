"""The OpenStackClient plugin of membership: ``openstack membership ...``.

OSC loads this module from the ``openstack.cli.extension`` entry point
and the commands from ``openstack.membership.v1``. ``make_client`` hands
each command a :class:`membership.client.Client` on OSC's keystoneauth1
session (``OS_*`` variables, ``--os-cloud``), its interface and region.
"""
import re

from osc_lib import exceptions
from osc_lib import utils

API_NAME = 'membership'
API_VERSION_OPTION = 'os_membership_api_version'
# '1' negotiates the highest 1.x microversion both sides know.
DEFAULT_API_VERSION = '1'
API_VERSIONS = {'1': 'membership.client.Client'}
_VERSION = re.compile(r'^(1|1\.\d+|latest)$')


def check_api_version(version):
    """Accept '1', '1.N' and 'latest' (the service decides the range)."""
    if not _VERSION.match(version):
        raise exceptions.CommandError(
            f'Invalid --os-membership-api-version {version!r}: expected '
            "1.N, 1 or 'latest'")
    return True


def make_client(instance):
    from membership.client import Client
    version = instance._api_version[API_NAME]
    endpoint = None
    cloud = getattr(instance, '_cli_options', None)
    if cloud is not None:
        endpoint = cloud.get_endpoint('membership')
    return Client(session=instance.session, endpoint=endpoint,
                  interface=instance.interface,
                  region_name=instance.region_name,
                  api_version=None if version in ('1', 'latest') else version)


def build_option_parser(parser):
    parser.add_argument(
        '--os-membership-api-version',
        metavar='<membership-api-version>',
        default=utils.env('OS_MEMBERSHIP_API_VERSION'),
        help='Membership API microversion (1.N, or 1 for the highest both '
             'the client and the service know; default: 1; '
             'Env: OS_MEMBERSHIP_API_VERSION)')
    return parser
