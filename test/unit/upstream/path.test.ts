import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalisePath } from '../../../src/upstream/path.js';

describe('normalisePath', () => {
  it.each([
    ['/v1/chat/completions', '/v1/chat/completions'],
    ['/v1/chat/%63ompletions', '/v1/chat/completions'],
    ['/v1/%63%68at/completions?x=%2F', '/v1/chat/completions?x=%2F'],
    ['/v1/chat/./completions', '/v1/chat/completions'],
    ['/v1/x/../chat/completions', '/v1/chat/completions'],
    ['/v1/x/%2e%2E/chat/completions', '/v1/chat/completions'],
    ['/v1/models/a%20b', '/v1/models/a%20b'],
    ['/v1/models/a%3a', '/v1/models/a%3A'],
    ['/v1/chat/completions/.', '/v1/chat/completions/'],
    ['/a/b/..', '/a/'],
    ['/', '/'],
  ])('%s → %s', (raw, want) => {
    expect(normalisePath(raw)).toEqual({ ok: true, path: want });
  });

  it.each([
    ['/v1/chat%2Fcompletions', 'encoded'],
    ['/v1/chat%5ccompletions', 'encoded'],
    ['/v1\\chat/completions', 'backslash'],
    ['/../v1/chat/completions', 'above the root'],
    ['/v1/%2e%2e/%2e%2e/etc', 'above the root'],
    ['/v1/%zz', 'malformed'],
    ['/v1/%4', 'malformed'],
    ['v1/chat', 'start with'],
  ])('%s is refused (%s)', (raw, reason) => {
    const r = normalisePath(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('reads a path as it is only when decoding it would change nothing', () => {
    // A path with an escape takes the decoding path: the same path with one `a` spelled `%61`
    // must normalise as the plain one does (the shortcut for plain paths changes nothing).
    const segment = fc.constantFrom('a', 'b', '.', '..', '', 'x.y', '.a', 'a.', '...', 'v1');
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('', '?q=.'),
        (segs, query) => {
          const plain = `/${segs.join('/')}${query}`;
          const i = plain.indexOf('a');
          fc.pre(i !== -1 && i < plain.length - query.length);
          const escaped = `${plain.slice(0, i)}%61${plain.slice(i + 1)}`;
          expect(normalisePath(plain)).toEqual(normalisePath(escaped));
        },
      ),
      { numRuns: 500 },
    );
  });
});
