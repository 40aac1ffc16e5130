/**
 * Checksums and payload tests that credential formats document: Bech32 (BIP-173: age keys,
 * Nostr nsec), Stellar's StrKey CRC16-XModem (SEP-0023), decodable base64 payloads.
 */

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

/** Whether `s` (`hrp1data`, one case) carries a valid Bech32 checksum (BIP-173). */
export function bech32Ok(s: string): boolean {
  const str = s.toLowerCase();
  if (str !== s && s.toUpperCase() !== s) return false;
  const sep = str.lastIndexOf('1');
  if (sep < 1 || str.length - sep < 7) return false;
  const values: number[] = [];
  for (const c of str.slice(0, sep)) values.push(c.charCodeAt(0) >> 5);
  values.push(0);
  for (const c of str.slice(0, sep)) values.push(c.charCodeAt(0) & 31);
  for (const c of str.slice(sep + 1)) {
    const v = BECH32.indexOf(c);
    if (v < 0) return false;
    values.push(v);
  }
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i]!;
  }
  return chk === 1;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (no padding) to bytes; undefined when a character is not in the alphabet. */
export function base32(s: string): Uint8Array | undefined {
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const c of s) {
    const v = B32.indexOf(c);
    if (v < 0) return undefined;
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** CRC16-XModem (poly 0x1021, init 0), as Stellar's StrKey uses it. */
export function crc16xmodem(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** A Stellar secret seed (`S…`, 56 base32 characters): version byte 18 << 3, CRC16 little-endian. */
export function stellarSeedOk(s: string): boolean {
  const b = base32(s);
  if (!b || b.length !== 35 || b[0] !== 18 << 3) return false;
  const crc = crc16xmodem(b.subarray(0, 33));
  return b[33] === (crc & 0xff) && b[34] === crc >> 8;
}

/** The bytes of a base64 or base64url string (padding optional); undefined when it is not one. */
export function unbase64(s: string): Buffer | undefined {
  const t = s.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/_-]*$/.test(t) || t.length % 4 === 1) return undefined;
  return Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Whether base64(url) `part` decodes to a JSON object. */
export function b64Json(part: string): boolean {
  const b = unbase64(part);
  if (!b) return false;
  try {
    const v: unknown = JSON.parse(b.toString('utf8'));
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}
