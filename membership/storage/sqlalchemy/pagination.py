"""Keyset pagination: a sort key, a unique tie-breaker and a marker."""
import sqlalchemy as sa

from membership.storage import exceptions


def paginate(query, page, sort_columns, unique_column, marker_row):
    """Order ``query`` by the page's sort key then ``unique_column`` and
    start after ``marker_row`` (a row holding the marker's sort values).
    """
    key = sort_columns[page.sort_key]
    desc = page.sort_dir == 'desc'
    order = ((key.desc(), unique_column.desc()) if desc
             else (key, unique_column))
    if key is not unique_column:
        query = query.order_by(*order)
    else:
        query = query.order_by(order[0])
    if marker_row is not None:
        mkey, mid = marker_row
        after = (lambda c, v: c < v) if desc else (lambda c, v: c > v)
        if key is unique_column:
            query = query.where(after(key, mid))
        else:
            query = query.where(sa.or_(
                after(key, mkey),
                sa.and_(key == mkey, after(unique_column, mid))))
    return query.limit(page.limit)


def marker_values(conn, query, page, sort_columns, unique_column):
    """The marker's (sort value, unique value), or MarkerNotFound."""
    if page.marker is None:
        return None
    key = sort_columns[page.sort_key]
    row = conn.execute(query.with_only_columns(key, unique_column)
                       .where(unique_column == page.marker)).first()
    if row is None:
        raise exceptions.MarkerNotFound(page.marker)
    return tuple(row)
