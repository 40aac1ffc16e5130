/**
 * The process-wide budget of request body bytes held in memory (`limits.request_bytes_in_flight`).
 * `limits.request_body` bounds one request; this bounds all of them together, so a burst of
 * large uploads is answered 503 instead of growing the heap until the process dies.
 */
export class RequestBudget {
  private used = 0;

  constructor(readonly capacity: number) {}

  /** Bytes reserved by requests now in flight. */
  get inFlight(): number {
    return this.used;
  }

  /** A reservation for one request, empty until it takes bytes. */
  open(): Reservation {
    return new Reservation(this);
  }

  /** @internal Takes `n` bytes if they fit; takes nothing otherwise. */
  take(n: number): boolean {
    if (this.used + n > this.capacity) return false;
    this.used += n;
    return true;
  }

  /** @internal */
  give(n: number): void {
    this.used -= n;
  }
}

/** What one request holds of the budget; released in one go when the request is over. */
export class Reservation {
  private held = 0;
  private released = false;

  constructor(private readonly budget: RequestBudget) {}

  /** Reserves `n` more bytes; false (nothing reserved) when the budget cannot spare them. */
  take(n: number): boolean {
    if (this.released || !this.budget.take(n)) return false;
    this.held += n;
    return true;
  }

  /** Gives back everything held; later calls, and later `take`s, do nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.held);
    this.held = 0;
  }
}
