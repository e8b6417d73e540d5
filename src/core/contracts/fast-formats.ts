// Quicker checks of the two formats nearly every event envelope carries (`event_id: uuid`, `timestamp: date-time`),
// with exactly the answers of ajv-formats' full formats: on the monitor's path they cost more than the rest of the
// schema together (date-time splits the string and runs two regular expressions that build match arrays). Each
// reads the common written form by character codes and leaves anything else to the original check, so the set of
// accepted strings does not change (test/core/contracts-fast-formats.test.ts compares the two on many strings).
import type Ajv2020 from 'ajv/dist/2020.js';

type StringCheck = (s: string) => boolean;

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Where `YYYY-MM-DDThh:mm:ss` has digits. */
const DIGITS_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const two = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;

/** `^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$`, case-insensitively (ASCII only, as the regex). */
export function isUuid(s: string): boolean {
  let at = 0;
  if (s.length === 45) {
    const prefix = 'urn:uuid:';
    for (let i = 0; i < 9; i++) {
      const c = s.charCodeAt(i);
      const want = prefix.charCodeAt(i);
      if (c !== want && !(want >= 97 && c === want - 32)) return false;
    }
    at = 9;
  } else if (s.length !== 36) {
    return false;
  }
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(at + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) { if (c !== 45 /* - */) return false; } else if (!isHex(c)) return false;
  }
  return true;
}

/**
 * `YYYY-MM-DD(T|t)hh:mm:ss[.f+](Z|z|±hh[[:]mm])` answered as ajv-formats' date-time (strict time zone) answers it;
 * undefined for any other shape (the caller asks the original). In this shape the string has one separator, so the
 * original's split gives the same two parts and its regular expressions the same groups.
 */
export function dateTimeCommonForm(s: string): boolean | undefined {
  const n = s.length;
  if (n < 20) return undefined;
  for (const i of DIGITS_AT) if (!isDigit(s.charCodeAt(i))) return undefined;
  const sep = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (sep !== 84 && sep !== 116) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  let j = 19;
  let sec = two(s, 17);
  if (s.charCodeAt(j) === 46 /* . */) {
    j++;
    const from = j;
    while (j < n && isDigit(s.charCodeAt(j))) j++;
    if (j === from) return undefined;
    // Below 59 s the fraction changes no answer; from 59 s on it is read as the original reads it (a long fraction
    // can round up to the next second).
    if (sec >= 59) sec = +s.slice(17, j);
  }
  let tzSign = 1;
  let tzH = 0;
  let tzM = 0;
  const z = s.charCodeAt(j);
  if (z === 90 || z === 122) {
    if (j + 1 !== n) return undefined;
  } else if (z === 43 || z === 45) {
    tzSign = z === 45 ? -1 : 1;
    const rest = n - j - 1;
    if (rest !== 2 && rest !== 4 && rest !== 5) return undefined;
    if (!isDigit(s.charCodeAt(j + 1)) || !isDigit(s.charCodeAt(j + 2))) return undefined;
    tzH = two(s, j + 1);
    if (rest > 2) {
      const m = rest === 5 ? j + 4 : j + 3;
      if (rest === 5 && s.charCodeAt(j + 3) !== 58) return undefined;
      if (!isDigit(s.charCodeAt(m)) || !isDigit(s.charCodeAt(m + 1))) return undefined;
      tzM = two(s, m);
    }
  } else {
    return undefined;
  }
  // date(): the day exists in its month (29 February in leap years).
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && leap ? 29 : DAYS[month]!))) return false;
  // time(): as ajv-formats, leap seconds only at 23:59 UTC.
  const hr = two(s, 11);
  const min = two(s, 14);
  if (tzH > 23 || tzM > 59) return false;
  if (hr <= 23 && min <= 59 && sec < 60) return true;
  const utcMin = min - tzM * tzSign;
  const utcHr = hr - tzH * tzSign - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
}

/** Replaces ajv-formats' `uuid` and `date-time` on `ajv` by the quicker checks (call after addFormats). */
export function useFastFormats(ajv: Ajv2020): void {
  const dateTime = ajv.formats['date-time'];
  if (dateTime && typeof dateTime === 'object' && 'validate' in dateTime && typeof dateTime.validate === 'function') {
    const original = dateTime.validate as StringCheck;
    ajv.addFormat('date-time', { ...dateTime, validate: (s: string) => dateTimeCommonForm(s) ?? original(s) } as typeof dateTime);
  }
  if (ajv.formats.uuid instanceof RegExp) ajv.addFormat('uuid', isUuid);
}
