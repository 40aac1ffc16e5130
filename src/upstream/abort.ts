import { EventEmitter } from 'node:events';
import type { CoalmineError } from '../errors.js';

/**
 * Cancels one upstream call and remembers why. An EventEmitter, which undici accepts as a
 * `signal`: cheaper per request than an AbortController and its EventTarget.
 */
export class Abort extends EventEmitter {
  reason: CoalmineError | undefined;

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  /** The first reason wins; later calls do nothing. */
  abort(reason: CoalmineError): void {
    if (this.reason) return;
    this.reason = reason;
    this.emit('abort');
  }
}
