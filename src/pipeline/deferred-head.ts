/**
 * A response whose head waits for its first body byte. Until then the head is still the
 * pipeline's to change: a stream that a rule blocks before anything was released is answered
 * as a plain error (status, `x-coalmine-decision: block`, the provider's error body) instead
 * of a 200 that ends in an in-band error.
 */
import { WriterWrapper } from './writer-wrapper.js';

type Headers = Record<string, string | string[]>;

export class DeferredHead extends WriterWrapper {
  private pending: { status: number; headers: Headers } | undefined;

  override head(status: number, headers: Headers): void {
    this.pending = { status, headers };
  }

  /** Whether nothing was written yet, so the head may still be replaced (`replace`). */
  get open(): boolean {
    return this.pending !== undefined && !this.out.headersSent;
  }

  /** Answers with another head and `body` instead of the deferred head and stream. */
  replace(status: number, headers: Headers, body: string): void {
    this.pending = undefined;
    this.out.head(status, headers);
    this.out.end(body);
  }

  private flush(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.out.head(p.status, p.headers);
  }

  override write(chunk: Buffer | string): boolean {
    this.flush();
    return this.out.write(chunk);
  }

  override end(chunk?: Buffer | string): void {
    this.flush();
    this.out.end(chunk);
  }

  override abort(): void {
    this.flush();
    this.out.abort();
  }
}
