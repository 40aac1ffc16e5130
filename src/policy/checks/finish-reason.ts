/** `finish-reason`: the provider's finish reason must not be one of the listed ones. */
import { z } from 'zod';
import { defineCheck, PASS } from './types.js';

const params = z.strictObject({
  /** Finish reasons that fail (`length`: truncated; `content_filter`: the provider filtered it). */
  deny: z.array(z.string().min(1)).min(1).default(['length', 'content_filter']),
});

export const finishReasonCheck = defineCheck({
  id: 'finish-reason',
  summary:
    'The finish reason must not be one of the listed ones (default: length, content_filter).',
  params,
  actions: ['block', 'flag'],
  create(p) {
    return {
      reads: { text: 0, toolCallArguments: false },
      // Known only when the choice ends: never holds text.
      stream: { triggers: [] },
      evaluate(input) {
        return input.finishReason && p.deny.includes(input.finishReason)
          ? { status: 'fail', spans: [], detail: `finish reason "${input.finishReason}"` }
          : PASS;
      },
    };
  },
});
