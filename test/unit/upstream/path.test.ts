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
});
