/**
 * Synthetic client orders for the trading scenario: realistic JSON with client personal data, made
 * from a seeded pseudo-random generator so a scenario is reproducible run after run.
 */

/** A small, fast, seedable PRNG (mulberry32): reproducible data, not cryptography. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Amelia', 'Lukas', 'Sofia', 'Mateo', 'Hannah', 'Noah', 'Elena', 'Jonas', 'Chloe', 'Marek', 'Ines', 'Tomas', 'Freya', 'Emil', 'Laura', 'Oskar'];
const LAST = ['Keller', 'Novak', 'Rossi', 'Dubois', 'Jansen', 'Silva', 'Nowak', 'Berg', 'Moreau', 'Fischer', 'Costa', 'Lindqvist', 'Horvat', 'Murphy'];
const COUNTRIES = ['DE', 'FR', 'NL', 'IE', 'ES', 'IT', 'PL', 'SE', 'AT', 'PT'];
const SYMBOLS: Array<{ symbol: string; venue: string; price: number }> = [
  { symbol: 'SAP', venue: 'XETR', price: 182.4 },
  { symbol: 'ASML', venue: 'XAMS', price: 871.2 },
  { symbol: 'MC', venue: 'XPAR', price: 702.5 },
  { symbol: 'SIE', venue: 'XETR', price: 171.9 },
  { symbol: 'ENI', venue: 'MTAA', price: 14.6 },
  { symbol: 'SAN', venue: 'XMAD', price: 4.3 },
  { symbol: 'NOVO-B', venue: 'XCSE', price: 812.0 },
];
const DESKS = ['retail-eu', 'private-banking', 'wealth-advisory'];

/** A client, the data subject whose personal data the orders carry. */
export interface Client {
  accountId: string;
  name: string;
  email: string;
  country: string;
}

/** The client at a pool index: deterministic, so the same index is always the same person. */
export function clientAt(index: number): Client {
  const first = FIRST[index % FIRST.length] as string;
  const last = LAST[Math.floor(index / FIRST.length) % LAST.length] as string;
  const accountId = `ACC-${String(index).padStart(7, '0')}`;
  return {
    accountId,
    name: `${first} ${last}`,
    email: `${first}.${last}.${index}@example.com`.toLowerCase(),
    country: COUNTRIES[index % COUNTRIES.length] as string,
  };
}

/** One order placed by `client` at `timestamp`, as the order service publishes it. */
export function orderJson(random: () => number, client: Client, timestamp: number, sequence: number): string {
  const instrument = SYMBOLS[Math.floor(random() * SYMBOLS.length)] as (typeof SYMBOLS)[number];
  const quantity = 1 + Math.floor(random() * 500);
  const limitPrice = Math.round(instrument.price * (0.97 + random() * 0.06) * 100) / 100;
  return JSON.stringify({
    orderId: `ORD-${timestamp.toString(36)}-${sequence.toString(36)}`,
    placedAt: new Date(timestamp).toISOString(),
    side: random() < 0.55 ? 'BUY' : 'SELL',
    type: 'LIMIT',
    instrument: { symbol: instrument.symbol, venue: instrument.venue },
    quantity,
    limitPrice,
    currency: 'EUR',
    desk: DESKS[Math.floor(random() * DESKS.length)],
    client: { accountId: client.accountId, name: client.name, email: client.email, country: client.country },
  });
}
