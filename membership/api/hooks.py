from pecan import hooks


class ServiceHook(hooks.PecanHook):
    """Hands each request the process's config, storage and enforcer."""

    def __init__(self, services):
        self.services = services

    def before(self, state):
        state.request.services = self.services
