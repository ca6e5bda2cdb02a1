// The bench's X-Cart orders: 5 lines, two addresses, coupon + shipping + tax, every fourth a guest.
import { generateCatalog } from '../../../src/sandboxes/shared/catalog.js';

export const catalog = generateCatalog(1);

export function makeOrders(n: number): unknown[] {
  const { items, customers } = catalog;
  const out: unknown[] = [];
  for (let k = 0; k < n; k++) {
    const lines = [0, 1, 2, 3, 4].map((j) => items[(k * 7 + j * 13) % items.length]!);
    let sub = 0;
    const orderItems = lines.map((it, j) => {
      const qty = 1 + ((k + j) % 3);
      sub += Math.round(Number(it.price) * 100) * qty;
      return { id: j + 1, product_id: 10 + j, sku: it.itemNo, name: it.description, price: Number(it.price), item_net_price: Number(it.price), amount: qty, surcharges: [] };
    });
    const discount = Math.round(sub / 10);
    const ship = 999;
    const tax = Math.round(((sub - discount) * 101) / 1000);
    const total = sub - discount + ship + tax;
    const c = customers[k % customers.length]!;
    const addr = { firstname: c.firstName, lastname: c.lastName, phone: c.phone, street: `${c.address.street}${c.address.street2 ? ` ${c.address.street2}` : ''}`, zipcode: c.address.zip, city: c.address.city, country_code: c.address.country, state_name: c.address.state };
    out.push({
      id: k + 1, order_number: String(100000 + k), total: total / 100, sub_total: sub / 100, email: c.email, customer_id: k % 4 === 0 ? null : k + 1, currency: 'USD',
      create_date: '2026-11-20T18:04:11+0000', shipping_method_name: 'Ground', notes: 'bench',
      items: orderItems,
      surcharges: [
        { type: 'discount', code: 'DCOUPON', include: false, available: true, value: -discount / 100, name: 'Coupon' },
        { type: 'shipping', code: 'SHIPPING', include: false, available: true, value: ship / 100, name: 'Shipping cost' },
        { type: 'tax', code: 'TAX', include: false, available: true, value: tax / 100, name: 'Sales tax' },
      ],
      shipping_address: addr,
      billing_address: { ...addr },
    });
  }
  return out;
}
