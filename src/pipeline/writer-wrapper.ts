/** A `ResponseWriter` that hands everything to another one; wrappers override what they change. */
import type { ResponseWriter } from './io.js';

export class WriterWrapper implements ResponseWriter {
  constructor(protected readonly out: ResponseWriter) {}

  head(status: number, headers: Record<string, string | string[]>): void {
    this.out.head(status, headers);
  }

  write(chunk: Buffer | string): boolean {
    return this.out.write(chunk);
  }

  drain(): Promise<void> {
    return this.out.drain();
  }

  end(chunk?: Buffer | string): void {
    this.out.end(chunk);
  }

  abort(): void {
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
