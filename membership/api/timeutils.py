import datetime

EPOCH = datetime.datetime(1970, 1, 1)


def iso(microseconds):
    """ISO 8601 UTC with a Z, from integer microseconds since the epoch."""
    if microseconds is None:
        return None
    moment = EPOCH + datetime.timedelta(microseconds=microseconds)
    # isoformat is strftime('%Y-%m-%dT%H:%M:%S.%f') at a fraction of
    # its cost (a list renders four a member).
    return moment.isoformat(timespec='microseconds') + 'Z'
