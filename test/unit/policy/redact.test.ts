import { describe, expect, it } from 'vitest';
import { redactText } from '../../../src/policy/redact.js';

describe('redaction', () => {
  it.each([
    [
      'one span',
      'my key is SECRET!',
      [{ start: 10, end: 16, rule: 'k' }],
      'my key is [REDACTED:k]!',
    ],
    [
      'two spans',
      'A and B',
      [
        { start: 6, end: 7, rule: 'b' },
        { start: 0, end: 1, rule: 'a' },
      ],
      '[REDACTED:a] and [REDACTED:b]',
    ],
    [
      'overlapping spans merge',
      'xxSECRETyy',
      [
        { start: 2, end: 6, rule: 'a' },
        { start: 4, end: 8, rule: 'b' },
      ],
      'xx[REDACTED:a]yy',
    ],
    [
      'contained span',
      'xxSECRETyy',
      [
        { start: 2, end: 8, rule: 'a' },
        { start: 3, end: 5, rule: 'b' },
      ],
      'xx[REDACTED:a]yy',
    ],
    [
      'adjacent spans stay apart',
      'ab',
      [
        { start: 0, end: 1, rule: 'a' },
        { start: 1, end: 2, rule: 'b' },
      ],
      '[REDACTED:a][REDACTED:b]',
    ],
    ['whole text', 'SECRET', [{ start: 0, end: 6, rule: 's' }], '[REDACTED:s]'],
    ['no spans', 'plain', [], 'plain'],
  ])('%s', (_n, text, spans, expected) => {
    expect(redactText(text, spans)).toBe(expected);
  });
});
