"""The HTTP server of ``membership-api``: gunicorn with gevent workers.

See doc/source/admin/server.rst for why this server and these settings.
"""
