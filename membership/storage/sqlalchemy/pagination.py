"""Keyset pagination: a sort key, a unique tie-breaker and a marker."""
import sqlalchemy as sa

from membership.storage import exceptions
from membership.storage import records


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


def fetch(conn, query, page, size_column):
    """The page's rows (records.Items), read one batch at a time and
    cut before the row whose ``size_column`` would take the page past
    ``page.max_bytes``: a page never holds more in memory than that.
    """
    rows = records.Items()
    total = 0
    result = conn.execute(query, execution_options={
        'stream_results': True, 'max_row_buffer': 64})
    try:
        for row in result:
            total += len(row._mapping[size_column])
            if rows and page.max_bytes and total > page.max_bytes:
                rows.cut = True
                break
            rows.append(row)
    finally:
        result.close()
    return rows


def converted(rows, convert):
    """Records of ``rows`` (records.Items, cut where they were)."""
    found = records.Items(convert(row) for row in rows)
    found.cut = rows.cut
    return found
