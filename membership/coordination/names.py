"""tooz ids (bytes) <-> API names, both ways, losslessly.

The API accepts names matching ``^[A-Za-z0-9][A-Za-z0-9._:@-]{0,254}$``.
An id whose bytes are ASCII, already match that rule and do not start
with ``b64:`` is used as it is, so uuids and ordinary names stay
readable in the API and the CLI. Any other id becomes ``b64:`` followed
by its unpadded base64url form (RFC 4648 section 5: letters, digits,
``-`` and ``_``), which matches the rule too. Such ids may be up to 188
bytes long (``4 + ceil(188 * 4 / 3) = 255``).

A ``str`` id is taken as its UTF-8 bytes and comes back as bytes.
"""
import base64
import re

NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._:@-]{0,254}$')
PREFIX = 'b64:'


def encode(value):
    """The API name for a tooz id (bytes or str)."""
    if isinstance(value, str):
        value = value.encode('utf-8')
    if not isinstance(value, bytes):
        raise TypeError(f'tooz ids are bytes, not {type(value).__name__}')
    try:
        text = value.decode('ascii')
    except UnicodeDecodeError:
        text = None
    if text is not None and NAME.match(text) and not text.startswith(PREFIX):
        return text
    name = PREFIX + base64.urlsafe_b64encode(value).rstrip(b'=').decode()
    if len(name) > 255:
        raise ValueError(f'id of {len(value)} bytes is too long: at most '
                         '255 ASCII name characters or 188 other bytes')
    return name


def decode(name):
    """The tooz id (bytes) an API name stands for."""
    if name.startswith(PREFIX):
        data = name[len(PREFIX):]
        return base64.urlsafe_b64decode(data + '=' * (-len(data) % 4))
    return name.encode('ascii')
