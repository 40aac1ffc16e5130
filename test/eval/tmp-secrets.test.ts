import { it } from 'vitest';
import { evalSecrets } from './secrets.js';
import { fpRate, recall, total } from './corpora.js';
it('prints', () => {
  const r = evalSecrets();
  for (const s of [...r.byDetector, ...r.bySource, total('all', r.bySource)]) {
    console.log(s.name.padEnd(28), `tp ${s.tp} fn ${s.fn} fp ${s.fp} tn ${s.tn} dis ${s.disagreements} recall ${recall(s).toFixed(3)} fpr ${fpRate(s).toFixed(3)}`);
    for (const m of s.misses.slice(0, 8)) console.log('   MISS', JSON.stringify(m.slice(0, 140)));
    for (const m of s.falseAlarms.slice(0, 8)) console.log('   FA  ', JSON.stringify(m.slice(0, 140)));
  }
});
