"""Watchers and elections of the tooz driver, over the events API.

tooz's usual drivers (``CoordinationDriverCachedRunWatchers``) list the
members at each ``run_watchers()`` and diff the list with the previous
one, so a member that joins and leaves between two runs is never seen.
Here each watched group keeps the revision of the last event it
handled, and each run asks the service for the events after it: every
join, leave and expiry is delivered, in order. The members set is kept
as well, to deduplicate and to diff against a fresh list when the
service answers 410 (events compacted) or the group disappears.

A watch starts from the caller's last ``get_members()`` of the group
when there was one (tooz's Partitioner lists, then watches): a member
that joined between the two is then still announced.
"""
import logging

from tooz import coordination

from membership.client import exceptions
from membership.coordination import names

LOG = logging.getLogger(__name__)
LEFT = frozenset(['left', 'expired'])


class _Watch:

    def __init__(self, revision, members):
        self.revision = revision
        self.members = members


class EventWatchersMixin:
    """Needs ``self._client``, ``self._translate()`` and
    ``self._session_id`` from the driver.
    """

    def _init_watch_group(self, group_id):
        if group_id in self._watches:
            return
        watch = self._listings.pop(group_id, None)
        if watch is None:
            with self._translate(group_id):
                watch = self._listing(names.encode(group_id))
        self._watches[group_id] = watch
        self._group_members[group_id] = watch.members

    def _listing(self, name):
        """The members, and a revision read first: the events after it
        hold every change the list may not show.
        """
        revision = self._client.list_events(name, timeout=0)['revision']
        return _Watch(revision, self._list_member_ids(name))

    def _get_members(self, group_id):
        """get_members(), remembered for a watch of the group to come."""
        if group_id in self._watches:
            return set(self._list_member_ids(names.encode(group_id)))
        listing = self._listing(names.encode(group_id))
        self._listings[group_id] = listing
        return set(listing.members)

    def _list_member_ids(self, name):
        return {names.decode(m['id'])
                for m in self._client.list_members(name)}

    def _drop_watch(self, group_id):
        if not self._has_hooks_for_group(group_id):
            self._watches.pop(group_id, None)
            self._group_members.pop(group_id, None)

    def unwatch_join_group(self, group_id, callback):
        coordination.CoordinationDriver.unwatch_join_group(
            self, group_id, callback)
        self._drop_watch(group_id)

    def unwatch_leave_group(self, group_id, callback):
        coordination.CoordinationDriver.unwatch_leave_group(
            self, group_id, callback)
        self._drop_watch(group_id)

    def run_watchers(self, timeout=None):
        result = []
        for group_id in list(self._watches):
            result.extend(self._run_group(group_id, self._watches[group_id]))
        result.extend(self.run_elect_coordinator())
        return result

    def _run_group(self, group_id, watch):
        name = names.encode(group_id)
        try:
            page = self._client.list_events(name, since=watch.revision,
                                            timeout=0)
        except exceptions.GroupNotFound:
            # Gone: everyone left. A group created again starts at 0.
            watch.revision = 0
            return self._apply_snapshot(group_id, watch, set())
        except exceptions.RevisionCompacted:
            LOG.warning('Events of group %s compacted: listing again',
                        name)
            revision = self._client.list_events(name, timeout=0)['revision']
            result = self._apply_snapshot(group_id, watch,
                                          self._list_member_ids(name))
            watch.revision = revision
            return result
        result = []
        for event in page['events']:
            watch.revision = event['revision']
            member_id = names.decode(event['member_id'])
            if event['type'] == 'joined' and member_id not in watch.members:
                result.extend(self._joined(group_id, watch, member_id))
            elif event['type'] in LEFT and member_id in watch.members:
                result.extend(self._left(group_id, watch, member_id))
        if not page['events']:
            watch.revision = max(watch.revision, page['revision'])
        return result

    def _apply_snapshot(self, group_id, watch, members):
        result = []
        for member_id in members - watch.members:
            result.extend(self._joined(group_id, watch, member_id))
        for member_id in watch.members - members:
            result.extend(self._left(group_id, watch, member_id))
        return result

    def _joined(self, group_id, watch, member_id):
        watch.members.add(member_id)
        return self._hooks_join_group[group_id].run(
            coordination.MemberJoinedGroup(group_id, member_id)) if (
            group_id in self._hooks_join_group) else []

    def _left(self, group_id, watch, member_id):
        watch.members.discard(member_id)
        if member_id == self._member_id:
            # Booted out (by another coordinator of the same id, or
            # expiry): we are no longer a member.
            self._joined_groups.discard(group_id)
        return self._hooks_leave_group[group_id].run(
            coordination.MemberLeftGroup(group_id, member_id)) if (
            group_id in self._hooks_leave_group) else []

    # -- elections ------------------------------------------------------

    def run_elect_coordinator(self):
        """Enter the election of every group with an elected hook, and
        fire the hooks once for each term this coordinator leads.
        """
        result = []
        me = names.encode(self._member_id)
        for group_id, hooks in list(self._hooks_elected_leader.items()):
            if not hooks:
                continue
            name = names.encode(group_id)
            try:
                if group_id not in self._candidacies:
                    candidate = self._client.enter_election(
                        name, me, session=self._session_id)
                    self._candidacies.add(group_id)
                    if not candidate['leader']:
                        continue
                leader = self._client.get_leader(name)
            except (exceptions.NoLeader, exceptions.GroupNotFound) as e:
                LOG.debug('No election in %s: %s', name, e)
                continue
            if leader['id'] != me:
                continue
            if self._terms.get(group_id) == leader['term']:
                continue
            self._terms[group_id] = leader['term']
            result.extend(hooks.run(
                coordination.LeaderElected(group_id, self._member_id)))
        return result

    def unwatch_elected_as_leader(self, group_id, callback):
        super().unwatch_elected_as_leader(group_id, callback)
        if group_id not in self._hooks_elected_leader and (
                group_id in self._candidacies):
            # Nobody listens any more: leave the election.
            self._candidacies.discard(group_id)
            self._terms.pop(group_id, None)
            try:
                self._client.withdraw(names.encode(group_id),
                                      names.encode(self._member_id))
            except exceptions.NotFound:
                pass

    def stand_down_group_leader(self, group_id):
        with self._translate(group_id):
            try:
                self._client.stand_down(names.encode(group_id),
                                        names.encode(self._member_id))
            except (exceptions.NotLeader, exceptions.CandidateNotFound):
                return False
        return True

    def _get_leader(self, group_id):
        with self._translate(group_id):
            try:
                leader = self._client.get_leader(names.encode(group_id))
            except exceptions.NoLeader:
                return None
        return names.decode(leader['id'])
