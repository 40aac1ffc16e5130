import fc from 'fast-check';

/** Splits a string into random pieces on code-point boundaries (how a model streams it). */
export const pieces = (s: string, maxLength = 40) =>
  fc
    .array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength })
    .map((sizes) => splitBy(s, sizes));

/** Splits a string into pieces of the given code-point sizes, cycling through them. */
export function splitBy(s: string, sizes: readonly number[]): string[] {
  const cps = [...s];
  const out: string[] = [];
  for (let i = 0, k = 0; i < cps.length; k++) {
    const n = sizes[k % sizes.length]!;
    out.push(cps.slice(i, i + n).join(''));
    i += n;
  }
  return out;
}

/** Random byte chunk sizes (how the network delivers it). */
export const byteSizes = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 });

/** Splits a string into pieces of the given UTF-16 sizes, cycling: surrogate pairs get split too. */
export function splitUnits(s: string, sizes: readonly number[]): string[] {
  const out: string[] = [];
  for (let i = 0, k = 0; i < s.length; k++) {
    const n = sizes[k % sizes.length]!;
    out.push(s.slice(i, i + n));
    i += n;
  }
  return out;
}
