import { getCountries } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { REGIONS } from '../../../src/policy/checks/support/phone-regions.js';

describe('phone regions written out', () => {
  it('equal the regions of the installed libphonenumber-js (update phone-regions.ts when it changes)', () => {
    expect([...REGIONS]).toEqual(getCountries());
  });
});
