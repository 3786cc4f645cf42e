from membership.api.controllers.v1 import groups  # noqa: F401
from membership.api.controllers.v1 import sessions  # noqa: F401
