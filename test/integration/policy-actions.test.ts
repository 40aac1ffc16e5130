import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CHAT, chatBody, testApp } from '../helpers/app.js';
import { FakeUpstream } from '../helpers/fake-upstream.js';
import { policySetFrom } from '../helpers/policy.js';

const completion = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    ...extra,
  });

const policy = (action: string, mode = 'enforce') => `name: acceptance
mode: ${mode}
rules:
  - id: no-launch-codes
    check: regex
    params: { pattern: "LAUNCH-[0-9]{4}" }
    action: ${action}
    severity: critical
`;

function setup(action: string, content: string, opts: { mode?: string; gzip?: boolean } = {}) {
  const body = completion(content);
  const up = new FakeUpstream(() => ({
    headers: {
      'content-type': 'application/json',
      ...(opts.gzip ? { 'content-encoding': 'gzip' } : {}),
    },
    chunks: [opts.gzip ? gzipSync(body) : body],
  }));
  const policies = policySetFrom({ 'p.yaml': policy(action, opts.mode) });
  return { ...testApp({ upstream: up, policies }), body, policies };
}

describe('policy actions on complete responses', () => {
  it('block: 400 in OpenAI format, no retry, names policy and rule, never the match', async () => {
    const { post, records, policies } = setup('block', 'The code is LAUNCH-4242.');
    const res = await post(CHAT, chatBody());
    expect(res.status).toBe(400);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(res.headers.get('x-coalmine-decision')).toBe('block');
    expect(res.headers.get('x-coalmine-policy-version')).toBe(policies.version);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: {
        message:
          'Coalmine blocked this response: policy "acceptance" rule "no-launch-codes" (severity critical)',
        type: 'policy_violation',
        param: null,
        code: 'coalmine_policy_violation',
      },
    });
    expect(text).not.toContain('4242');
    expect(records[0]).toMatchObject({ status: 400, verdict: { decision: 'block' } });
  });

  it('redact: spans replaced, JSON re-serialised, content-length fixed', async () => {
    const { post } = setup('redact', 'Use LAUNCH-4242 or LAUNCH-0001, not ü.');
    const res = await post(CHAT, chatBody());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-coalmine-decision')).toBe('redact');
    const raw = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-length')).toBe(String(raw.length));
    const json = JSON.parse(raw.toString()) as {
      choices: { message: { content: string } }[];
      usage: unknown;
    };
    expect(json.choices[0]?.message.content).toBe(
      'Use [REDACTED:no-launch-codes] or [REDACTED:no-launch-codes], not ü.',
    );
    expect(json.usage).toEqual({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 });
  });

  it('redact on a gzip body sends the rewritten body decoded', async () => {
    const { post } = setup('redact', 'LAUNCH-4242', { gzip: true });
    const res = await post(CHAT, chatBody(), { 'accept-encoding': 'gzip' });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(
      ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message
        .content,
    ).toBe('[REDACTED:no-launch-codes]');
  });

  it('flag: the body is untouched, the decision recorded', async () => {
    const { post, body, records } = setup('flag', 'LAUNCH-4242');
    const res = await post(CHAT, chatBody());
    expect(res.headers.get('x-coalmine-decision')).toBe('flag');
    expect(await res.text()).toBe(body);
    expect(records[0]?.verdict?.results.find((r) => r.status === 'fail')).toMatchObject({
      rule: 'no-launch-codes',
      action: 'flag',
      mode: 'enforce',
    });
  });

  it('shadow: never alters, records what it would have done', async () => {
    const { post, body, records } = setup('block', 'LAUNCH-4242', { mode: 'shadow' });
    const res = await post(CHAT, chatBody());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-coalmine-decision')).toBe('pass');
    expect(await res.text()).toBe(body);
    expect(records[0]?.verdict?.results.find((r) => r.status === 'fail')).toMatchObject({
      action: 'block',
      mode: 'shadow',
    });
  });

  it('pass: bytes unchanged when nothing matches', async () => {
    const { post, body } = setup('block', 'all clear');
    const res = await post(CHAT, chatBody());
    expect(res.headers.get('x-coalmine-decision')).toBe('pass');
    expect(await res.text()).toBe(body);
  });
});
