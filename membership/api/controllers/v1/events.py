"""/v1/groups/{name}/events: watch a group by revision (1.1)."""
from membership.api.controllers import base
from membership.api import errors
from membership.api import listing
from membership.api import method
from membership.api import microversion
from membership.api import timeutils
from membership.policies import events as policies
from membership import watch

# "elected" events are an election (1.2) feature: absent below it.
MEMBERSHIP_TYPES = ('joined', 'updated', 'left', 'expired')


def view(event):
    return {'revision': event.revision, 'type': event.type,
            'member_id': event.member_id, 'at': timeutils.iso(event.at)}


class EventsController(base.GroupScoped):

    index = method.resource(since=microversion.EVENTS)

    @method.route(index, 'GET', policies.LIST)
    def get(self, call):
        api = call.conf.api
        listing.check_params(call, ('since', 'timeout', 'limit'))
        since = listing.integer(call, 'since', 0, 2 ** 62, None)
        timeout = listing.integer(call, 'timeout', 0,
                                  api.max_long_poll_timeout, 0)
        limit = listing.integer(call, 'limit', 1, api.max_limit,
                                api.max_limit)
        kinds = (None if call.at_least(microversion.ELECTION)
                 else MEMBERSHIP_TYPES)
        try:
            found = call.watcher.events(
                call.project_id, self.group, since, limit, kinds, timeout,
                call.request.environ.get(watch.CLIENT_GONE))
        except watch.TooManyWaiters:
            raise errors.too_many_waiters('poll with timeout=0')
        except watch.GroupReplaced:
            raise errors.APIError(
                404, errors.GROUP_NOT_FOUND,
                f"Group '{self.group}' was deleted while waiting.")
        return {'events': [view(event) for event in found.events],
                'revision': found.revision}
