/** Writes test/fixtures/corpora/rtl-bidi-marks.jsonl (stdout): CLDR-formatted values from Node's Intl for right-to-left locales, plus hand-written ZWNJ/ZWJ/bidi-mark sentences. Usage: node scripts/gen-rtl-corpus.js > test/fixtures/corpora/rtl-bidi-marks.jsonl */
const locales = [
  'ar',
  'ar-EG',
  'ar-SA',
  'ar-MA',
  'he',
  'fa',
  'ur',
  'ps',
  'yi',
  'ckb',
  'sd',
  'ug',
  'dv',
  'syr',
  'ks',
];
const rows = [];
const DI = /\p{Default_Ignorable_Code_Point}/u;
const d = new Date(Date.UTC(2024, 2, 7, 15, 4, 5));
for (const l of locales) {
  const f = {
    date_full: () =>
      new Intl.DateTimeFormat(l, { dateStyle: 'full', timeStyle: 'long', timeZone: 'UTC' }).format(
        d,
      ),
    date_short: () =>
      new Intl.DateTimeFormat(l, {
        dateStyle: 'short',
        timeStyle: 'short',
        timeZone: 'UTC',
      }).format(d),
    date_range: () =>
      new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeZone: 'UTC' }).formatRange(
        d,
        new Date(d.getTime() + 9e8),
      ),
    currency_usd: () =>
      new Intl.NumberFormat(l, { style: 'currency', currency: 'USD' }).format(-1234567.891),
    currency_local: () =>
      new Intl.NumberFormat(l, {
        style: 'currency',
        currency: 'EUR',
        currencyDisplay: 'name',
      }).format(42.5),
    percent: () =>
      new Intl.NumberFormat(l, { style: 'percent', signDisplay: 'always' }).format(-0.256),
    unit: () =>
      new Intl.NumberFormat(l, {
        style: 'unit',
        unit: 'kilometer-per-hour',
        unitDisplay: 'long',
      }).format(88),
    compact: () => new Intl.NumberFormat(l, { notation: 'compact' }).format(-1234567),
    list: () => new Intl.ListFormat(l, { type: 'conjunction' }).format(['ABC', '123', 'xyz']),
    relative: () => new Intl.RelativeTimeFormat(l, { numeric: 'auto' }).format(-3, 'day'),
    number_sci: () => new Intl.NumberFormat(l, { notation: 'scientific' }).format(-0.000123),
  };
  for (const [k, fn] of Object.entries(f)) {
    try {
      const text = fn();
      rows.push({ text, locale: l, source: `Intl ${k}`, hasIgnorable: DI.test(text) });
    } catch {
      // A formatter this ICU does not support for the locale: skipped.
    }
  }
}
const hand = [
  ['fa', 'می‌خواهم این کتاب‌ها را بخوانم.', 'ZWNJ in Persian words'],
  ['fa', 'خانه‌ی ما نزدیک دانشگاه‌هاست.', 'ZWNJ in Persian words'],
  ['fa', 'آن‌ها گفتند که نمی‌آیند.', 'ZWNJ in Persian words'],
  ['ur', 'وہ‌ لوگ آج نہیں آئیں گے۔', 'ZWNJ in Urdu'],
  ['hi', 'क्‌ष और क्ष अलग दिखते हैं।', 'ZWNJ in Devanagari'],
  ['ml', 'കാര്‍ത്തിക് വന്നു.', 'ZWJ in Malayalam (chillu)'],
  ['bn', 'র‍্যাব এবং র‌্যাব', 'ZWJ/ZWNJ in Bengali'],
  ['he', 'הגרסה היא ‎v2.1.0‎ מאז אתמול.', 'LRM around LTR token in Hebrew'],
  ['he', 'המחיר הוא ‏100$‏ בלבד.', 'RLM around price in Hebrew'],
  ['he', 'שלום‏!', 'RLM after Hebrew before punctuation'],
  ['ar', 'رقم الهاتف: ‎+20 100 123 4567‎', 'LRM around phone number in Arabic'],
  ['ar', 'الإصدار ‎3.11‎ متاح الآن.', 'LRM around version in Arabic'],
  ['ar', 'النتيجة ؜-5؜ نقاط.', 'ALM around negative number in Arabic'],
  ['fa', 'نسخه‌ی ‎Node 20‎ نصب شد.', 'ZWNJ and LRM in Persian'],
];
for (const [l, text, what] of hand)
  rows.push({ text, locale: l, source: `hand: ${what}`, hasIgnorable: DI.test(text) });
process.stdout.write(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.error(
  rows.length,
  rows.filter((r) => r.hasIgnorable).length,
  process.versions.icu,
  process.versions.unicode,
  process.versions.cldr,
  process.version,
);
