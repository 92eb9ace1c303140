/** Luhn (mod 10) over an ASCII digit string; every payment card number satisfies it. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Issuer prefix and length sanity (ISO/IEC 7812 ranges of the networks that matter). Together with
 * Luhn this keeps random 16-digit ids (about one in ten passes Luhn alone) mostly unmasked.
 */
export function cardPrefixValid(digits: string): boolean {
  const len = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p4 = Number(digits.slice(0, 4));
  switch (digits.charCodeAt(0) - 0x30) {
    case 4: // Visa
      return len === 13 || len >= 16;
    case 5: // Mastercard 51-55, Maestro 50, 56-59
      return len >= 12;
    case 2: // Mastercard 2-series
      return len === 16 && p4 >= 2221 && p4 <= 2720;
    case 3: // Amex 34/37, Diners 30/36/38/39, JCB 35
      if (p2 === 34 || p2 === 37) return len === 15;
      if (p2 === 35) return len >= 16 && p4 >= 3528 && p4 <= 3589;
      return (p2 === 30 || p2 === 36 || p2 === 38 || p2 === 39) && len >= 14;
    case 6: // Discover, UnionPay, Maestro, RuPay
      return len >= 13;
    case 1: // UATP
      return len === 15;
    default:
      return false;
  }
}

// IBAN lengths by country (ISO 13616 registry); a length check rejects most look-alikes before mod-97.
const ibanLengthTable =
  'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 EE20 EG29 ES24 ' +
  'FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 ' +
  'LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 ' +
  'RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20';
const ibanLengths = new Map<string, number>(ibanLengthTable.split(' ').map((e) => [e.slice(0, 2), Number(e.slice(2))]));

/** The registered IBAN length for a country code, or undefined. */
export function ibanLength(country: string): number | undefined {
  return ibanLengths.get(country);
}

/** ISO 7064 mod 97-10 over an upper-case IBAN without spaces: valid when the remainder is 1. */
export function ibanChecksumValid(iban: string): boolean {
  let rem = 0;
  const n = iban.length;
  for (let k = 0; k < n; k++) {
    const c = iban.charCodeAt((k + 4) % n);
    if (c >= 0x30 && c <= 0x39) rem = (rem * 10 + (c - 0x30)) % 97;
    else if (c >= 0x41 && c <= 0x5a) rem = (rem * 100 + (c - 0x41 + 10)) % 97;
    else return false;
  }
  return rem === 1;
}
