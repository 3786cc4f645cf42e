"""/v1/groups/{name}/events: watch a group by revision (1.1)."""
import time

import pecan

from membership.api.controllers import base
from membership.api import errors
from membership.api import listing
from membership.api import method
from membership.api import timeutils
from membership.api import watch
from membership.policies import events as policies

MEMBERSHIP_TYPES = ('joined', 'updated', 'left', 'expired')


def view(event):
    return {'revision': event.revision, 'type': event.type,
            'member_id': event.member_id, 'at': timeutils.iso(event.at)}


class EventsController(base.GroupScoped):

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args, (1, 1))

    @index.when(method='GET', template='json')
    @method.handler(policies.LIST, min_version=(1, 1))
    def get(self):
        api = method.conf().api
        listing.check_params(('since', 'timeout', 'limit'))
        since = listing.integer('since', 0, 2 ** 62, None)
        timeout = listing.integer('timeout', 0, api.max_long_poll_timeout, 0)
        limit = listing.integer('limit', 1, api.max_limit, api.max_limit)
        # "elected" events are a 1.2 feature: absent below it.
        kinds = None if method.version() >= (1, 2) else MEMBERSHIP_TYPES
        storage = method.storage_api()
        project = method.project_id()
        deadline = time.monotonic() + timeout
        found = storage.events(project, self.group, since, limit, kinds)
        while not found.events:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            seen = found.revision if since is None else max(since,
                                                            found.revision)
            try:
                pecan.request.services.watcher.wait(found.group_id, seen,
                                                    remaining)
            except watch.TooManyWaiters:
                raise errors.APIError(
                    503, errors.TOO_MANY_WAITERS,
                    'This API process holds as many long-polls as '
                    '[api] max_waiters allows; retry, or poll with '
                    'timeout=0.', headers={'Retry-After': '1'})
            since = seen
            group_id = found.group_id
            found = storage.events(project, self.group, since, limit, kinds)
            if found.group_id != group_id:
                # Deleted and created again while we waited: the
                # revisions we knew belong to a group that is gone.
                raise errors.APIError(
                    404, errors.GROUP_NOT_FOUND,
                    f"Group '{self.group}' was deleted while waiting.")
        return {'events': [view(event) for event in found.events],
                'revision': found.revision}
