import { describe, expect, it } from 'vitest';
import { isPiiKey, redact } from './redact.js';

describe('redact', () => {
  const order = {
    order_number: '1042',
    email: 'olivia.smith@example.com',
    billing_address: { firstname: 'Olivia', lastname: 'Smith', street: '12 Main Street', city: 'Portland', zipcode: '97205', phone: '+1 503 555 0100', country_code: 'US' },
    items: [{ sku: 'A1-1002-BLK', name: 'Fleece Jacket Black', amount: 2, price: 59.99 }],
    ShipToName: 'Olivia Smith',
    BPCNAM: 'Olivia Smith',
  };

  it('masks names, emails, addresses and phone numbers, keeps business data', () => {
    const r = redact(order);
    expect(r.email).toBe('o***[redacted]');
    expect(r.billing_address.firstname).toBe('O***[redacted]');
    expect(r.billing_address.street).toBe('1***[redacted]');
    expect(r.billing_address.phone).toBe('+***[redacted]');
    expect(r.ShipToName).toBe('O***[redacted]');
    expect(r.BPCNAM).toBe('O***[redacted]');
    expect(r.order_number).toBe('1042');
    expect(r.items[0]).toEqual(order.items[0]);
    expect(JSON.stringify(r)).not.toContain('Smith');
    expect(order.email).toBe('olivia.smith@example.com'); // the input is not modified
  });

  it('is off when configured off', () => {
    expect(redact(order, { enabled: false })).toBe(order);
  });

  it('knows product names from people names', () => {
    expect(isPiiKey('name')).toBe(true);
    expect(isPiiKey('product_name')).toBe(false);
    expect(isPiiKey('ItemDescription')).toBe(false);
  });
});
