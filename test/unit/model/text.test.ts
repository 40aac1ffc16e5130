import { describe, expect, it } from 'vitest';
import { ellipsis } from '../../../src/model/text.js';

describe('ellipsis', () => {
  it.each([
    ['short enough', 'abc', 3, 'abc'],
    ['cut', 'abcdef', 3, 'abc…'],
    ['a pair at the cut is kept whole or dropped whole', `ab${'😀'}cd`, 3, 'ab…'],
    ['a pair before the cut stays', `a${'😀'}cd`, 3, `a${'😀'}…`],
  ])('%s', (_n, s, keep, want) => {
    expect(ellipsis(s, keep)).toBe(want);
  });
});
