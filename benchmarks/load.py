"""wrk, driven from Python: one Lua script per kind of request.

Each request kind is a Lua ``request`` function; every wrk thread gets
its own id (``setup``) so writes that need fresh names (joins) or names
used once (leaves) never collide. ``response`` counts statuses, so a run
reports how many answers were not the expected one.
"""
import os
import re
import subprocess
import tempfile

LUA = r"""
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() + tid)
  unexpected = 0
end
function response(status, headers, body)
  if status ~= %(expect)d then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
  end
  io.write(string.format("UNEXPECTED %%d\n", total))
end
local headers = {["Content-Type"] = "application/json"%(extra_headers)s}
request = function()
  counter = counter + 1
  local n = math.random(0, %(pool)d - 1)
  local unique = tid .. "-" .. counter
  local path = %(path)s
  return wrk.format("%(method)s", path, headers, %(body)s)
end
"""


def script(method, path, expect, pool=1, body='nil', headers=()):
    """A Lua script: ``path`` is a Lua expression over ``n`` (a random
    index below ``pool``) and ``unique`` (distinct per request).
    """
    extra = ''.join(f', ["{k}"] = "{v}"' for k, v in headers)
    return LUA % {'method': method, 'path': path, 'expect': expect,
                  'pool': pool, 'body': body,
                  'extra_headers': extra}


def run(url, lua, connections=16, duration='5s', threads=2):
    """wrk's figures: rps, p50/p90/p99 in ms, errors, unexpected."""
    with tempfile.NamedTemporaryFile('w', suffix='.lua',
                                     delete=False) as f:
        f.write(lua)
    try:
        out = subprocess.run(
            ['wrk', f'-t{min(threads, connections)}', f'-c{connections}',
             f'-d{duration}', '--latency', '-s', f.name, url],
            capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    return parse(out)


_UNITS = {'us': 0.001, 'ms': 1.0, 's': 1000.0, 'm': 60000.0}


def _ms(text):
    number, unit = re.match(r'([\d.]+)(\w+)', text).groups()
    return float(number) * _UNITS[unit]


def parse(out):
    figures = {'rps': float(out.split('Requests/sec:')[1].split()[0])}
    for line in out.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] in ('50%', '90%', '99%'):
            figures['p' + words[0][:-1]] = _ms(words[1])
    socket_errors = re.search(r'connect (\d+), read (\d+), write (\d+), '
                              r'timeout (\d+)', out)
    figures['errors'] = (sum(map(int, socket_errors.groups()))
                         if socket_errors else 0)
    figures['unexpected'] = int(re.search(r'UNEXPECTED (\d+)',
                                          out).group(1))
    return figures
