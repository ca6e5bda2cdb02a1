// One Sage 300 company's data and the view logic integrations depend on: orders commit stock,
// shipments reduce on hand, invoices are produced, credit notes return stock, journal entries must
// balance, and view errors come back with the codes the real Web API uses.
import { Decimal } from 'decimal.js';
import { SageApiError, duplicate, fieldInvalid, general, notFound } from './errors.js';
import type { FieldType, Row } from './odata.js';
import { defaults, fieldTypes, model, readPayload, type Schema } from './schema.js';
import { Table } from './table.js';
import * as M from './models.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Resource {
  module: string;
  name: string;
  schema: Schema;
  fields: Map<string, FieldType>;
  table: Table;
  methods: ReadonlySet<Method>;
  /** Set for resources the real Web API does not have (documented as extensions). */
  extension?: string;
  create(body: Row): Row;
  update(row: Row, body: Row, mode: 'put' | 'patch'): Row;
  remove(row: Row): void;
}

export interface ProcessDef {
  module: string;
  name: string;
  run(body: Row): Row;
}

/** Quantities carry at most 4 decimals (ICILOC): plain numbers rounded to 4 places stay exact. */
const q4 = (n: number) => Math.round(n * 10_000) / 10_000;
const money = (d: Decimal.Value) => new Decimal(d).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();
const pad = (prefix: string, n: number, width = 12) => `${prefix}${String(n).padStart(width, '0')}`;

export interface Structure {
  code: string;
  /** Segment lengths and the separator that follows each (the last has none). */
  segments: Array<{ length: number; sep: string }>;
}

/** The fiscal calendar: periods exist for these years only (an order dated outside is rejected). */
export interface FiscalCalendar {
  firstYear: number;
  lastYear: number;
}

export class Company {
  readonly resources = new Map<string, Resource>();
  readonly processes = new Map<string, ProcessDef>();
  readonly structures = new Map<string, Structure>();
  readonly optionalFields = { order: new Set<string>(), orderDetail: new Set<string>(), customer: new Set<string>(), item: new Set<string>() };
  readonly banks = new Set<string>();
  fiscal: FiscalCalendar = { firstYear: 2018, lastYear: new Date().getUTCFullYear() + 2 };
  /** Shipping more than is on hand fails unless the IC option "Allow negative inventory levels" is on. */
  allowNegativeInventory = false;

  private seq = { order: 10000, orderNo: 0, shipment: 0, invoice: 0, creditNote: 0, glBatch: 0, arBatch: 0, generic: 0, posting: 0 };
  private lastStamp = 0;
  /** Per-order stock footprint (committed / on sales order) so any change can be reversed exactly. */
  private readonly footprints = new Map<number, Array<{ item: string; location: string; qty: number }>>();

  readonly customers: Resource;
  readonly shipTos: Resource;
  readonly items: Resource;
  readonly locations: Resource;
  readonly locationDetails: Resource;
  readonly pricing: Resource;
  readonly glAccounts: Resource;
  readonly glBatches: Resource;
  readonly orders: Resource;
  readonly invoices: Resource;
  readonly shipments: Resource;
  readonly creditNotes: Resource;
  private readonly itemByFormatted = new Map<string, Row>();

  constructor(readonly id: string, readonly now: () => Date = () => new Date()) {
    this.customers = this.define('AR', 'ARCustomers', M.customer, ['CustomerNumber'], {
      create: (b) => this.createCustomer(b),
      update: (row, b, mode) => this.touch(this.mergeMaster(M.customer, row, b, mode), 'date'),
      remove: (row) => {
        if (this.orders.table.byIndex('CustomerNumber', row.CustomerNumber)!.length) throw general(`Customer ${String(row.CustomerNumber)} has transactions and cannot be deleted.`);
        this.customers.table.delete(this.customers.table.keyOf(row));
      },
    });
    this.shipTos = this.define('AR', 'ARShipToLocations', M.shipTo, ['CustomerNumber', 'ShipToLocationKey'], {
      create: (b) => {
        this.requireCustomer(String(b.CustomerNumber ?? ''));
        return this.touch(this.createMaster(this.shipTos, b), 'date');
      },
    });
    this.items = this.define('IC', 'ICItems', M.item, ['UnformattedItemNumber'], {
      create: (b) => this.createItem(b),
      update: (row, b, mode) => {
        for (const f of ['ItemNumber', 'StructureCode'] as const) {
          if (b[f] !== undefined && b[f] !== row[f]) throw fieldInvalid(`${f} cannot be changed on an existing item.`);
        }
        const next = this.touch({ ...this.mergeMaster(M.item, row, b, mode), ItemNumber: row.ItemNumber, StructureCode: row.StructureCode }, 'date');
        this.itemByFormatted.set(String(next.ItemNumber), next);
        return next;
      },
      remove: (row) => {
        const onHand = this.locationDetails.table.byIndex('ItemNumber', row.ItemNumber)!.some((r) => Number(r.QuantityOnHand) !== 0 || Number(r.QuantityCommitted) !== 0);
        if (onHand) throw general(`Item ${String(row.ItemNumber)} has quantities on hand or committed and cannot be deleted.`);
        this.items.table.delete(this.items.table.keyOf(row));
        this.itemByFormatted.delete(String(row.ItemNumber));
      },
    });
    this.locations = this.define('IC', 'ICLocations', M.location, ['LocationKey'], {});
    this.locationDetails = this.define('IC', 'ICLocationDetails', M.locationDetail, ['UnformattedItemNumber', 'Location'], {}, ['GET'],
      'Item quantities per location (ICILOC). No official Web API resource exists; names are assumed.');
    this.pricing = this.define('IC', 'ICItemPricing', M.itemPricing, ['CurrencyCode', 'UnformattedItemNumber', 'PriceListCode'], {
      create: (b) => {
        this.resolveItem(String(b.UnformattedItemNumber ?? ''));
        return this.touch(this.createMaster(this.pricing, b), 'date');
      },
    });
    this.glAccounts = this.define('GL', 'GLAccounts', M.glAccount, ['UnformattedAccount'], {
      create: (b) => {
        const row = this.createMaster(this.glAccounts, { ...b, AccountNumber: b.AccountNumber || b.UnformattedAccount });
        return this.touch(row, 'date');
      },
    });
    this.glBatches = this.define('GL', 'GLJournalBatches', M.journalBatch, ['BatchNumber'], {
      create: (b) => this.createJournalBatch(b),
      update: (row, b) => this.patchBatchStatus(row, b, 'Status'),
    }, ['GET', 'POST', 'PATCH', 'DELETE']);
    this.orders = this.define('OE', 'OEOrders', M.order, ['OrderUniquifier'], {
      create: (b) => this.createOrder(b),
      update: (row, b, mode) => this.updateOrder(row, b, mode),
      remove: (row) => this.deleteOrder(row),
      // Endpoint Reference (Aug 2022): "OEOrders OE0520 OEORDH x x – – –", GET and POST only. A newer
      // release may take PATCH: the sandbox feature `oeOrderPatch` adds it (app.ts).
    }, ['GET', 'POST'], undefined, ['OrderUniquifier']);
    this.customers.table.addIndex('Email');
    this.items.table.addIndex('ItemNumber');
    this.locationDetails.table.addIndex('ItemNumber');
    for (const f of ['OrderNumber', 'PurchaseOrderNumber', 'OrderReference', 'CustomerNumber']) this.orders.table.addIndex(f);
    this.invoices = this.define('OE', 'OEInvoices', M.invoice, ['InvoiceUniquifier'], {}, ['GET'], undefined, ['InvoiceUniquifier']);
    this.shipments = this.define('OE', 'OEShipments', M.shipment, ['ShipmentUniquifier'], {}, ['GET'],
      'OE shipments (OE0692 OESHIH). Not in the 2022 Endpoint Reference; created by saving QuantityShipped on an order.', ['ShipmentUniquifier']);
    this.invoices.table.addIndex('OrderNumber');
    this.invoices.table.addIndex('InvoiceNumber');
    this.shipments.table.addIndex('OrderNumber');
    this.creditNotes = this.define('OE', 'OECreditDebitNotes', M.creditNote, ['CNUniquifier'], {
      create: (b) => this.createCreditNote(b),
    }, ['GET', 'POST'], undefined, ['CNUniquifier']);
    for (const name of ['ARReceiptAndAdjustmentBatches', 'ARRefundBatches']) {
      const schema = M.arBatch(name === 'ARRefundBatches' ? 'RefundBatch' : 'ReceiptAndAdjustmentBatch');
      const keys = name === 'ARRefundBatches' ? ['BatchNumber'] : ['BatchRecordType', 'BatchNumber'];
      const res: Resource = this.define('AR', name, schema, keys, {
        create: (b) => this.createArBatch(res, b),
        update: (row, b) => this.patchArBatch(res, row, b),
      }, ['GET', 'POST', 'PATCH', 'DELETE'], undefined, ['BatchNumber']);
    }
    this.miscCharges = this.defineGeneric('OE', 'OEMiscellaneousCharges', 'MiscellaneousCharge', ['MiscellaneousChargeCode']);
    // AR invoice batches as the sample sends them; posted by AR/ARPostInvoices('$process') like the other batches.
    this.defineGeneric('AR', 'ARInvoiceBatches', 'InvoiceBatch', ['BatchNumber'], 'BatchNumber');
    this.defineProcesses();
  }

  readonly miscCharges: Resource;

  misc(code: string): { description: string; amount: number } | undefined {
    const m = this.miscCharges.table.get(code);
    return m ? { description: String(m.Description ?? ''), amount: Number(m.Amount ?? 0) } : undefined;
  }

  // ---------------------------------------------------------------- resource plumbing

  define(module: string, name: string, schema: Schema, keys: string[], impl: Partial<Pick<Resource, 'create' | 'update' | 'remove'>>,
    methods: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], extension?: string, numericKeys: string[] = []): Resource {
    const table = new Table(keys, new Set(numericKeys));
    const res: Resource = {
      module, name, schema, fields: fieldTypes(schema), table, methods: new Set(methods), ...(extension ? { extension } : {}),
      create: impl.create ?? ((b) => this.createMaster(res, b)),
      update: impl.update ?? ((row, b, mode) => this.mergeMaster(schema, row, b, mode)),
      remove: impl.remove ?? ((row) => { table.delete(table.keyOf(row)); }),
    };
    this.resources.set(`${module}/${name}`, res);
    return res;
  }

  /** A master-data record keyed by its own fields: a taken key is RecordDuplicate. */
  createMaster(res: Resource, body: Row): Row {
    for (const k of res.table.keys) {
      if (body[k] === undefined || body[k] === null || body[k] === '') throw fieldInvalid(`${k} is required.`);
    }
    const row = { ...defaults(res.schema), ...body };
    delete row.UpdateOperation;
    if (res.table.get(res.table.keyOf(row))) throw duplicate();
    res.table.insert(row);
    return row;
  }

  mergeMaster(schema: Schema, row: Row, body: Row, mode: 'put' | 'patch'): Row {
    const next: Row = mode === 'put' ? { ...defaults(schema) } : { ...row };
    for (const [k, v] of Object.entries(body)) if (k !== 'UpdateOperation') next[k] = v;
    return next;
  }

  private stamp(): Date {
    // Strictly increasing, so a poller's watermark never sees two changes at the same instant.
    const t = Math.max(this.now().getTime(), this.lastStamp + 1);
    this.lastStamp = t;
    return new Date(t);
  }

  /** Audit stamp: the real ARCUS/ICITEM DateLastMaintained is a date; the ICILOC extension keeps the time. */
  touch(row: Row, precision: 'date' | 'time'): Row {
    const d = this.stamp().toISOString();
    row.DateLastMaintained = precision === 'date' ? `${d.slice(0, 10)}T00:00:00Z` : d;
    return row;
  }

  /** One string per day, not one per order (10,000 copies in a demo run). */
  private todayCache = { day: '', text: '' };
  private today(): string {
    const day = this.now().toISOString().slice(0, 10);
    if (day !== this.todayCache.day) this.todayCache = { day, text: `${day}T00:00:00Z` };
    return this.todayCache.text;
  }

  // ---------------------------------------------------------------- master data

  requireCustomer(number: string): Row {
    const c = this.customers.table.get(number);
    if (!c) throw fieldInvalid(`Customer number ${number} does not exist.`);
    return c;
  }

  private createCustomer(body: Row): Row {
    if (!body.CustomerNumber) throw fieldInvalid('Customer Number is required.');
    if (this.customers.table.get(String(body.CustomerNumber))) throw duplicate();
    for (const f of (body.CustomerOptionalFieldValues as Row[] | undefined) ?? []) {
      if (!this.optionalFields.customer.has(String(f.OptionalField))) throw fieldInvalid(`Optional field ${String(f.OptionalField)} does not exist.`);
    }
    const row: Row = { ...defaults(M.customer), StartDate: this.today(), CurrencyCode: 'USD', CheckForDuplicatePOs: 'None', ...body };
    delete row.UpdateOperation;
    this.customers.table.insert(this.touch(row, 'date'));
    return row;
  }

  /** Formats an unformatted item number by its structure's segment lengths, e.g. A11050 → A1-105/0. */
  formatItem(unformatted: string, structureCode: string): string {
    const st = this.structures.get(structureCode);
    if (!st) throw fieldInvalid(`Structure code ${structureCode} does not exist.`);
    let out = '';
    let at = 0;
    for (const [i, seg] of st.segments.entries()) {
      const last = i === st.segments.length - 1;
      const part = last ? unformatted.slice(at) : unformatted.slice(at, at + seg.length);
      if (part.length === 0) break;
      if (part.length > seg.length) throw fieldInvalid(`Item number ${unformatted} does not fit item structure ${structureCode}.`);
      out += part;
      at += part.length;
      if (!last && at < unformatted.length) out += seg.sep;
    }
    return out;
  }

  private createItem(body: Row): Row {
    const unf = String(body.UnformattedItemNumber ?? '').toUpperCase();
    if (!unf) throw fieldInvalid('Item Number is required.');
    if (this.items.table.get(unf)) throw duplicate();
    const structure = String(body.StructureCode ?? '');
    const formatted = this.formatItem(unf, structure);
    const row: Row = { ...defaults(M.item), Status: 'Active', SellableItem: true, ...body, UnformattedItemNumber: unf, ItemNumber: formatted };
    delete row.UpdateOperation;
    row.ItemUnitsOfMeasure = ((row.ItemUnitsOfMeasure as Row[]) ?? []).map((u) => ({ ...defaults(M.itemUom), ...u, ItemNumber: formatted }));
    this.items.table.insert(this.touch(row, 'date'));
    this.itemByFormatted.set(formatted, row);
    return row;
  }

  addItem(row: Row): void {
    this.items.table.insert(row);
    this.itemByFormatted.set(String(row.ItemNumber), row);
  }

  /** OE lines carry the formatted number; the unformatted one (the view key) is accepted too. */
  findItem(number: string): Row | undefined {
    return this.itemByFormatted.get(number) ?? this.items.table.get(number.toUpperCase());
  }

  resolveItem(number: string): Row {
    const it = this.findItem(number);
    if (!it) throw fieldInvalid(`Item number ${number} does not exist. Quantity on backorder has been increased.`);
    return it;
  }

  requireLocation(code: string): Row {
    const l = this.locations.table.get(code);
    if (!l) throw fieldInvalid(`Location ${code} does not exist.`);
    return l;
  }

  /** ICILOC row for an item at a location (created at zero on first use, as the view does). */
  stock(unformatted: string, loc: string): Row {
    const key = this.locationDetails.table.keyFrom([unformatted, loc]);
    let row = this.locationDetails.table.get(key);
    if (!row) {
      const it = this.items.table.get(unformatted);
      row = { ...defaults(M.locationDetail), UnformattedItemNumber: unformatted, ItemNumber: it?.ItemNumber ?? unformatted, Location: loc };
      this.touch(row, 'time');
      this.locationDetails.table.insert(row);
    }
    return row;
  }

  adjustStock(unformatted: string, loc: string, delta: { onHand?: number; committed?: number; onSalesOrder?: number; onPurchaseOrder?: number }): Row {
    const r = this.stock(unformatted, loc);
    if (delta.onHand) r.QuantityOnHand = q4((r.QuantityOnHand as number) + delta.onHand);
    if (delta.committed) r.QuantityCommitted = q4((r.QuantityCommitted as number) + delta.committed);
    if (delta.onSalesOrder) r.QuantityOnSalesOrder = q4((r.QuantityOnSalesOrder as number) + delta.onSalesOrder);
    if (delta.onPurchaseOrder) r.QuantityOnPurchaseOrder = q4((r.QuantityOnPurchaseOrder as number) + delta.onPurchaseOrder);
    r.QuantityAvailable = q4((r.QuantityOnHand as number) - (r.QuantityCommitted as number));
    return this.touch(r, 'time');
  }

  unitPrice(it: Row, priceList: string, currency: string): number {
    const key = this.pricing.table.keyFrom([currency, it.UnformattedItemNumber, priceList]);
    const p = this.pricing.table.get(key) ?? this.pricing.table.get(this.pricing.table.keyFrom([currency, it.UnformattedItemNumber, it.DefaultPriceListCode]));
    const base = (p?.ItemPricingDetails as Row[] | undefined)?.find((d) => d.PriceDetailType === 'BasePriceQuantity');
    return (base?.UnitPrice as number | undefined) ?? 0;
  }

  findAccount(number: string): Row | undefined {
    const t = this.glAccounts.table;
    return t.get(number) ?? t.rows().find((a) => a.AccountNumber === number);
  }

  // ---------------------------------------------------------------- OE orders

  private checkFiscalDate(label: string, iso: string): void {
    const year = Number(iso.slice(0, 4));
    if (year < this.fiscal.firstYear || year > this.fiscal.lastYear) {
      throw fieldInvalid(`${label} ${iso.slice(0, 10)} is not in a valid fiscal period. Fiscal periods exist for ${this.fiscal.firstYear} to ${this.fiscal.lastYear}.`);
    }
  }

  private checkShipTo(o: Row): void {
    const v = (f: string) => String(o[`ShipTo${f}`] ?? '').trim();
    const given = ['AddressLine1', 'AddressLine2', 'City', 'StateProvince', 'ZipPostalCode', 'Country'].some((f) => v(f) !== '');
    if (!given) return;
    const ok = v('ZipPostalCode') !== '' || (v('AddressLine1') !== '' && v('City') !== '' && v('StateProvince') !== '');
    if (!ok) {
      throw general('The address value ShipTo was incomplete. You must provide either a valid postal code, line1 + city + region, or line1 + postal code.');
    }
  }

  private createOrder(body: Row): Row {
    const customer = this.requireCustomer(String(body.CustomerNumber ?? ''));
    if (customer.Status === 'Inactive') throw fieldInvalid(`Customer ${String(customer.CustomerNumber)} is inactive.`);
    if (customer.OnHold === 'Yes') throw general(`Customer ${String(customer.CustomerNumber)} is on hold.`);
    const order: Row = {
      ...defaults(M.order), CustomerName: customer.CustomerName, OrderDate: this.today(), PriceListCode: customer.CustomerPriceList || 'RTL',
      CustomerCurrency: customer.CurrencyCode || 'USD', ShipViaCode: customer.ShipViaCode, DefaultLocationCode: customer.InventoryLocation || '1',
      OrderCompleted: 'NotCompleted',
      BillToName: customer.CustomerName, BillToAddressLine1: customer.AddressLine1, BillToAddressLine2: customer.AddressLine2, BillToCity: customer.City,
      BillToStateProvince: customer.StateProvince, BillToZipPostalCode: customer.ZipPostalCode, BillToCountry: customer.Country,
      BillToPhoneNumber: customer.PhoneNumber, BillToContact: customer.ContactName, BillToContactEmail: customer.Email,
    };
    const explicitShipTo = Object.keys(body).some((k) => k.startsWith('ShipTo') && k !== 'ShipToLocationCode');
    if (!explicitShipTo && !body.ShipToLocationCode) {
      Object.assign(order, { ShipToName: customer.CustomerName, ShipToAddressLine1: customer.AddressLine1, ShipToAddressLine2: customer.AddressLine2, ShipToCity: customer.City, ShipToStateProvince: customer.StateProvince, ShipToZipPostalCode: customer.ZipPostalCode, ShipToCountry: customer.Country });
    }
    for (const [k, v] of Object.entries(body)) {
      if (k === 'OrderDetails' || k === 'OrderUniquifier' || k === 'UpdateOperation' || READ_ONLY_ORDER.has(k)) continue;
      if (v !== null) order[k] = v;
    }
    if (body.ShipToLocationCode) this.applyShipToLocation(order, String(body.CustomerNumber), String(body.ShipToLocationCode), body);
    if (order.OrderNumber) {
      if (this.orders.table.byIndex('OrderNumber', order.OrderNumber)!.length) throw duplicate(`Order number ${String(order.OrderNumber)} already exists.`);
    }
    this.validateOrderHeader(order, customer, undefined);
    const lines = ((body.OrderDetails as Row[] | undefined) ?? []).map((l) => ({ ...l }));
    const uniq = this.seq.order + 1;
    const prepared = this.prepareLines(order, [], lines.map((l) => ({ op: 'Insert' as const, line: l })), uniq);
    // Nothing has changed yet: every check above may still throw. From here on the save succeeds.
    this.seq.order = uniq;
    order.OrderUniquifier = uniq;
    if (!order.OrderNumber) order.OrderNumber = pad('ORD', ++this.seq.orderNo);
    // Exact length: the lines were pushed into an array that keeps room for 16 more.
    order.OrderDetails = prepared.lines.slice();
    this.commitOrder(order, prepared.ship);
    this.orders.table.insert(order);
    return order;
  }

  private applyShipToLocation(order: Row, customer: string, code: string, body: Row): void {
    const st = this.shipTos.table.get(this.shipTos.table.keyFrom([customer, code]));
    if (!st) throw fieldInvalid(`Ship-to location ${code} does not exist for customer ${customer}.`);
    const copy: Record<string, string> = { Name: 'Description', AddressLine1: 'AddressLine1', AddressLine2: 'AddressLine2', AddressLine3: 'AddressLine3', AddressLine4: 'AddressLine4', City: 'City', StateProvince: 'StateProvince', ZipPostalCode: 'ZipPostalCode', Country: 'Country', PhoneNumber: 'PhoneNumber', Contact: 'ContactName', ContactEmail: 'Email' };
    for (const [to, from] of Object.entries(copy)) if (body[`ShipTo${to}`] === undefined) order[`ShipTo${to}`] = st[from];
  }

  private validateOrderHeader(order: Row, customer: Row, previous: Row | undefined): void {
    this.checkFiscalDate('Order Date', String(order.OrderDate));
    if (order.ExpectedShipDate) this.checkFiscalDate('Expected Ship Date', String(order.ExpectedShipDate));
    this.checkShipTo(order);
    if (order.DefaultLocationCode) this.requireLocation(String(order.DefaultLocationCode));
    const shipVia = String(order.ShipViaCode ?? '');
    if (shipVia && !this.resources.get('OE/OEShipViaCodes')?.table.get(shipVia)) throw fieldInvalid(`Ship-Via code ${shipVia} does not exist.`);
    for (const f of (order.OrderOptionalFields as Row[] | undefined) ?? []) {
      if (!this.optionalFields.order.has(String(f.OptionalField))) throw fieldInvalid(`Optional field ${String(f.OptionalField)} does not exist in O/E optional field setup.`);
    }
    const po = String(order.PurchaseOrderNumber ?? '');
    if (po && customer.CheckForDuplicatePOs === 'Error' && (!previous || previous.PurchaseOrderNumber !== po)) {
      const clash = this.orders.table.byIndex('PurchaseOrderNumber', po)!.find((o) => o.CustomerNumber === order.CustomerNumber && o.PurchaseOrderNumber === po && o.OrderUniquifier !== order.OrderUniquifier);
      if (clash) throw duplicate(`Purchase order number ${po} has already been used for customer ${String(order.CustomerNumber)} on order ${String(clash.OrderNumber)}.`);
    }
  }

  /**
   * Applies detail operations to the current lines and checks everything without changing state.
   * Returns the new lines and the quantities to ship now per line number.
   */
  private prepareLines(order: Row, current: Row[], ops: Array<{ op: 'Insert' | 'Update' | 'Unspecified' | 'Delete'; line: Row }>, uniq: number): { lines: Row[]; ship: Map<number, number> } {
    const lines = current.map((l) => ({ ...l }));
    let nextLine = lines.reduce((m, l) => Math.max(m, Number(l.LineNumber)), 0);
    const touched = new Set<Row>();
    for (const { op, line } of ops) {
      const existing = line.LineNumber !== undefined && op !== 'Insert' ? lines.find((l) => l.LineNumber === line.LineNumber) : undefined;
      if (op === 'Delete' || op === 'Update') {
        if (!existing) throw new SageApiError(404, 'RecordNotFound', `Detail line ${String(line.LineNumber)} does not exist on order ${String(order.OrderNumber)}.`);
      }
      if (op === 'Delete') {
        if (Number(existing!.QuantityShippedToDate) > 0) throw general(`Line ${String(existing!.LineNumber)} has been shipped and cannot be deleted.`);
        lines.splice(lines.indexOf(existing!), 1);
        continue;
      }
      const target = existing ?? { ...defaults(M.orderDetail), LineNumber: (nextLine += 32), OrderUniquifier: uniq };
      if (!existing) lines.push(target);
      for (const [k, v] of Object.entries(line)) {
        if (k === 'UpdateOperation' || k === 'LineNumber' || k === 'OrderUniquifier' || k === 'QuantityShippedToDate' || k === 'QuantityCommitted' || k === 'ExtendedAmount' && (line.LineType ?? target.LineType) === 'Item') continue;
        if (v !== null) target[k] = v;
      }
      touched.add(target);
    }
    const ship = new Map<number, number>();
    const need = new Map<string, number>();
    const currency = String(order.CustomerCurrency || 'USD');
    for (const l of lines) {
      if (l.LineType === 'Miscellaneous') {
        const code = String(l.MiscellaneousChargesCode ?? '');
        const misc = this.misc(code);
        if (!misc) throw fieldInvalid(`Miscellaneous charge code ${code} does not exist.`);
        if (!touched.has(l)) continue;
        if (!l.Description) l.Description = misc.description;
        if (!l.ExtendedAmount) l.ExtendedAmount = misc.amount;
        l.ExtendedAmount = money(l.ExtendedAmount as number);
        l.QuantityShipped = 0;
        continue;
      }
      const it = this.resolveItem(String(l.Item ?? ''));
      const loc = String(l.Location || order.DefaultLocationCode || '1');
      this.requireLocation(loc);
      l.Item = it.ItemNumber;
      l.Location = loc;
      if (!touched.has(l)) continue;
      if (!l.Description) l.Description = it.Description;
      if (!l.OrderUnitOfMeasure) l.OrderUnitOfMeasure = it.StockingUnitOfMeasure;
      if (!l.PriceList) l.PriceList = order.PriceListCode;
      const ordered = Number(l.QuantityOrdered);
      if (!(ordered > 0)) throw fieldInvalid(`Quantity ordered must be greater than zero (line ${String(l.LineNumber)}, item ${String(it.ItemNumber)}).`);
      const shippedToDate = Number(l.QuantityShippedToDate);
      if (ordered < shippedToDate) throw general(`Quantity ordered on line ${String(l.LineNumber)} cannot be less than the ${shippedToDate} already shipped.`);
      const q = Number(l.QuantityShipped ?? 0);
      if (q < 0) throw fieldInvalid(`Quantity shipped cannot be negative (line ${String(l.LineNumber)}).`);
      if (q > ordered - shippedToDate) throw fieldInvalid(`Quantity shipped ${q} exceeds the quantity outstanding ${ordered - shippedToDate} on line ${String(l.LineNumber)} (item ${String(it.ItemNumber)}).`);
      if (q > 0) {
        if (order.OnHold === true) throw general(`Order ${String(order.OrderNumber || '')} is on hold and cannot be shipped.`.replace('  ', ' '));
        ship.set(Number(l.LineNumber), q);
        if (it.StockItem) {
          const key = `${String(it.UnformattedItemNumber)}\u0001${loc}`;
          need.set(key, (need.get(key) ?? 0) + q);
        }
      }
      if (l.PricingUnitPrice === 0 || l.PricingUnitPrice === undefined) l.PricingUnitPrice = this.unitPrice(it, String(l.PriceList), currency);
      l.ExtendedAmount = money(new Decimal(ordered).times(l.PricingUnitPrice as number).minus((l.OrderDiscountAmount as number) ?? 0));
    }
    if (!this.allowNegativeInventory) {
      for (const [key, q] of need) {
        const [unf, loc] = key.split('\u0001') as [string, string];
        const onHand = Number(this.locationDetails.table.get(key)?.QuantityOnHand ?? 0);
        if (q > onHand) throw general(`Item ${String(this.items.table.get(unf)?.ItemNumber ?? unf)} at location ${loc}: quantity shipped ${q} exceeds quantity on hand ${onHand}.`);
      }
    }
    return { lines, ship };
  }

  /** Moves stock for the saved order: replaces its commitment footprint, ships, and produces the invoice. */
  private commitOrder(order: Row, ship: Map<number, number>): void {
    const uniq = Number(order.OrderUniquifier);
    const lines = order.OrderDetails as Row[];
    const shipLines: Row[] = [];
    const shipsNow = [...ship.values()].some((q) => q > 0);
    for (const l of lines) {
      const q = ship.get(Number(l.LineNumber)) ?? 0;
      if (q > 0) {
        l.QuantityShippedToDate = q4((l.QuantityShippedToDate as number) + q);
        shipLines.push({ ...l, QuantityShipped: q });
        const it = this.findItem(String(l.Item))!;
        if (it.StockItem) this.adjustStock(String(it.UnformattedItemNumber), String(l.Location), { onHand: -q });
      }
      // Shipped quantities move to the shipment; the line's "to ship now" field is empty again.
      l.QuantityShipped = 0;
      if (l.LineType === 'Item') {
        const outstanding = Number(l.QuantityOrdered) - Number(l.QuantityShippedToDate);
        const active = order.OrderType === 'Active';
        l.QuantityCommitted = active ? outstanding : 0;
        // Once the order has shipped, what is left on a line is a backorder (the integration's
        // "partially shipped" signal); before the first shipment nothing is backordered yet.
        l.QuantityBackordered = shipsNow || Number(order.NumberOfShipments) > 0 ? outstanding : 0;
        l.CompletedLine = outstanding === 0 ? 'Yes' : 'No';
      }
    }
    this.setFootprint(uniq, order.OrderType === 'Active' || order.OrderType === 'Future' ? lines : []);
    const subtotal = lines.reduce((s, l) => s.plus(l.ExtendedAmount as number), new Decimal(0));
    order.OrderSubtotal = money(subtotal);
    order.OrderTotal = money(subtotal.minus((order.OrderDiscountAmount as number) ?? 0));
    let shipmentNumber = '';
    if (shipLines.length) shipmentNumber = this.createShipment(order, shipLines);
    if (order.InvoiceWillBeProduced === true) {
      if (!shipmentNumber && !lines.some((l) => l.LineType === 'Miscellaneous' && l.CompletedLine !== 'Yes')) {
        throw general(`Order ${String(order.OrderNumber)} has nothing shipped to invoice.`);
      }
      this.createInvoice(order, shipLines, shipmentNumber);
    }
    order.InvoiceWillBeProduced = false;
    const open = lines.some((l) => l.LineType === 'Item' ? l.CompletedLine !== 'Yes' : l.CompletedLine !== 'Yes');
    order.OrderCompleted = open || Number(order.NumberOfInvoices) === 0 ? 'NotCompleted' : 'Completed';
  }

  private setFootprint(uniq: number, lines: Row[]): void {
    const old = this.footprints.get(uniq);
    for (const f of old ?? []) this.adjustStock(f.item, f.location, { committed: -f.qty, onSalesOrder: -f.qty });
    // A short array per order (a few lines), none for an order that holds no stock: a Map with
    // concatenated keys per order was ~4 MB of 10,000 demo orders (issue 12).
    const next: Array<{ item: string; location: string; qty: number }> = [];
    for (const l of lines) {
      if (l.LineType !== 'Item') continue;
      const it = this.findItem(String(l.Item));
      if (!it?.StockItem) continue;
      const qty = Number(l.QuantityOrdered) - Number(l.QuantityShippedToDate);
      if (qty <= 0) continue;
      const item = String(it.UnformattedItemNumber);
      const location = String(l.Location);
      const f = next.find((e) => e.item === item && e.location === location);
      if (f) f.qty += qty;
      else next.push({ item, location, qty });
    }
    for (const f of next) this.adjustStock(f.item, f.location, { committed: f.qty, onSalesOrder: f.qty });
    if (next.length) this.footprints.set(uniq, next.slice());
    else this.footprints.delete(uniq);
  }

  private createShipment(order: Row, lines: Row[]): string {
    const n = ++this.seq.shipment;
    const number = pad('SH', n);
    this.shipments.table.insert({
      ...defaults(M.shipment), ShipmentUniquifier: n, ShipmentNumber: number, OrderNumber: order.OrderNumber, OrderUniquifier: order.OrderUniquifier,
      CustomerNumber: order.CustomerNumber, PurchaseOrderNumber: order.PurchaseOrderNumber, OrderReference: order.OrderReference,
      ShipmentDate: this.today(), ShipViaCode: order.ShipViaCode, ShipmentTrackingNumber: order.ShipmentTrackingNumber,
      ShipmentDetails: lines.map((l) => ({ ShipmentUniquifier: n, LineNumber: l.LineNumber, Item: l.Item, Location: l.Location, QuantityShipped: l.QuantityShipped })),
    });
    order.LastShipmentNumber = number;
    order.LastShipmentDate = this.today();
    order.NumberOfShipments = Number(order.NumberOfShipments) + 1;
    return number;
  }

  private createInvoice(order: Row, shipLines: Row[], shipmentNumber: string): void {
    const n = ++this.seq.invoice;
    const number = pad('IN', n);
    const details: Row[] = shipLines.map((l) => ({
      InvoiceUniquifier: n, LineNumber: l.LineNumber, LineType: 'Item', Item: l.Item, Description: l.Description, Location: l.Location,
      QuantityShipped: l.QuantityShipped, PricingUnitPrice: l.PricingUnitPrice, MiscellaneousChargesCode: '',
      ExtendedAmount: money(new Decimal(l.QuantityShipped as number).times(l.PricingUnitPrice as number)),
    }));
    // Miscellaneous charges go on the first invoice that includes them.
    for (const l of order.OrderDetails as Row[]) {
      if (l.LineType !== 'Miscellaneous' || l.CompletedLine === 'Yes') continue;
      details.push({ InvoiceUniquifier: n, LineNumber: l.LineNumber, LineType: 'Miscellaneous', Item: '', Description: l.Description, Location: '', QuantityShipped: 0, PricingUnitPrice: 0, MiscellaneousChargesCode: l.MiscellaneousChargesCode, ExtendedAmount: l.ExtendedAmount });
      l.CompletedLine = 'Yes';
    }
    const subtotal = details.reduce((s, d) => s.plus(d.ExtendedAmount as number), new Decimal(0));
    this.invoices.table.insert({
      ...defaults(M.invoice), InvoiceUniquifier: n, InvoiceNumber: number, OrderNumber: order.OrderNumber, OrderUniquifier: order.OrderUniquifier,
      ShipmentNumber: shipmentNumber, CustomerNumber: order.CustomerNumber, PurchaseOrderNumber: order.PurchaseOrderNumber, OrderReference: order.OrderReference,
      InvoiceDate: this.today(), ShipViaCode: order.ShipViaCode, ShipmentTrackingNumber: order.ShipmentTrackingNumber,
      InvoiceSubtotalAmount: money(subtotal), InvoiceDiscountAmount: 0, InvoiceTotal: money(subtotal), InvoiceDetails: details,
    });
    if (shipmentNumber) {
      const sh = this.shipments.table.get(String(this.seq.shipment));
      if (sh) sh.InvoiceNumber = number;
    }
    order.LastInvoiceNumber = number;
    order.LastInvoiceDate = this.today();
    order.NumberOfInvoices = Number(order.NumberOfInvoices) + 1;
  }

  /**
   * PATCH applies the header fields sent and each detail by its UpdateOperation; lines not sent stay.
   * PUT applies the header the same way but purges every detail line the payload does not resend.
   */
  private updateOrder(row: Row, body: Row, mode: 'put' | 'patch'): Row {
    if (row.OrderCompleted === 'Completed') throw general(`Order ${String(row.OrderNumber)} is complete and cannot be changed.`);
    const order: Row = { ...row };
    for (const [k, v] of Object.entries(body)) {
      if (k === 'OrderDetails' || k === 'OrderUniquifier' || k === 'UpdateOperation' || READ_ONLY_ORDER.has(k)) continue;
      if (k === 'CustomerNumber' && v !== row.CustomerNumber) throw fieldInvalid('Customer number cannot be changed on an existing order.');
      if (k === 'OrderNumber' && v !== row.OrderNumber) throw fieldInvalid('Order number cannot be changed on an existing order.');
      if (v !== null) order[k] = v;
    }
    const customer = this.requireCustomer(String(order.CustomerNumber));
    if (body.ShipToLocationCode && body.ShipToLocationCode !== row.ShipToLocationCode) this.applyShipToLocation(order, String(order.CustomerNumber), String(body.ShipToLocationCode), body);
    this.validateOrderHeader(order, customer, row);
    const sent = (body.OrderDetails as Row[] | undefined) ?? [];
    let current = row.OrderDetails as Row[];
    const ops = sent.map((l) => ({ op: (l.UpdateOperation as 'Insert' | 'Update' | 'Unspecified' | 'Delete' | undefined) ?? 'Unspecified', line: l }));
    if (mode === 'put') {
      const kept = new Set(sent.filter((l) => l.LineNumber !== undefined).map((l) => l.LineNumber));
      const purged = current.filter((l) => !kept.has(l.LineNumber));
      const shipped = purged.find((l) => Number(l.QuantityShippedToDate) > 0);
      if (shipped) throw general(`Line ${String(shipped.LineNumber)} has been shipped and cannot be deleted.`);
      current = current.filter((l) => kept.has(l.LineNumber));
    }
    const prepared = this.prepareLines(order, current, ops, Number(order.OrderUniquifier));
    // Exact length: the lines were pushed into an array that keeps room for 16 more.
    order.OrderDetails = prepared.lines.slice();
    this.commitOrder(order, prepared.ship);
    this.orders.table.replace(order);
    return order;
  }

  private deleteOrder(row: Row): void {
    if ((row.OrderDetails as Row[]).some((l) => Number(l.QuantityShippedToDate) > 0)) throw general(`Order ${String(row.OrderNumber)} has shipments and cannot be deleted.`);
    this.setFootprint(Number(row.OrderUniquifier), []);
    this.orders.table.delete(this.orders.table.keyOf(row));
  }

  findOrderByNumber(number: string): Row | undefined {
    return this.orders.table.byIndex('OrderNumber', number)![0];
  }

  // ---------------------------------------------------------------- OE credit notes

  private createCreditNote(body: Row): Row {
    const customer = this.requireCustomer(String(body.CustomerNumber ?? ''));
    const date = String(body.CreditDebitNoteDate ?? this.today());
    this.checkFiscalDate('Credit/Debit Note Date', date);
    if (body.CNUniquifier !== undefined && this.creditNotes.table.get(String(body.CNUniquifier))) throw duplicate();
    const uniq = body.CNUniquifier !== undefined ? Number(body.CNUniquifier) : Math.max(this.seq.creditNote, ...this.creditNotes.table.rows().map((r) => Number(r.CNUniquifier))) + 1;
    const returns: Array<{ unf: string; loc: string; qty: number }> = [];
    const details = ((body.CreditDebitDetails as Row[] | undefined) ?? []).map((d, i) => {
      const line: Row = { ...defaults(M.creditNoteDetail), ...d, CNUniquifier: uniq, LineNumber: (i + 1) * 32 };
      delete line.UpdateOperation;
      if (line.LineType === 'Miscellaneous') {
        if (!this.misc(String(line.MiscellaneousChargesCode))) throw fieldInvalid(`Miscellaneous charge code ${String(line.MiscellaneousChargesCode)} does not exist.`);
        line.ExtendedAmount = money(line.ExtendedAmountMiscellaneousCharge as number);
      } else {
        const it = this.resolveItem(String(line.Item ?? ''));
        const loc = String(line.Location || customer.InventoryLocation || '1');
        this.requireLocation(loc);
        Object.assign(line, { Item: it.ItemNumber, Location: loc });
        if (!line.CreditDebitNoteUOM) line.CreditDebitNoteUOM = it.StockingUnitOfMeasure;
        if (Number(line.QuantityReturned) < 0) throw fieldInvalid('Quantity returned cannot be negative.');
        line.ExtendedAmount = money(new Decimal(line.QuantityReturned as number).times(line.UnitPrice as number));
        if (it.StockItem && Number(line.QuantityReturned) > 0) returns.push({ unf: String(it.UnformattedItemNumber), loc, qty: Number(line.QuantityReturned) });
      }
      return line;
    });
    const n = ++this.seq.creditNote;
    const note: Row = { ...defaults(M.creditNote), CreditDebitNoteType: 'CreditNote', ...body, CNUniquifier: uniq, CreditDebitNoteNumber: pad('CN', n), CreditDebitNoteDate: date, CreditDebitDetails: details };
    delete note.UpdateOperation;
    note.CreditDebitNoteTotal = money(details.reduce((s, d) => s.plus(d.ExtendedAmount as number), new Decimal(0)));
    // Returned goods go back on hand at the line's location.
    for (const r of returns) this.adjustStock(r.unf, r.loc, { onHand: note.CreditDebitNoteType === 'CreditNote' ? r.qty : -r.qty });
    this.creditNotes.table.insert(note);
    return note;
  }

  // ---------------------------------------------------------------- GL and AR batches

  private createJournalBatch(body: Row): Row {
    const n = ++this.seq.glBatch;
    const batchNumber = String(n).padStart(6, '0');
    let debits = new Decimal(0);
    let credits = new Decimal(0);
    const headers = ((body.JournalHeaders as Row[] | undefined) ?? []).map((h, hi) => {
      const entry = String(hi + 1).padStart(5, '0');
      const date = String(h.DocumentDate ?? this.today());
      this.checkFiscalDate('Document Date', date);
      let hd = new Decimal(0);
      let hc = new Decimal(0);
      const details = ((h.JournalDetails as Row[] | undefined) ?? []).map((d, di) => {
        const account = String(d.AccountNumber ?? '');
        const acct = this.findAccount(account);
        if (!acct) throw fieldInvalid(`Account ${account} does not exist.`);
        if (acct.Status === 'Inactive') throw fieldInvalid(`Account ${account} is inactive.`);
        const amount = new Decimal((d.Amount as number | undefined) ?? 0);
        if (amount.isPositive() && !amount.isZero()) hd = hd.plus(amount); else hc = hc.minus(amount);
        const out: Row = { ...defaults(M.journalDetail), SourceCurrency: 'USD', ...d, BatchNumber: batchNumber, EntryNumber: entry, TransactionNumber: String((di + 1) * 20).padStart(10, '0'), AccountNumber: acct.AccountNumber, Amount: amount.toNumber() };
        if (d.SourceCurrencyAmount === undefined) out.SourceCurrencyAmount = amount.toNumber();
        delete out.UpdateOperation;
        return out;
      });
      // Amount is signed (debit > 0, credit < 0): an entry that does not net to zero cannot be saved.
      if (!hd.equals(hc)) throw fieldInvalid(`Entry ${entry} is out of balance by ${hd.minus(hc).toFixed(2)}. Debits must equal credits.`);
      debits = debits.plus(hd);
      credits = credits.plus(hc);
      const out: Row = { ...defaults(M.journalHeader), SourceLedger: 'GL', SourceType: 'JE', ...h, BatchNumber: batchNumber, EntryNumber: entry, DocumentDate: date, PostingDate: h.PostingDate ?? date, FiscalYear: date.slice(0, 4), FiscalPeriod: date.slice(5, 7), Debits: hd.toNumber(), Credits: hc.toNumber(), JournalDetails: details };
      delete out.UpdateOperation;
      return out;
    });
    const batch: Row = {
      ...defaults(M.journalBatch), Status: 'Open', ReadyToPost: 'No', JournalBatchType: 'Entered', SourceLedger: 'GL', ...body,
      BatchNumber: batchNumber, Debits: debits.toNumber(), Credits: credits.toNumber(), NumberOfEntries: headers.length, DateCreated: this.today(), DateLastEdited: this.today(), JournalHeaders: headers,
    };
    delete batch.UpdateOperation;
    if (batch.Status === 'ReadyToPost') batch.ReadyToPost = 'Yes';
    this.glBatches.table.insert(batch);
    return batch;
  }

  private patchBatchStatus(row: Row, body: Row, statusField: string): Row {
    if (row[statusField] === 'Posted') throw general(`Batch ${String(row.BatchNumber)} has been posted and cannot be edited.`);
    const next = { ...row };
    for (const [k, v] of Object.entries(body)) {
      if (k === 'UpdateOperation' || Array.isArray(v)) continue;
      if (k === statusField && v !== 'Open' && v !== 'ReadyToPost') throw fieldInvalid(`${statusField} can only be set to Open or ReadyToPost.`);
      next[k] = v;
    }
    if (statusField === 'Status') next.ReadyToPost = next.Status === 'ReadyToPost' ? 'Yes' : 'No';
    return next;
  }

  /**
   * PATCH on an AR batch: header fields (BatchStatus), and entries with `UpdateOperation: "Insert"`
   * added to an unposted batch (the Web API's PATCH with detail UpdateOperation; the Endpoint
   * Reference lists PATCH for ARReceiptAndAdjustmentBatches and ARRefundBatches).
   */
  private patchArBatch(res: Resource, row: Row, body: Row): Row {
    const next = this.patchBatchStatus(row, body, 'BatchStatus');
    const entriesField = res.name === 'ARReceiptAndAdjustmentBatches' ? 'ReceiptsAdjustments' : 'Refunds';
    const added = body[entriesField];
    if (added === undefined) return next;
    if (!Array.isArray(added)) throw new SageApiError(400, 'InvalidPayload', `${entriesField} must be an array.`);
    const entries = [...((row[entriesField] as Row[] | undefined) ?? [])];
    let total = new Decimal(String(row.BatchTotal ?? 0));
    for (const e of added as Row[]) {
      if (e.UpdateOperation !== 'Insert') throw fieldInvalid(`Only new entries (UpdateOperation Insert) can be added to batch ${String(row.BatchNumber)} here.`);
      total = total.plus(this.checkArEntry(e));
      const entry: Row = { ...e, BatchNumber: row.BatchNumber, EntryNumber: entries.reduce((m, x) => Math.max(m, Number(x.EntryNumber ?? 0)), 0) + 1 };
      if (res.name === 'ARReceiptAndAdjustmentBatches') entry.BatchType = row.BatchRecordType;
      delete entry.UpdateOperation;
      entries.push(entry);
    }
    return { ...next, [entriesField]: entries, NumberOfEntries: entries.length, BatchTotal: money(total), DateLastEdited: this.today() };
  }

  /** One receipt/refund entry: the customer exists, the amount is a number, applied documents exist. Returns the amount. */
  private checkArEntry(e: Row): Decimal {
    const customer = String(e.CustomerNumber ?? '');
    this.requireCustomer(customer);
    const amount = e.BankReceiptAmount ?? e.CustomerReceiptAmount ?? e.RefundAmount ?? e.CustomerRefundAmount ?? 0;
    if (typeof amount !== 'number' && typeof amount !== 'string') throw new SageApiError(400, 'InvalidPayload', 'Amounts must be numbers.');
    for (const a of (e.AppliedReceiptsAdjustments as Row[] | undefined) ?? []) {
      // A receipt is applied to a posted document of the customer (an invoice); a prepayment may name a
      // document not yet invoiced (the order number, applied when its invoice is posted).
      if (e.ReceiptTransactionType === 'Receipt' && a.DocumentNumber !== undefined) {
        const doc = String(a.DocumentNumber);
        const inv = this.invoices.table.byIndex('InvoiceNumber', doc)?.[0];
        if (!inv || inv.CustomerNumber !== customer) throw fieldInvalid(`Document number ${doc} does not exist for customer ${customer}.`);
      }
      for (const g of (a.AdjustmentGLDistributions as Row[] | undefined) ?? []) {
        const acct = String(g.DistributionGLAccount ?? '');
        if (acct && !this.findAccount(acct)) throw fieldInvalid(`Account ${acct} does not exist.`);
      }
    }
    return new Decimal(amount);
  }

  private createArBatch(res: Resource, body: Row): Row {
    const isReceipt = res.name === 'ARReceiptAndAdjustmentBatches';
    const type = isReceipt ? String(body.BatchRecordType ?? '') : '';
    if (isReceipt && type !== 'CA' && type !== 'AD') throw fieldInvalid('BatchRecordType must be CA (receipts) or AD (adjustments).');
    if (body.BankCode !== undefined && body.BankCode !== '' && !this.banks.has(String(body.BankCode))) throw fieldInvalid(`Bank ${String(body.BankCode)} does not exist.`);
    const date = String(body.BatchDate ?? this.today());
    this.checkFiscalDate('Batch Date', date);
    const entriesField = isReceipt ? 'ReceiptsAdjustments' : 'Refunds';
    const entries = (body[entriesField] as Row[] | undefined) ?? [];
    if (!Array.isArray(entries)) throw new SageApiError(400, 'InvalidPayload', `${entriesField} must be an array.`);
    let total = new Decimal(0);
    for (const e of entries) total = total.plus(this.checkArEntry(e));
    const n = ++this.seq.arBatch;
    const batch: Row = { ...defaults(res.schema), BatchStatus: 'Open', ...body, BatchNumber: n, BatchDate: date, NumberOfEntries: entries.length, BatchTotal: money(total) };
    if (isReceipt) batch.BatchRecordType = type;
    const renumber = (x: unknown): unknown => {
      if (Array.isArray(x)) return x.map(renumber);
      if (x && typeof x === 'object') {
        const o: Row = {};
        for (const [k, v] of Object.entries(x as Row)) o[k] = k === 'BatchNumber' ? n : renumber(v);
        return o;
      }
      return x;
    };
    // Sage numbers the entries of a batch 1, 2, … (EntryNumber in the prepayment sample's answer).
    batch[entriesField] = (renumber(entries) as Row[]).map((e, i) => ({ ...e, BatchNumber: n, EntryNumber: i + 1 }));
    delete batch.UpdateOperation;
    res.table.insert(batch);
    return batch;
  }

  // ---------------------------------------------------------------- processes ('$process')

  private defineProcesses(): void {
    const post = (res: Resource, statusField: string) => (body: Row): Row => {
      const all = String(body.PostAllBatches ?? '').toLowerCase() === 'postallbatches';
      const from = Number(body.FromBatch ?? body.FromBatchNumber ?? 0);
      const to = Number(body.ToBatch ?? body.ToBatchNumber ?? from);
      if (!all && !(from > 0)) throw new SageApiError(400, 'InvalidPayload', 'Send "PostAllBatches":"Postallbatches" or a FromBatch/ToBatch range.');
      const wanted = res.table.rows().filter((b) => b[statusField] === 'ReadyToPost' && (all || (Number(b.BatchNumber) >= from && Number(b.BatchNumber) <= to)));
      const inRange = res.table.rows().filter((b) => !all && Number(b.BatchNumber) >= from && Number(b.BatchNumber) <= to);
      if (!all && inRange.length && wanted.length === 0 && inRange.some((b) => b[statusField] !== 'Posted')) throw general('No batches in the range are ready to post. Set the batch status to ReadyToPost first.');
      for (const b of wanted) {
        const posted = { ...b, [statusField]: 'Posted', PostingSequence: ++this.seq.posting };
        if (statusField === 'Status') posted.ReadyToPost = 'No';
        res.table.replace(posted);
      }
      return { ...body, NumberOfBatchesPosted: wanted.length, PostingSequence: this.seq.posting };
    };
    const ar = (name: string) => this.resources.get(`AR/${name}`)!;
    this.processes.set('GL/GLPostJournal', { module: 'GL', name: 'GLPostJournal', run: post(this.glBatches, 'Status') });
    this.processes.set('AR/ARPostReceiptsAndAdjustments', { module: 'AR', name: 'ARPostReceiptsAndAdjustments', run: post(ar('ARReceiptAndAdjustmentBatches'), 'BatchStatus') });
    this.processes.set('AR/ARPostRefunds', { module: 'AR', name: 'ARPostRefunds', run: post(ar('ARRefundBatches'), 'BatchStatus') });
    this.processes.set('AR/ARPostInvoices', { module: 'AR', name: 'ARPostInvoices', run: post(ar('ARInvoiceBatches'), 'BatchStatus') });
    this.processes.set('AR/ARCreateGLBatch', { module: 'AR', name: 'ARCreateGLBatch', run: (b) => ({ ...b }) });
    this.processes.set('IC/ICDayEndProcessing', { module: 'IC', name: 'ICDayEndProcessing', run: (b) => ({ ...b }) });
  }

  /** Master data the sandbox stores as the official samples show it, without business rules. */
  defineGeneric(module: string, name: string, type: string, keys: string[], generated?: string): Resource {
    const schema = model(module, type, Object.fromEntries(keys.map((k) => [k, k === generated ? { t: 'number' } : { t: 'string' }])) as Schema['fields'], true);
    const res: Resource = this.define(module, name, schema, keys, generated ? {
      create: (b) => {
        const row = { ...b, [generated]: ++this.seq.generic };
        delete row.UpdateOperation;
        res.table.insert(row);
        return row;
      },
    } : {}, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], undefined, generated ? [generated] : []);
    return res;
  }

  readBody(res: Resource, body: unknown): Row {
    return readPayload(res.schema, body);
  }
}

/** Order fields the view computes; a client sending them is ignored, as the view ignores them. */
const READ_ONLY_ORDER = new Set(['LastShipmentNumber', 'LastShipmentDate', 'NumberOfShipments', 'LastInvoiceNumber', 'LastInvoiceDate', 'NumberOfInvoices', 'OrderSubtotal', 'OrderTotal', 'OrderCompleted', 'CustomerName']);

export { notFound };
