"""WSGI filters of the API, one concern each (see api-paste.ini)."""
