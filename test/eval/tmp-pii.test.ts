import { it } from 'vitest';
import { evalPii } from './pii.js';
import { fpRate, recall, total } from './corpora.js';
it('prints', () => {
  const r = evalPii();
  for (const s of [...r, total('all', r)]) {
    console.log(s.name.padEnd(14), `tp ${s.tp} fn ${s.fn} fp ${s.fp} tn ${s.tn} recall ${recall(s).toFixed(3)} fpr ${fpRate(s).toFixed(3)}`);
    for (const m of s.misses.slice(0, 12)) console.log('   MISS', JSON.stringify(m.slice(0, 140)));
    for (const m of s.falseAlarms.slice(0, 12)) console.log('   FA  ', JSON.stringify(m.slice(0, 140)));
  }
});
