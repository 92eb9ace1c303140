-- Sample target for compose.yaml: a small shop with fake customers (all data invented).
CREATE TABLE customers (
  id serial PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  card_number text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
  id serial PRIMARY KEY,
  customer_id int NOT NULL REFERENCES customers(id),
  total_cents int NOT NULL,
  placed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO customers (name, email, card_number)
SELECT 'Customer ' || g, 'customer' || g || '@example.com', '4111 1111 1111 1111'
FROM generate_series(1, 200) AS g;
INSERT INTO orders (customer_id, total_cents)
SELECT 1 + (g % 200), 500 + (g * 37) % 20000 FROM generate_series(1, 2000) AS g;
