"""A Python client of the membership API.

    from membership.client import Client, exceptions
    client = Client(session=keystoneauth1_session)
    client.create_group('workers')
    client.join('workers', 'worker-1', capabilities={'cpus': 8}, ttl=10)

See doc/source/user/python-client.rst.
"""
from membership.client.client import Client
from membership.client.client import Resource
from membership.client import exceptions
from membership.client.exceptions import MembershipError

__all__ = ['Client', 'MembershipError', 'Resource', 'exceptions']
