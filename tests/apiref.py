"""What api-ref/source documents, read from its text: the routes
(``rest_method`` lines) and the error codes (the table of errors.inc).

Tests check the service against these, so a route or a code the code
has and the reference lacks (or the other way round) is a failure.
"""
import glob
import os
import re

SOURCE = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'api-ref', 'source')

_REST_METHOD = re.compile(r'^\.\. rest_method:: ([A-Z]+) (\S+)$')
_CODE_ROW = re.compile(r'^   \* - ``(membership\.[a-z_]+)``$')
_STATUS_CELL = re.compile(r'^     - (.+)$')


def routes():
    """{(method, path template)} of every ``rest_method`` line."""
    found = set()
    for path in glob.glob(os.path.join(SOURCE, '*.inc')):
        with open(path) as f:
            for line in f:
                match = _REST_METHOD.match(line.strip())
                if match:
                    found.add((match.group(1), match.group(2)))
    return found


def error_codes():
    """{code: statuses} of the error table, ``statuses`` a set of ints,
    or None where the table says ``any``.
    """
    codes = {}
    with open(os.path.join(SOURCE, 'errors.inc')) as f:
        lines = f.read().splitlines()
    for number, line in enumerate(lines):
        match = _CODE_ROW.match(line)
        if not match:
            continue
        cell = _STATUS_CELL.match(lines[number + 1]).group(1).strip()
        codes[match.group(1)] = (None if cell == 'any' else
                                 {int(s) for s in cell.split(',')})
    return codes
