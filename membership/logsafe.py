"""Client-controlled text on its way to a log line.

A request's path, query or header can hold line breaks and other
control characters: written as they are, they forge log lines. They are
escaped as Python does in ``repr`` (``\\n``, ``\\x1b``, ``\\u2028``).
"""
_PRINTABLE_ASCII = frozenset(chr(c) for c in range(0x20, 0x7f)) - {'\\'}


def text(value):
    """``value`` as one printable line (None stays None)."""
    if value is None:
        return None
    value = str(value)
    # The common case in C: printable ASCII (no controls), no backslash.
    if value.isascii() and value.isprintable() and '\\' not in value:
        return value
    return ''.join(char if char in _PRINTABLE_ASCII or (
        char.isprintable() and char != '\\' and ord(char) > 0x7f)
        else _escaped(char) for char in value)


def _escaped(char):
    if char == '\\':
        return '\\\\'
    if char.isascii():
        return repr(char)[1:-1]
    code = ord(char)
    return f'\\u{code:04x}' if code <= 0xffff else f'\\U{code:08x}'
