// Money as integer minor units with an ISO 4217 code, formatted as the shop formats it
// (domain/src/money.rs): `€1,249.00` for people, `1249.00` for machines. Never through a float.

const ZERO_DIGITS = new Set(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]);
const THREE_DIGITS = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);
const SYMBOLS = { EUR: "€", USD: "$", GBP: "£", JPY: "¥" };

function exponent(code) {
  if (ZERO_DIGITS.has(code)) return 0;
  return THREE_DIGITS.has(code) ? 3 : 2;
}

function split(amount, code) {
  const exp = exponent(code);
  const scale = 10n ** BigInt(exp);
  const abs = BigInt(amount < 0 ? -amount : amount);
  return { exp, sign: amount < 0 ? "-" : "", major: abs / scale, minor: String(abs % scale).padStart(exp, "0") };
}

export function formatMoney(amount, code) {
  const { exp, sign, major, minor } = split(amount, code);
  const symbol = SYMBOLS[code] ?? `${code} `;
  const grouped = String(major).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${symbol}${grouped}${exp > 0 ? `.${minor}` : ""}`;
}

export function decimal(amount, code) {
  const { exp, sign, major, minor } = split(amount, code);
  return exp > 0 ? `${sign}${major}.${minor}` : `${sign}${major}`;
}
