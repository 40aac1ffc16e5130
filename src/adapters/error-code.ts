/**
 * The stable code of a Coalmine error, for formats whose error object has no field for one
 * (Anthropic's `{type, message}`, Ollama's `{"error": "…"}`): the message starts with it in
 * brackets, `[coalmine_policy_violation] Coalmine blocked this response: …`, so a program can
 * tell a policy block from a bad request by the message alone (`/^\[([a-z0-9_]+)\] /`).
 */
import type { WireError } from './types.js';

export function codedMessage(err: WireError): string {
  return `[${err.code}] ${err.message}`;
}
