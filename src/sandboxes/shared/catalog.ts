// The merchant behind every sandbox: one product catalog and customer list generated from a fixed
// seed. A real merchant keeps the same catalog in its shop and its ERP (the ERP is the master and
// pushes products to the shop), so the X-Cart and Sage 300 sandboxes — and Amazon and X3 — start from
// the same items. Item numbers are segmented like a Sage 300 item structure: CATEGORY-STYLE-COLOUR,
// e.g. formatted "A1-1002-BLK", unformatted "A11002BLK". Shops use the formatted number as SKU.
import { Random } from './random.js';

export interface CatalogItem {
  /** Formatted item number, segments joined by '-' (Sage 300 "formatted", X3 ITMREF, shop SKU). */
  itemNo: string;
  /** The same number without separators (Sage 300 "unformatted"). */
  unformatted: string;
  segments: [string, string, string];
  description: string;
  category: string;
  /** Unit price in USD as a decimal string. */
  price: string;
  /** Unit cost in USD as a decimal string. */
  cost: string;
  weightLb: string;
  /** Units on hand at each warehouse location. */
  stock: Record<string, number>;
}

export interface CatalogCustomer {
  /** ERP customer number, e.g. "C00012". */
  number: string;
  firstName: string;
  lastName: string;
  company: string | null;
  email: string;
  phone: string;
  address: { street: string; street2: string | null; city: string; state: string; zip: string; country: string };
}

export const LOCATIONS = ['1', '2'] as const;

const CATEGORIES = [
  ['A1', 'Apparel'], ['B2', 'Bags'], ['C3', 'Camping'], ['D4', 'Drinkware'], ['E5', 'Electronics'], ['F6', 'Footwear'],
] as const;
const NOUNS: Record<string, string[]> = {
  Apparel: ['Fleece Jacket', 'Rain Shell', 'Merino Tee', 'Hiking Pants', 'Beanie', 'Softshell Vest'],
  Bags: ['Daypack 22L', 'Duffel 40L', 'Sling Bag', 'Laptop Backpack', 'Dry Bag 10L'],
  Camping: ['Tent 2P', 'Sleeping Bag -5C', 'Camp Stove', 'Headlamp 400lm', 'Trekking Poles'],
  Drinkware: ['Insulated Bottle 750ml', 'Camp Mug', 'Tumbler 500ml', 'Water Filter'],
  Electronics: ['Solar Charger', 'GPS Watch', 'Power Bank 20000mAh', 'Bluetooth Speaker'],
  Footwear: ['Trail Runner', 'Hiking Boot', 'Camp Sandal', 'Wool Socks 3-Pack'],
};
const COLOURS = [['BLK', 'Black'], ['NAV', 'Navy'], ['RED', 'Red'], ['GRN', 'Green'], ['GRY', 'Grey']] as const;
const FIRST = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Elijah', 'Sophia', 'Lucas', 'Mia', 'Mateo', 'Chloé', 'José', 'Zoë', 'Björn', "O'Neil"];
const LAST = ['Smith', 'Johnson', 'Garcia', 'Brown', 'Nguyen', 'Martinez', 'Okafor', 'Müller', 'Kowalski', "D'Angelo", 'Lee', 'Patel'];
const STREETS = ['Main Street', 'Oak Avenue', 'Maple Road', 'Cedar Boulevard', 'Pine Lane', 'Elm Drive', 'Lakeview Court', 'Highland Parkway'];
const CITIES: Array<[string, string, string, string]> = [
  ['Portland', 'OR', '97205', 'US'], ['Seattle', 'WA', '98101', 'US'], ['Denver', 'CO', '80202', 'US'], ['Austin', 'TX', '78701', 'US'],
  ['Boston', 'MA', '02108', 'US'], ['Chicago', 'IL', '60601', 'US'], ['Vancouver', 'BC', 'V6B 1A1', 'CA'], ['Toronto', 'ON', 'M5H 2N2', 'CA'],
];

export interface Catalog {
  items: CatalogItem[];
  customers: CatalogCustomer[];
}

/** Deterministic for a given seed and size: the same seed always yields the same merchant. */
export function generateCatalog(seed = 1, itemCount = 300, customerCount = 120): Catalog {
  const rnd = new Random(seed);
  const items: CatalogItem[] = [];
  let style = 1000;
  while (items.length < itemCount) {
    const [catCode, category] = CATEGORIES[items.length % CATEGORIES.length]!;
    const noun = rnd.pick(NOUNS[category]!);
    style += rnd.int(1, 3);
    const colours = COLOURS.slice(0, rnd.int(1, COLOURS.length));
    const priceCents = rnd.int(8, 400) * 100 - rnd.pick([1, 5, 0]);
    for (const [colCode, colour] of colours) {
      if (items.length >= itemCount) break;
      const segments: [string, string, string] = [catCode, String(style), colCode];
      items.push({
        itemNo: segments.join('-'),
        unformatted: segments.join(''),
        segments,
        description: `${noun} ${colour}`,
        category,
        price: (priceCents / 100).toFixed(2),
        cost: ((priceCents * 0.45) / 100).toFixed(2),
        weightLb: (rnd.int(2, 120) / 10).toFixed(1),
        stock: Object.fromEntries(LOCATIONS.map((l) => [l, rnd.int(0, 400)])),
      });
    }
  }
  const customers: CatalogCustomer[] = [];
  for (let i = 1; i <= customerCount; i++) {
    const firstName = rnd.pick(FIRST);
    const lastName = rnd.pick(LAST);
    const [city, state, zip, country] = rnd.pick(CITIES);
    const local = `${firstName}.${lastName}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
    customers.push({
      number: `C${String(i).padStart(5, '0')}`,
      firstName,
      lastName,
      company: rnd.chance(0.3) ? `${lastName} Outfitters` : null,
      email: `${local}${i}@example.com`,
      phone: country === 'US' || country === 'CA' ? `+1 503 555 ${String(rnd.int(0, 9999)).padStart(4, '0')}` : '+44 20 7946 0000',
      address: { street: `${rnd.int(1, 9999)} ${rnd.pick(STREETS)}`, street2: rnd.chance(0.2) ? `Apt ${rnd.int(1, 40)}` : null, city, state, zip, country },
    });
  }
  return { items, customers };
}
