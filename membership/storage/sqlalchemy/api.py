"""The SQL storage driver: one object per process, shared by threads."""
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import groups
from membership.storage.sqlalchemy import members


class Storage(groups.GroupStorage, members.MemberStorage):

    def __init__(self, conf):
        self.conf = conf
        self.engine = engine.create_engine(conf)
        self.tx = engine.Transactions(self.engine)

    def dispose(self):
        self.engine.dispose()
