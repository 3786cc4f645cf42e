"""What controllers below a group share."""
from membership.api import types


class GroupScoped:
    """A controller below /v1/groups/{name}: it checks the name first."""

    def __init__(self, group):
        self.group = group

    def check_path(self):
        types.check_name('group name', self.group)
