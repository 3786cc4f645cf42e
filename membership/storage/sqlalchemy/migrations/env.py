from alembic import context

from membership.storage.sqlalchemy import tables

connection = context.config.attributes['connection']
context.configure(connection=connection, target_metadata=tables.metadata,
                  render_as_batch=connection.dialect.name == 'sqlite')
with context.begin_transaction():
    context.run_migrations()
