import { seededRandom } from '../core/seeded-random.js';

/**
 * Fake customer data for the demo database: deterministic (a seeded generator), realistic enough
 * that masking has something to do: names, e-mail addresses, phone numbers, Luhn-valid card
 * numbers (test ranges) and US-style SSNs. Nobody here is real.
 */

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Leslie', 'Margaret', 'Dennis', 'Katherine', 'John', 'Sophie', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Lamport', 'Hamilton', 'Ritchie', 'Johnson', 'Backus', 'Wilson', 'Berners'];
const CITIES = ['Lisbon', 'Berlin', 'Toronto', 'Nairobi', 'Osaka', 'Austin', 'Lyon', 'Melbourne'];
const STATUSES = ['paid', 'paid', 'paid', 'shipped', 'refunded', 'pending'];

/** A 16-digit card number in the 4000-series test range with a valid Luhn check digit. */
export function luhnCard(rand: () => number): string {
  const digits = [4, 0, 0, 0, ...Array.from({ length: 11 }, () => Math.floor(rand() * 10))];
  let sum = 0;
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = digits[i] ?? 0;
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return [...digits, (10 - (sum % 10)) % 10].join('');
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** SQL that creates and fills the demo schema (customers, orders) if it is empty. */
export function demoSchemaSql(customers = 200, seed = 7): string {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const rows: string[] = [];
  const orders: string[] = [];
  for (let id = 1; id <= customers; id++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const email = `${first}.${last}${id}@example.com`.toLowerCase();
    const phone = `+1-555-${String(100 + Math.floor(rand() * 900))}-${String(1000 + Math.floor(rand() * 9000))}`;
    const ssn = `${String(100 + Math.floor(rand() * 565)).padStart(3, '0')}-${String(10 + Math.floor(rand() * 89))}-${String(1000 + Math.floor(rand() * 8999))}`;
    rows.push(`(${id}, ${quote(`${first} ${last}`)}, ${quote(email)}, ${quote(phone)}, ${quote(luhnCard(rand))}, ${quote(ssn)}, ${quote(pick(CITIES))})`);
    for (let n = Math.floor(rand() * 4); n > 0; n--) {
      orders.push(`(${id}, ${(5 + rand() * 495).toFixed(2)}, ${quote(pick(STATUSES))})`);
    }
  }
  return `
CREATE TABLE IF NOT EXISTS customers (
  id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL, phone text, card_number text, ssn text, city text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS orders (
  id serial PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id), amount numeric(10,2) NOT NULL,
  status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO customers (id, name, email, phone, card_number, ssn, city) VALUES
${rows.join(',\n')}
ON CONFLICT (id) DO NOTHING;
INSERT INTO orders (customer_id, amount, status) SELECT * FROM (VALUES
${orders.join(',\n')}
) AS v(customer_id, amount, status) WHERE NOT EXISTS (SELECT 1 FROM orders);
`;
}
