import type { SimAnswer, SimPrompt } from '../answer.js';

/** One wire format the simulator speaks. */
export interface SimFormat {
  matches(method: string, path: string): boolean;
  parse(
    body: unknown,
  ): SimPrompt & { stream: boolean; includeUsage: boolean; tag: string | undefined };
  /** A complete non-streamed response body. */
  json(a: SimAnswer): string;
  /** The stream's frames in order, each complete (terminator included unless `noDone`). */
  frames(a: SimAnswer, o: { chunks: number; includeUsage: boolean; noDone: boolean }): string[];
  streamContentType: string;
  /** A frame that is not valid for the format. */
  malformedFrame: string;
  /** An error body in the format's shape; `code` is a stable code where the shape has one. */
  error(status: number, message: string, code?: string): string;
}
