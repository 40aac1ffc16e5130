/**
 * Runs of digits that could be phone numbers, and the shapes of numbers that are not: the cheap
 * stage before libphonenumber (support/phone.ts), which keeps its cost to the few runs that
 * look like numbers and keeps dates, versions, addresses, amounts and identifiers away from it.
 */

/** One separator between digit groups: a space, `-`, `.` or `/` (spaced or not), or a parenthesis. */
const SEP = String.raw`(?:[ \u00a0]?[-./][ \u00a0]?|[ \u00a0]|[ \u00a0]?\(|\)[ \u00a0]?[-./]?[ \u00a0]?)`;

/**
 * A run of 7+ digits with the separators phone numbers are written with, optionally after `+`
 * or `(`. It starts where no word, number or amount goes on to the left and ends where none
 * goes on to the right: never inside a longer token (a hex run, a dotted version, a decimal, a
 * time, a path), and never as a shorter prefix of a longer run (the final lookahead rejects a
 * run that a further separator and digit would extend), so each run is tried once. Bounded:
 * at most 20 digits, each a constant number of steps.
 */
export const PHONE_RUN = new RegExp(
  String.raw`(?<![\w+#$€£¥₹@.,/\\-]|\d${SEP})(?:\+ ?|\(\+?)?\d(?:${SEP}?\d){6,19}(?![\w@]|${SEP}?\d|[.,:]\d|\)\w)`,
  'g',
);

/** Digit groups of a run (the digits between separators). */
export function groupsOf(run: string): string[] {
  return run.split(/\D+/).filter(Boolean);
}

const DATE =
  /^(?:(?:1[89]|2\d)\d\d[-./ ](?:0?[1-9]|1[0-2])[-./ ](?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])[-./ ](?:0?[1-9]|[12]\d|3[01])[-./ ](?:1[89]|2\d)?\d\d)$/;
/** A year range or list: `2019-2023`, `1990 2000 2010`. */
const YEARS = /^(?:(?:1[89]|20)\d\d(?:[ \u00a0]?[-/][ \u00a0]?|[ \u00a0]))+(?:1[89]|20)\d\d$/;
/**
 * Thousands grouping of an amount (no leading zero): a short first group (`1 234 567`) or four
 * groups and more. Three groups of three (`912 345 678`) are how Spain writes its numbers:
 * left to the validator.
 */
const THOUSANDS =
  /^(?:[1-9]\d?(?:([ \u00a0.])\d{3})(?:\1\d{3})*|[1-9]\d\d([ \u00a0.])\d{3}(?:\2\d{3}){2,})$/;
const SSN_SHAPE = /^\d{3}-\d{2}-\d{4}$/;

/**
 * Why a run is not a phone number by its shape alone, or undefined: a date, a year range, an
 * amount in thousands, a dotted version or address (`10.0.19041.1`, `192.168.1.10`), a
 * decimal, a US SSN's shape (reported as `us_ssn`), runs of single digits (`1 2 3 4 5 6 7`).
 */
export function notPhoneShape(run: string): string | undefined {
  const s = run.trim();
  if (DATE.test(s)) return 'date';
  if (YEARS.test(s)) return 'years';
  if (THOUSANDS.test(s)) return 'amount';
  if (SSN_SHAPE.test(s)) return 'ssn';
  const seps = s.replace(/[\d+]/g, '');
  const groups = groupsOf(s);
  if (/^\.+$/.test(seps)) {
    if (groups.length <= 2) return 'decimal';
    if (groups.length === 4 && groups.every((g) => g.length <= 3)) return 'address';
    if (groups[0]![0] !== '0' && groups.some((g) => g.length === 1)) return 'version';
  }
  if (groups.filter((g) => g.length === 1).length > 2) return 'single digits';
  return undefined;
}

/** Whether parentheses in the run are balanced and not nested (`(415) 555-0132`, `+44 (0)20 …`). */
export function balanced(run: string): boolean {
  let open = false;
  for (const ch of run) {
    if (ch === '(') {
      if (open) return false;
      open = true;
    } else if (ch === ')') {
      if (!open) return false;
      open = false;
    }
  }
  return !open;
}

/** A currency sign or code just before a run: an amount. */
export const CURRENCY_BEFORE = /(?:[$€£¥₹]|\b(?:USD|EUR|GBP|INR|JPY|CHF|Rs\.?))[ \u00a0]?$/i;
