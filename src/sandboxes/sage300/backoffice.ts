// What people do in the Sage 300 desktop screens while the integration runs: receive and adjust
// stock, ship orders with a carrier and tracking number, change prices, edit customers. Tests and
// the demo drive it in-process or over HTTP under /__sandbox/backoffice/….
import type { FastifyInstance } from 'fastify';
import { Decimal } from 'decimal.js';
import type { Company } from './company.js';
import { SageApiError, fieldInvalid, notFound } from './errors.js';
import type { Row } from './odata.js';
import { readPayload } from './schema.js';
import * as M from './models.js';

export interface StockLevel {
  itemNumber: string;
  location: string;
  onHand: number;
  committed: number;
  onSalesOrder: number;
  available: number;
}

export interface ShipResult {
  orderNumber: string;
  shipmentNumber: string;
  invoiceNumber: string;
}

export class BackOffice {
  constructor(private readonly co: Company) {}

  /** IC Receipts: goods arrive at a location. */
  receiveStock(item: string, location: string, quantity: number): StockLevel {
    if (!(quantity > 0)) throw fieldInvalid('Quantity received must be greater than zero.');
    return this.move(item, location, quantity);
  }

  /** IC Adjustments: a count correction, damage, shrinkage (negative) or a found box (positive). */
  adjustStock(item: string, location: string, delta: number): StockLevel {
    if (!Number.isFinite(delta) || delta === 0) throw fieldInvalid('Adjustment quantity must be a non-zero number.');
    return this.move(item, location, delta);
  }

  private move(item: string, location: string, delta: number): StockLevel {
    const it = this.co.resolveItem(item);
    this.co.requireLocation(location);
    this.co.adjustStock(String(it.UnformattedItemNumber), location, { onHand: delta });
    return this.stock(item, location);
  }

  stock(item: string, location: string): StockLevel {
    const it = this.co.resolveItem(item);
    const r = this.co.stock(String(it.UnformattedItemNumber), location);
    return { itemNumber: String(it.ItemNumber), location, onHand: r.QuantityOnHand as number, committed: r.QuantityCommitted as number, onSalesOrder: r.QuantityOnSalesOrder as number, available: r.QuantityAvailable as number };
  }

  /** Ships everything outstanding (or the given quantities) and produces the invoice, as an OE clerk does. */
  shipOrder(orderNumber: string, opts: { carrier?: string; trackingNumber?: string; invoice?: boolean; lines?: Array<{ lineNumber: number; quantity: number }> } = {}): ShipResult {
    const order = this.co.findOrderByNumber(orderNumber) ?? this.co.orders.table.get(orderNumber);
    if (!order) throw notFound();
    if (opts.carrier && !this.co.resources.get('OE/OEShipViaCodes')!.table.get(opts.carrier.toUpperCase())) throw fieldInvalid(`Ship-via code ${opts.carrier} does not exist.`);
    const lines = (order.OrderDetails as Row[]).filter((l) => l.LineType === 'Item');
    const ship = opts.lines ?? lines.map((l) => ({ lineNumber: Number(l.LineNumber), quantity: Number(l.QuantityOrdered) - Number(l.QuantityShippedToDate) })).filter((l) => l.quantity > 0);
    if (ship.length === 0) throw new SageApiError(409, 'General', `Order ${String(order.OrderNumber)} has nothing left to ship.`);
    const updated = this.co.orders.update(order, {
      ...(opts.carrier ? { ShipViaCode: opts.carrier.toUpperCase() } : {}),
      ...(opts.trackingNumber ? { ShipmentTrackingNumber: opts.trackingNumber } : {}),
      InvoiceWillBeProduced: opts.invoice !== false,
      OrderDetails: ship.map((s) => ({ LineNumber: s.lineNumber, QuantityShipped: s.quantity, UpdateOperation: 'Update' })),
    }, 'patch');
    return { orderNumber: String(updated.OrderNumber), shipmentNumber: String(updated.LastShipmentNumber), invoiceNumber: opts.invoice === false ? '' : String(updated.LastInvoiceNumber) };
  }

  /** IC Item Pricing: the base price of an item in a price list. */
  setPrice(item: string, price: string | number, priceList = 'RTL', currency = 'USD'): void {
    const it = this.co.resolveItem(item);
    const value = new Decimal(price);
    if (value.isNegative()) throw fieldInvalid('Price cannot be negative.');
    const t = this.co.pricing.table;
    const key = t.keyFrom([currency, it.UnformattedItemNumber, priceList]);
    const row = t.get(key);
    const detail = { CurrencyCode: currency, UnformattedItemNumber: it.UnformattedItemNumber, PriceListCode: priceList, PriceDetailType: 'BasePriceQuantity', QuantityUnit: it.StockingUnitOfMeasure, UnitPrice: value.toNumber() };
    if (!row) {
      this.co.pricing.create({ CurrencyCode: currency, UnformattedItemNumber: it.UnformattedItemNumber, PriceListCode: priceList, Description: it.Description, ItemPricingDetails: [detail] });
      return;
    }
    const details = (row.ItemPricingDetails as Row[]).filter((d) => d.PriceDetailType !== 'BasePriceQuantity');
    const next = this.co.touch({ ...row, ItemPricingDetails: [detail, ...details] }, 'date');
    t.replace(next);
    // The price change is also an item change for integrations polling ICItems.
    this.co.touch(it, 'date');
  }

  /** A/R Customers screen: change any customer fields (validated like the Web API). */
  editCustomer(number: string, changes: Record<string, unknown>): Row {
    const row = this.co.customers.table.get(number);
    if (!row) throw notFound();
    const body = readPayload(M.customer, changes);
    delete body.CustomerNumber;
    const next = this.co.customers.update(row, body, 'patch');
    this.co.customers.table.replace(next);
    return next;
  }

  countOrders(): number {
    return this.co.orders.table.size;
  }

  /** HTTP face of the same functions (no auth: it is the simulator's own admin surface). */
  install(app: FastifyInstance): void {
    const p = '/__sandbox/backoffice';
    type B = Record<string, unknown>;
    app.post(`${p}/stock/receive`, async (req) => { const b = req.body as B; return this.receiveStock(String(b.item), String(b.location ?? '1'), Number(b.quantity)); });
    app.post(`${p}/stock/adjust`, async (req) => { const b = req.body as B; return this.adjustStock(String(b.item), String(b.location ?? '1'), Number(b.delta)); });
    app.get(`${p}/stock`, async (req) => { const q = req.query as B; return this.stock(String(q.item), String(q.location ?? '1')); });
    app.post(`${p}/orders/:number/ship`, async (req) => {
      const b = (req.body ?? {}) as B;
      return this.shipOrder((req.params as { number: string }).number, {
        ...(b.carrier ? { carrier: String(b.carrier) } : {}), ...(b.trackingNumber ? { trackingNumber: String(b.trackingNumber) } : {}),
        ...(b.invoice === false ? { invoice: false } : {}), ...(Array.isArray(b.lines) ? { lines: b.lines as Array<{ lineNumber: number; quantity: number }> } : {}),
      });
    });
    app.post(`${p}/prices`, async (req) => { const b = req.body as B; this.setPrice(String(b.item), String(b.price), b.priceList ? String(b.priceList) : undefined, b.currency ? String(b.currency) : undefined); return { ok: true }; });
    app.patch(`${p}/customers/:number`, async (req) => this.editCustomer((req.params as { number: string }).number, req.body as B));
    app.get(`${p}/orders/count`, async () => ({ count: this.countOrders() }));
  }
}
