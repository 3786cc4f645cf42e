"""Print the import graph of the membership package and its cycles.

    python tools/import_graph.py [--cycles]

One line per module: the membership modules it imports. Exits 1 when
the graph has a cycle (each printed as ``cycle: a -> b -> a``).
"""
import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def modules(package='membership'):
    for path in sorted((ROOT / package).rglob('*.py')):
        parts = path.relative_to(ROOT).with_suffix('').parts
        if parts[-1] == '__init__':
            parts = parts[:-1]
        yield '.'.join(parts), path


def imports(path, known):
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            # "from a import b" depends on a.b when b is a module, else
            # on a (for its attribute b).
            names = [f'{node.module}.{alias.name}'
                     if f'{node.module}.{alias.name}' in known
                     else node.module for alias in node.names]
        found.update(name for name in names if name in known)
    return found


def graph():
    paths = dict(modules())
    return {name: imports(path, paths) - {name}
            for name, path in paths.items()}


def cycles(edges):
    """Every elementary cycle found by depth-first search, once each."""
    found, seen = [], set()

    def visit(node, stack):
        for target in sorted(edges[node]):
            if target in stack:
                cycle = stack[stack.index(target):] + [target]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    found.append(cycle)
            elif len(stack) < 50:
                visit(target, stack + [target])

    for node in sorted(edges):
        visit(node, [node])
    return found


def main():
    edges = graph()
    if '--cycles' not in sys.argv:
        for name in sorted(edges):
            print(f"{name}: {' '.join(sorted(edges[name]))}")
    found = cycles(edges)
    for cycle in found:
        print('cycle: ' + ' -> '.join(cycle))
    print(f'{len(edges)} modules, '
          f'{sum(len(v) for v in edges.values())} imports, '
          f'{len(found)} cycles')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
