import { describe, expect, it } from 'vitest';
import { simDetails } from '../../../src/sim/help.js';
import {
  DIRECTIVES,
  NO_SCENARIO,
  parseScenario,
  textAfterTag,
  VALID_DIRECTIVES,
} from '../../../src/sim/scenario.js';
import type { Scenario } from '../../../src/sim/scenario.js';

describe('parseScenario: valid specs', () => {
  it.each<[string | undefined, Partial<Scenario>]>([
    [undefined, {}],
    ['', {}],
    ['  ', {}],
    ['say', { say: true }],
    ['leak-secret', { leakSecret: true }],
    ['fine-tuned', { fineTuned: true }],
    ['impostor', { swapModel: true, wrongAnswers: true, drift: 100 }],
    ['drift', { drift: 100 }],
    ['drift=10', { drift: 10 }],
    ['slow=40,chunks=20', { slowMs: 40, chunks: 20 }],
    [' slow = 40 , chunks=20 ,', { slowMs: 40, chunks: 20 }],
    ['chunks=50,burst', { chunks: 50, burst: true }],
    ['error', { errorStatus: 500 }],
    ['error=429', { errorStatus: 429 }],
    ['stall=0', { stallMs: 0 }],
    ['stall-mid=3000,break-mid', { stallMidMs: 3000, breakMid: true }],
    ['size=700,gzip,no-done,malformed', { size: 700, gzip: true, noDone: true, malformed: true }],
    [
      'say,tool-call,backdoor,invisible,exfil-image',
      { say: true, toolCall: true, backdoor: true, invisible: true, exfilImage: true },
    ],
  ])('%j', (spec, expected) => {
    const r = parseScenario(spec);
    expect(r).toEqual({ ok: true, scenario: { ...NO_SCENARIO, ...expected } });
  });
});

describe('parseScenario: invalid specs are errors listing the valid directives', () => {
  it.each([
    ['chunkz=5', 'SIM_UNKNOWN_DIRECTIVE', 'chunkz=5', 0],
    ['slow=40, chunkz=5', 'SIM_UNKNOWN_DIRECTIVE', 'chunkz=5', 9],
    ['impster', 'SIM_UNKNOWN_DIRECTIVE', 'impster', 0],
    ['Say', 'SIM_UNKNOWN_DIRECTIVE', 'Say', 0],
    ['chunks=abc', 'SIM_INVALID_VALUE', 'chunks=abc', 0],
    ['chunks', 'SIM_INVALID_VALUE', 'chunks', 0],
    ['chunks=0', 'SIM_INVALID_VALUE', 'chunks=0', 0],
    ['stall=-1', 'SIM_INVALID_VALUE', 'stall=-1', 0],
    ['slow=1.5', 'SIM_INVALID_VALUE', 'slow=1.5', 0],
    ['error=200', 'SIM_INVALID_VALUE', 'error=200', 0],
    ['gzip=1', 'SIM_INVALID_VALUE', 'gzip=1', 0],
    ['drift=101', 'SIM_INVALID_VALUE', 'drift=101', 0],
  ])('%j → %s', (spec, code, directive, offset) => {
    const r = parseScenario(spec);
    expect(r).toMatchObject({ ok: false, code, directive, offset });
    if (!r.ok) {
      expect(r.message).toContain(directive);
      expect(r.message).toContain(`valid directives: ${VALID_DIRECTIVES}`);
    }
  });
});

describe('textAfterTag', () => {
  it.each([
    ['[sim:say] Hello there', 'Hello there'],
    ['[sim:say]Hello', 'Hello'],
    ['[sim:say]\n  two\nlines \n', 'two\nlines \n'],
    ['[sim:say,chunks=3] a b c', 'a b c'],
    ['[sim:say]', ''],
    ['no tag at all', 'no tag at all'],
  ])('%j → %j', (text, said) => expect(textAfterTag(text)).toBe(said));
});

describe('sim --help', () => {
  it.each(DIRECTIVES.map((d) => [d.arg ? `${d.name}=${d.arg}` : d.name, d.effect]))(
    'lists %s',
    (usage, effect) =>
      expect(simDetails()).toMatch(
        new RegExp(
          `^  ${usage.replace(/[-=]/g, '\\$&')} +${effect.replace(/[()|.+*?[\]\\]/g, '\\$&')}$`,
          'm',
        ),
      ),
  );
});
