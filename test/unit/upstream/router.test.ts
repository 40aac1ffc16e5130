import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { createRouter } from '../../../src/upstream/router.js';

const { upstreams } = configSchema({ providers: ['openai'] }).parse({
  upstreams: [
    { name: 'root', url: 'http://r' },
    { name: 'a', url: 'http://a', prefix: '/a' },
    { name: 'ab', url: 'http://ab', prefix: '/a/b' },
  ],
});
const route = createRouter(upstreams);

describe('router', () => {
  it.each([
    ['/v1/chat/completions', 'root', '/v1/chat/completions'],
    ['/a/v1/chat/completions', 'a', '/v1/chat/completions'],
    ['/a/b/v1/x?y=1', 'ab', '/v1/x?y=1'],
    ['/ab/v1', 'root', '/ab/v1'],
    ['/a', 'a', '/'],
    ['/a?x=1', 'a', '/?x=1'],
  ])('%s → %s %s', (path, name, rest) => {
    const r = route(path);
    expect(r?.upstream.name).toBe(name);
    expect(r?.path).toBe(rest);
    expect(r?.pathname).toBe(rest.split('?')[0]);
  });

  it('has no route when no prefix matches', () => {
    const only = createRouter(upstreams.filter((u) => u.name === 'a'));
    expect(only('/v1/chat/completions')).toBeUndefined();
  });
});
