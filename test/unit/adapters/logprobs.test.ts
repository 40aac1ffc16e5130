/**
 * Log-probability tokens must spell the text they repeat, byte for byte: a token that is part
 * of a multi-byte character is written as byte escapes, and its bytes are what count.
 */
import { describe, expect, it } from 'vitest';
import {
  chatLogprobsMatch,
  completionLogprobsMatch,
} from '../../../src/adapters/openai-chat/logprobs.js';

const tok = (token: string, bytes?: number[] | null) => ({
  token,
  logprob: -0.1,
  bytes: bytes === undefined ? [...Buffer.from(token)] : bytes,
  top_logprobs: [],
});

describe('chat logprobs', () => {
  it.each([
    ['plain tokens', [tok('Hel'), tok('lo')], 'Hello', true],
    ['bytes null', [tok('Hel', null), tok('lo', null)], 'Hello', true],
    [
      'an emoji in byte escapes',
      [tok('\\xf0\\x9f', [0xf0, 0x9f]), tok('\\x9a\\x80', [0x9a, 0x80])],
      '🚀',
      true,
    ],
    ['escapes without bytes', [tok('\\xf0\\x9f', null), tok('\\x9a\\x80', null)], '🚀', true],
    [
      'escapes whose bytes differ',
      [tok('\\xf0\\x9f', [0x41, 0x4b]), tok('\\x9a\\x80')],
      '🚀',
      false,
    ],
    ['a token that says more than the text', [tok('AKIAQYLPMN5HHHFPZAM2')], 'key ', false],
    ['a token whose bytes say something else', [tok('key', [0x41, 0x4b, 0x49])], 'key', false],
    ['tokens that say less', [tok('Hel')], 'Hello', false],
    ['an entry without a token', [{ logprob: -1 }], '', false],
  ])('%s', (_n, content, text, ok) => {
    expect(chatLogprobsMatch({ content, refusal: null }, text, '')).toBe(ok);
  });

  it('the refusal tokens spell the refusal', () => {
    expect(chatLogprobsMatch({ content: null, refusal: [tok('No')] }, '', 'No')).toBe(true);
    expect(chatLogprobsMatch({ content: null, refusal: [tok('No')] }, '', 'Yes')).toBe(false);
  });
});

describe('completions logprobs', () => {
  it.each([
    [['Hel', 'lo'], 'Hello', true],
    [['bytes:\\xf0\\x9f', 'bytes:\\x9a\\x80'], '🚀', true],
    [['AKIA'], 'ok', false],
  ])('%j spell %j: %s', (tokens, text, ok) => {
    expect(completionLogprobsMatch({ tokens, token_logprobs: [] }, text)).toBe(ok);
  });
});
