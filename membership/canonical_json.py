"""The one serialization of stored JSON documents (metadata,
capabilities): compact and with sorted keys, so equal documents are
equal text and their size is what the limits count.
"""
import json


def dumps(value):
    return json.dumps(value, separators=(',', ':'), sort_keys=True,
                      allow_nan=False)
