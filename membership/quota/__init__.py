"""Per-project quotas: the limits (``limits``) and who sets them
(``enforcers``: Keystone's unified limits through oslo.limit, or the
``[quota]`` options).
"""
