"""The one table of ``tox -e bench``: each figure, its target, its ratio
to the bare-app limits; as text, as JSON and as plots.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, 'results')
SIZES = (100, 10000, 100000)


def _rps(figures, name):
    return (figures.get(name) or {}).get('rps')


def _flat(figures, operation):
    rates = [_rps(figures, f'{operation} n{size}') for size in SIZES]
    if None in rates:
        return None
    return max(rates) / min(rates) - 1


def _ratio(value, reference):
    return None if value is None or not reference else value / reference


def targets(figures):
    """(figure, measured, unit, target text, met) for every target."""
    rps = lambda name: _rps(figures, name)  # noqa: E731
    p99 = lambda name: (figures.get(name) or {}).get('p99')  # noqa: E731
    flask = rps('flask gunicorn-gevent')
    bare = rps('bare gunicorn-gevent')
    rows = [
        ('heartbeat (member)', rps('heartbeat'), '/s', '>= 8000',
         lambda v: v >= 8000),
        ('heartbeat p99', p99('heartbeat'), 'ms', '< 10', lambda v: v < 10),
        ('heartbeat (session)', rps('session heartbeat'), '/s', '>= 8000',
         lambda v: v >= 8000),
        ('heartbeat / Flask reference', _ratio(rps('heartbeat'), flask), 'x',
         '>= 4', lambda v: v >= 4),
        ('heartbeat / bare app, same server', _ratio(rps('heartbeat'), bare),
         'x', '>= 0.10', lambda v: v >= 0.10),
        ('heartbeat keystone / noauth',
         _ratio(rps('heartbeat keystone'), rps('heartbeat')), 'x', '>= 0.85',
         lambda v: v >= 0.85),
        ('heartbeat PostgreSQL', rps('heartbeat PostgreSQL'), '/s',
         '>= 4000', lambda v: v >= 4000),
        ('join', rps('join'), '/s', '>= 2500', lambda v: v >= 2500),
        ('leave', rps('leave'), '/s', '>= 2500', lambda v: v >= 2500),
        ('GET member', rps('GET member'), '/s', '>= 6000',
         lambda v: v >= 6000),
        ('list 1000 of 10000, p50',
         (figures.get('list 1000 of 10000') or {}).get('p50'), 'ms', '< 10',
         lambda v: v < 10),
        ('walk of 100000', (figures.get('walk 100000') or {}).get('ms'),
         'ms', '< 1000', lambda v: v < 1000),
    ]
    for operation in ('heartbeat', 'join', 'leave', 'GET member'):
        rows.append((f'{operation}: spread over 100..100000 members',
                     _flat(figures, operation), 'x-1', '<= 0.10',
                     lambda v: v <= 0.10))
    for operation in ('heartbeat', 'join'):
        one = rps(f'{operation} 1 process')
        rows.append((f'{operation}: 2 processes / 1 process',
                     _ratio(rps(operation), one), 'x', '>= 0.80',
                     lambda v: v >= 0.80))
    return [(name, value, unit, target,
             None if value is None else bool(met(value)))
            for name, value, unit, target, met in rows]


def table(figures):
    rows = targets(figures)
    bare = _rps(figures, 'bare gunicorn-gevent')
    fastest = max(filter(None, (_rps(figures, 'bare gunicorn-gevent'),
                                _rps(figures, 'bare uwsgi'))), default=None)
    print(f'\nbare app: gunicorn-gevent {bare and round(bare)}/s, fastest '
          f'{fastest and round(fastest)}/s (wrk itself is not the limit '
          f'below these)')
    print(f'{"figure":48s} {"measured":>12s} {"target":>9s}  met  '
          f'{"/bare":>6s} {"/fastest":>8s}')
    for name, value, unit, target, met in rows:
        shown = '-' if value is None else f'{value:,.2f} {unit}'
        ratios = ('', '')
        if unit == '/s' and value is not None:
            ratios = (f'{value / bare:.3f}' if bare else '',
                      f'{value / fastest:.3f}' if fastest else '')
        verdict = {True: 'yes', False: 'NO', None: 'n/a'}[met]
        print(f'{name:48s} {shown:>12s} {target:>9s}  {verdict:3s}  '
              f'{ratios[0]:>6s} {ratios[1]:>8s}')
    return rows


def write(figures, rows):
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, 'bench.json'), 'w') as f:
        json.dump({'figures': figures, 'targets': [
            dict(zip(('figure', 'measured', 'unit', 'target', 'met'), row))
            for row in rows]}, f, indent=2, sort_keys=True)
    _plots(figures)
    print(f'\nwritten: {RESULTS}/bench.json, group-size.png, '
          f'connections.png')


def _plots(figures):
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot

    def plot(name, xs, series, xlabel):
        fig, (top, bottom) = pyplot.subplots(2, 1, figsize=(7, 7),
                                             sharex=True)
        for label, keys in series.items():
            runs = [figures.get(key) or {} for key in keys]
            top.plot(xs, [r.get('rps') for r in runs], marker='o',
                     label=label)
            bottom.plot(xs, [r.get('p99') for r in runs], marker='o',
                        label=label)
        top.set_ylabel('requests/s')
        bottom.set_ylabel('p99 (ms)')
        bottom.set_xlabel(xlabel)
        for axis in (top, bottom):
            axis.set_xscale('log')
            axis.grid(True, alpha=0.3)
        top.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(RESULTS, name))
        pyplot.close(fig)

    plot('group-size.png', SIZES,
         {op: [f'{op} n{size}' for size in SIZES]
          for op in ('heartbeat', 'join', 'leave', 'GET member')},
         'members in the group')
    connections = (1, 2, 4, 8, 16, 32, 64)
    plot('connections.png', connections,
         {'heartbeat': [f'heartbeat c{c}' for c in connections]},
         'connections')
