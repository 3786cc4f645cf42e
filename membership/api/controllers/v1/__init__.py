from membership.api.controllers.v1 import groups  # noqa: F401
