/**
 * A response whose head waits for its first body byte. Until then the head is still the
 * pipeline's to change: a stream that a rule blocks before anything was released is answered
 * as a plain error (status, `x-coalmine-decision: block`, the provider's error body) instead
 * of a 200 that ends in an in-band error.
 */
import type { ResponseWriter } from './io.js';

type Headers = Record<string, string | string[]>;

export class DeferredHead implements ResponseWriter {
  private pending: { status: number; headers: Headers } | undefined;

  constructor(private readonly out: ResponseWriter) {}

  head(status: number, headers: Headers): void {
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

  write(chunk: Buffer | string): boolean {
    this.flush();
    return this.out.write(chunk);
  }

  drain(): Promise<void> {
    return this.out.drain();
  }

  end(chunk?: Buffer | string): void {
    this.flush();
    this.out.end(chunk);
  }

  abort(): void {
    this.flush();
    this.out.abort();
  }

  get headersSent(): boolean {
    return this.out.headersSent;
  }

  onClientGone(listener: () => void): void {
    this.out.onClientGone(listener);
  }

  get clientGone(): boolean {
    return this.out.clientGone;
  }
}
