/**
 * A double as a C++ ostream prints it by default (`%g`, 6 significant digits, ties to even on the
 * exact binary value), which is how Nix shows float literals. JavaScript's own formatting rounds
 * ties away from zero and switches to exponents elsewhere, hence the exact decimal expansion.
 */
const PRECISION = 6;

/** The exact decimal digits of a finite positive double and the power of ten of the first one. */
function exactDecimal(x: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let power: number;
  if (biased === 0) power = -1074;
  else {
    mantissa |= 1n << 52n;
    power = biased - 1075;
  }
  if (power >= 0) {
    const digits = (mantissa << BigInt(power)).toString();
    return { digits, exponent: digits.length - 1 };
  }
  // m / 2^k = m * 5^k / 10^k
  const digits = (mantissa * 5n ** BigInt(-power)).toString();
  return { digits, exponent: digits.length - 1 + power };
}

/** Rounds a digit string to `n` digits, ties to even; may carry into one more digit. */
function roundDigits(digits: string, n: number): { digits: string; carried: boolean } {
  if (digits.length <= n) return { digits: digits.padEnd(n, '0'), carried: false };
  const kept = digits.slice(0, n);
  const rest = digits.slice(n);
  const half = rest[0] > '5' || (rest[0] === '5' && /[1-9]/.test(rest.slice(1))) || (rest[0] === '5' && Number(kept[n - 1]) % 2 === 1);
  if (!half) return { digits: kept, carried: false };
  const up = (BigInt(kept) + 1n).toString();
  return up.length > n ? { digits: up.slice(0, n), carried: true } : { digits: up, carried: false };
}

export function formatCppDouble(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const exact = exactDecimal(Math.abs(x));
  const rounded = roundDigits(exact.digits, PRECISION);
  const exponent = exact.exponent + (rounded.carried ? 1 : 0);
  const digits = rounded.digits;
  if (exponent < -4 || exponent >= PRECISION) {
    const fraction = digits.slice(1).replace(/0+$/, '');
    const e = Math.abs(exponent).toString().padStart(2, '0');
    return `${sign}${digits[0]}${fraction ? `.${fraction}` : ''}e${exponent < 0 ? '-' : '+'}${e}`;
  }
  if (exponent >= 0) {
    const int = digits.slice(0, exponent + 1);
    const fraction = digits.slice(exponent + 1).replace(/0+$/, '');
    return `${sign}${int}${fraction ? `.${fraction}` : ''}`;
  }
  const fraction = ('0'.repeat(-exponent - 1) + digits).replace(/0+$/, '');
  return `${sign}0.${fraction}`;
}
