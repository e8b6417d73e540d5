"""The guide's EventDeduplicator.generate_fingerprint, run by real Python, for the fingerprint tests.

  python3 python_fingerprints.py < texts.json        JSON array of event texts in, [{text, canonical, fingerprint}] out
  python3 python_fingerprints.py --random N SEED     N random event texts (the forms Python services write and
                                                     json.loads accepts) with their canonical text and fingerprint

Only the standard library: Debian's /usr/bin/python3 has it (guide_apps.py loads without redis-py).
"""
import hashlib
import json
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guide_apps import EventDeduplicator  # noqa: E402  the guide's class, as the guide writes it


def vector(text):
    event = json.loads(text)
    fingerprint = EventDeduplicator.generate_fingerprint(event)
    # The text it hashes (the guide's json.dumps of the four fields), to show where a difference is.
    canonical = json.dumps({k: event.get(k, {} if k == 'data' else None) for k in ('event_type', 'user_id', 'entity_id', 'data')}, sort_keys=True)
    assert hashlib.sha256(canonical.encode()).hexdigest()[:32] == fingerprint
    return {'text': text, 'canonical': canonical, 'fingerprint': fingerprint}


# ---- random texts: numbers, strings, nesting and spacing as Python's json.dumps (and hand-written JSON) give them

NUMBERS = ['12.0', '-0.0', '-0', '0', '0.0', '1e+21', '1E400', '-1e400', '1e-400', '123456789012345678',
           '9007199254740993', '-9007199254740993', '0.1', '1.5e-7', '1e16', '1e15', '9999999999999999.0', '1E5',
           '1e-5', '0.0001', '0.00001', '5e-324', '1.7976931348623157e308', '2.5E+3', 'NaN', 'Infinity',
           '-Infinity', '100.50', '1.0000000000000001', '123e-2']


def rnum(r):
    k = r.randrange(10)
    if k == 0: return str(r.randint(-10**30, 10**30))
    if k == 1: return r.choice(NUMBERS)
    if k == 2: return repr(r.uniform(-1e6, 1e6))
    if k == 3: return '%de%d' % (r.randint(-99, 99), r.randint(-330, 330))
    if k == 4: return '%d.%de%+d' % (r.randint(-99, 99), r.randint(0, 999999), r.randint(-30, 30))
    if k == 5: return str(r.randint(-2**64, 2**64)) + '.' + '0' * r.randint(1, 3)
    if k == 6: return repr(r.random() * 10 ** r.randint(-30, 30))
    if k == 7: return str(r.randint(2**53 - 5, 2**53 + 5) * r.choice([1, -1]))
    return str(r.randint(-1000, 1000))


def rstr(r):
    out = []
    for _ in range(r.randint(0, 8)):
        k = r.randrange(7)
        if k == 0: out.append(r.choice(['\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t']))
        elif k == 1: out.append('\\u%04x' % r.randrange(0x10000))
        elif k == 2: out.append(chr(r.choice([0x7f, 0x80, 0xe9, 0x4e2d, 0xff01, 0x1F600, 0x10FFFF, 0x1D11E])))
        elif k == 3: out.append('\\ud83d\\ude00')
        else: out.append(r.choice('abcXYZ _-09<>&\'$'))
    return '"' + ''.join(out) + '"'


def ws(r):
    return r.choice(['', '', ' ', '\n', '\t', '\r\n  '])


def rval(r, depth):
    k = r.randrange(10 if depth < 4 else 5)
    if k < 2: return rnum(r)
    if k < 4: return rstr(r)
    if k == 4: return r.choice(['true', 'false', 'null'])
    if k < 7: return '[' + ws(r) + (',' + ws(r)).join(rval(r, depth + 1) for _ in range(r.randint(0, 4))) + ws(r) + ']'
    return robj(r, depth + 1)


def robj(r, depth, top=False):
    keys = [rstr(r) for _ in range(r.randint(0, 5))]
    if top:
        keys += [f for f in ['"event_type"', '"user_id"', '"entity_id"', '"data"', '"event_id"'] if r.random() < 0.7]
        r.shuffle(keys)
    if keys and r.random() < 0.2:
        keys.append(r.choice(keys))  # a repeated key: json.loads keeps the last value
    return '{' + ','.join(ws(r) + k + ws(r) + ':' + ws(r) + rval(r, depth) for k in keys) + ws(r) + '}'


def random_vectors(n, seed):
    r = random.Random(seed)
    out = []
    while len(out) < n:
        text = robj(r, 0, True)
        try:
            out.append(vector(text))
        except ValueError:
            pass  # json.loads refused it (e.g. an int beyond 4300 digits): not a case
    return out


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--random':
        result = random_vectors(int(sys.argv[2]), int(sys.argv[3]))
    else:
        result = [vector(t) for t in json.load(sys.stdin)]
    json.dump(result, sys.stdout)
