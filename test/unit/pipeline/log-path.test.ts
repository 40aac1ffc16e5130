import { describe, expect, it } from 'vitest';
import { pathForLogs } from '../../../src/pipeline/log-path.js';

describe('the path logs show', () => {
  it.each([
    ['/v1/chat/completions', '/v1/chat/completions'],
    ['/v1beta/models', '/v1beta/models'],
    ['/api/chat', '/api/chat'],
    ['/v1/chat/completions?api_key=SECRET', '/v1/chat/completions'],
    ['/v1/models/gpt-4o-mini', '/v1/models/*'],
    ['/v1/files/file-abc123/content', '/v1/files/*/content'],
    ['/bot123456:AAHsecret/sendMessage', '/*/sendMessage'],
    ['/x/SuperLongSegmentThatCouldBeAnythingAtAll/y', '/x/*/y'],
    ['/a/b/c/d/e/f/g/h/i/j', '/a/b/c/d/e/f/g/h/…'],
    ['/', '/'],
    ['/v1/', '/v1/'],
  ])('%s → %s', (raw, shown) => expect(pathForLogs(raw)).toBe(shown));
});
