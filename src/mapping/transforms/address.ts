// Address normalisation: USPS Publication 28 street suffixes (appendix C1), secondary unit
// designators (C2) and directionals, US/Canadian state and province codes, ISO 3166 countries
// (alpha-2 ↔ alpha-3 ↔ English name, via i18n-iso-countries), postal-code formats, and splitting to
// the target's address lines with truncation. Every function is idempotent: normalising an already
// normalised value changes nothing (a property test checks it).
import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };

countries.registerLocale(en);

// Pub 28 C1: common suffix names and their variants → standard abbreviation (the abbreviation maps
// to itself so a second pass is a no-op).
const SUFFIX_GROUPS: Array<[string, string[]]> = [
  ['ALY', ['ALLEY', 'ALLEE', 'ALLY']], ['ANX', ['ANNEX', 'ANNX', 'ANEX']], ['ARC', ['ARCADE']], ['AVE', ['AVENUE', 'AV', 'AVEN', 'AVENU', 'AVN', 'AVNUE']],
  ['BYU', ['BAYOU', 'BAYOO']], ['BCH', ['BEACH']], ['BND', ['BEND']], ['BLF', ['BLUFF', 'BLUF']], ['BTM', ['BOTTOM', 'BOT', 'BOTTM']],
  ['BLVD', ['BOULEVARD', 'BOUL', 'BOULV']], ['BR', ['BRANCH', 'BRNCH']], ['BRG', ['BRIDGE', 'BRDGE']], ['BRK', ['BROOK']], ['BYP', ['BYPASS', 'BYPA', 'BYPAS', 'BYPS']],
  ['CP', ['CAMP', 'CMP']], ['CYN', ['CANYON', 'CANYN', 'CNYN']], ['CPE', ['CAPE']], ['CSWY', ['CAUSEWAY', 'CAUSWA']], ['CTR', ['CENTER', 'CEN', 'CENT', 'CENTR', 'CENTRE', 'CNTER', 'CNTR']],
  ['CIR', ['CIRCLE', 'CIRC', 'CIRCL', 'CRCL', 'CRCLE']], ['CLF', ['CLIFF']], ['CLFS', ['CLIFFS']], ['CLB', ['CLUB']], ['COR', ['CORNER']], ['CORS', ['CORNERS']],
  ['CRSE', ['COURSE']], ['CT', ['COURT']], ['CTS', ['COURTS']], ['CV', ['COVE']], ['CRK', ['CREEK']], ['CRES', ['CRESCENT', 'CRSENT', 'CRSNT']], ['XING', ['CROSSING', 'CRSSNG']],
  ['DL', ['DALE']], ['DM', ['DAM']], ['DV', ['DIVIDE', 'DIV', 'DVD']], ['DR', ['DRIVE', 'DRIV', 'DRV']], ['DRS', ['DRIVES']], ['EST', ['ESTATE']], ['ESTS', ['ESTATES']],
  ['EXPY', ['EXPRESSWAY', 'EXP', 'EXPR', 'EXPRESS', 'EXPW']], ['EXT', ['EXTENSION', 'EXTN', 'EXTNSN']], ['FLS', ['FALLS']], ['FRY', ['FERRY', 'FRRY']], ['FLD', ['FIELD']],
  ['FLDS', ['FIELDS']], ['FLT', ['FLAT']], ['FRD', ['FORD']], ['FRST', ['FOREST', 'FORESTS']], ['FRG', ['FORGE', 'FORG']], ['FRK', ['FORK']], ['FT', ['FORT', 'FRT']],
  ['FWY', ['FREEWAY', 'FREEWY', 'FRWAY', 'FRWY']], ['GDN', ['GARDEN', 'GARDN', 'GRDEN', 'GRDN']], ['GDNS', ['GARDENS', 'GRDNS']], ['GTWY', ['GATEWAY', 'GATEWY', 'GATWAY', 'GTWAY']],
  ['GLN', ['GLEN']], ['GRN', ['GREEN']], ['GRV', ['GROVE', 'GROV']], ['HBR', ['HARBOR', 'HARB', 'HARBR', 'HRBOR']], ['HVN', ['HAVEN']], ['HTS', ['HEIGHTS', 'HT']],
  ['HWY', ['HIGHWAY', 'HIGHWY', 'HIWAY', 'HIWY', 'HWAY']], ['HL', ['HILL']], ['HLS', ['HILLS']], ['HOLW', ['HOLLOW', 'HLLW', 'HOLLOWS', 'HOLWS']], ['IS', ['ISLAND', 'ISLND']],
  ['JCT', ['JUNCTION', 'JCTION', 'JCTN', 'JUNCTN', 'JUNCTON']], ['KY', ['KEY']], ['KNL', ['KNOLL', 'KNOL']], ['LK', ['LAKE']], ['LKS', ['LAKES']], ['LNDG', ['LANDING', 'LNDNG']],
  ['LN', ['LANE']], ['LGT', ['LIGHT']], ['LOOP', ['LOOPS']], ['MNR', ['MANOR']], ['MDW', ['MEADOW']], ['MDWS', ['MEADOWS', 'MEDOWS']], ['ML', ['MILL']], ['MLS', ['MILLS']],
  ['MSN', ['MISSION', 'MISSN', 'MSSN']], ['MTWY', ['MOTORWAY']], ['MT', ['MOUNT', 'MNT']], ['MTN', ['MOUNTAIN', 'MNTAIN', 'MNTN', 'MOUNTIN', 'MTIN']], ['NCK', ['NECK']],
  ['ORCH', ['ORCHARD', 'ORCHRD']], ['OVAL', ['OVL']], ['OPAS', ['OVERPASS']], ['PARK', ['PRK', 'PARKS']], ['PKWY', ['PARKWAY', 'PARKWY', 'PKWAY', 'PKY', 'PARKWAYS', 'PKWYS']],
  ['PASS', []], ['PSGE', ['PASSAGE']], ['PATH', ['PATHS']], ['PIKE', ['PIKES']], ['PNE', ['PINE']], ['PNES', ['PINES']], ['PL', ['PLACE']], ['PLN', ['PLAIN']], ['PLNS', ['PLAINS']],
  ['PLZ', ['PLAZA', 'PLZA']], ['PT', ['POINT']], ['PTS', ['POINTS']], ['PRT', ['PORT']], ['PR', ['PRAIRIE', 'PRR']], ['RADL', ['RADIAL', 'RAD', 'RADIEL']], ['RNCH', ['RANCH', 'RANCHES', 'RNCHS']],
  ['RPD', ['RAPID']], ['RPDS', ['RAPIDS']], ['RST', ['REST']], ['RDG', ['RIDGE', 'RDGE']], ['RIV', ['RIVER', 'RVR', 'RIVR']], ['RD', ['ROAD']], ['RDS', ['ROADS']], ['RTE', ['ROUTE']],
  ['ROW', []], ['RUN', []], ['SHR', ['SHORE', 'SHOAR']], ['SHRS', ['SHORES', 'SHOARS']], ['SKWY', ['SKYWAY']], ['SPG', ['SPRING', 'SPNG', 'SPRNG']], ['SPGS', ['SPRINGS', 'SPNGS', 'SPRNGS']],
  ['SQ', ['SQUARE', 'SQR', 'SQRE', 'SQU']], ['STA', ['STATION', 'STATN', 'STN']], ['STRA', ['STRAVENUE', 'STRAV', 'STRAVEN', 'STRAVN', 'STRVN', 'STRVNUE']], ['STRM', ['STREAM', 'STREME']],
  ['ST', ['STREET', 'STRT', 'STR']], ['STS', ['STREETS']], ['SMT', ['SUMMIT', 'SUMIT', 'SUMITT']], ['TER', ['TERRACE', 'TERR']], ['TRCE', ['TRACE', 'TRACES']], ['TRAK', ['TRACK', 'TRACKS', 'TRK', 'TRKS']],
  ['TRL', ['TRAIL', 'TRAILS', 'TRLS']], ['TUNL', ['TUNNEL', 'TUNEL', 'TUNLS', 'TUNNELS', 'TUNNL']], ['TPKE', ['TURNPIKE', 'TRNPK', 'TURNPK']], ['UN', ['UNION']], ['VLY', ['VALLEY', 'VALLY', 'VLLY']],
  ['VIA', ['VIADUCT', 'VDCT', 'VIADCT']], ['VW', ['VIEW']], ['VLG', ['VILLAGE', 'VILL', 'VILLAG', 'VILLG', 'VILLIAGE']], ['VL', ['VILLE']], ['VIS', ['VISTA', 'VIST', 'VST', 'VSTA']],
  ['WALK', ['WALKS']], ['WAY', ['WY']], ['WL', ['WELL']], ['WLS', ['WELLS']],
];
// Pub 28 C2: secondary unit designators.
const UNIT_GROUPS: Array<[string, string[]]> = [
  ['APT', ['APARTMENT']], ['BLDG', ['BUILDING']], ['DEPT', ['DEPARTMENT']], ['FL', ['FLOOR']], ['HNGR', ['HANGAR']], ['LOT', []], ['PH', ['PENTHOUSE']],
  ['RM', ['ROOM']], ['SPC', ['SPACE']], ['STE', ['SUITE']], ['TRLR', ['TRAILER']], ['UNIT', []], ['BSMT', ['BASEMENT']], ['FRNT', ['FRONT']], ['OFC', ['OFFICE']], ['REAR', []],
];
const DIRECTIONS: Record<string, string> = {
  NORTH: 'N', SOUTH: 'S', EAST: 'E', WEST: 'W', NORTHEAST: 'NE', NORTHWEST: 'NW', SOUTHEAST: 'SE', SOUTHWEST: 'SW',
  N: 'N', S: 'S', E: 'E', W: 'W', NE: 'NE', NW: 'NW', SE: 'SE', SW: 'SW',
};

const ABBR_DIR = new Set(['N', 'S', 'E', 'W', 'NE', 'NW', 'SE', 'SW']);

function index(groups: Array<[string, string[]]>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [abbr, variants] of groups) {
    m.set(abbr, abbr);
    for (const v of variants) m.set(v, abbr);
  }
  return m;
}
const SUFFIX = index(SUFFIX_GROUPS);
const UNIT = index(UNIT_GROUPS);

export type Casing = 'keep' | 'upper' | 'title';

const title = (w: string) => (w.length <= 1 ? w.toUpperCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase());

/**
 * "123 north main street apartment 4" → "123 N Main St Apt 4" (casing 'keep' leaves the other words
 * alone; 'upper' is Pub 28's own style).
 */
export function normalizeStreet(input: string, casing: Casing = 'keep'): string {
  // Periods go (Pub 28 uses none) except inside numbers such as "1.5"; commas become spaces.
  let s = input.replace(/,/g, ' ').replace(/\.(?!\d)/g, ' ').replace(/\s+/g, ' ').trim();
  if (!s) return s;
  const words = s.split(' ');
  const up = words.map((w) => w.toUpperCase());
  // A unit designator after the street, or opening a line of its own ("Suite 1200" as address line 2,
  // recognised only when a number follows, so "Front Street" stays a street).
  let unitAt = up.findIndex((w, i) => (i > 0 || (words.length > 1 && words.length <= 3 && /\d/.test(words[1]!))) && (UNIT.has(w) || w === '#' || (w.startsWith('#') && w.length > 1)));
  if (unitAt < 0) unitAt = words.length;
  const out = [...words];
  const styled = (abbr: string) => (casing === 'upper' ? abbr : title(abbr));
  // The suffix is the last word before the unit, provided a street name precedes it.
  const last = unitAt - 1;
  if (last >= 2 && DIRECTIONS[up[last]!] && SUFFIX.has(up[last - 1]!) && last - 1 >= 2) {
    out[last] = DIRECTIONS[up[last]!]!; // post-directional
    out[last - 1] = styled(SUFFIX.get(up[last - 1]!)!);
  } else if (last >= 2 && SUFFIX.has(up[last]!)) {
    out[last] = styled(SUFFIX.get(up[last]!)!);
  }
  // Pre-directional right after the house number, when more name words follow.
  if (words.length > 3 && /\d/.test(words[0]!) && DIRECTIONS[up[1]!] && unitAt > 3) out[1] = DIRECTIONS[up[1]!]!;
  if (unitAt < words.length && UNIT.has(up[unitAt]!)) out[unitAt] = styled(UNIT.get(up[unitAt]!)!);
  s = out.join(' ');
  if (casing === 'upper') return s.toUpperCase();
  // Directional abbreviations stay upper case (NE, not Ne), so a second pass changes nothing.
  if (casing === 'title') return s.split(' ').map((w, i) => (ABBR_DIR.has(w.toUpperCase()) ? w.toUpperCase() : out[i] !== words[i] || /\d/.test(w) ? w : title(w))).join(' ');
  return s;
}

const US_STATES: Record<string, string> = {
  ALABAMA: 'AL', ALASKA: 'AK', ARIZONA: 'AZ', ARKANSAS: 'AR', CALIFORNIA: 'CA', COLORADO: 'CO', CONNECTICUT: 'CT', DELAWARE: 'DE', 'DISTRICT OF COLUMBIA': 'DC',
  FLORIDA: 'FL', GEORGIA: 'GA', HAWAII: 'HI', IDAHO: 'ID', ILLINOIS: 'IL', INDIANA: 'IN', IOWA: 'IA', KANSAS: 'KS', KENTUCKY: 'KY', LOUISIANA: 'LA', MAINE: 'ME',
  MARYLAND: 'MD', MASSACHUSETTS: 'MA', MICHIGAN: 'MI', MINNESOTA: 'MN', MISSISSIPPI: 'MS', MISSOURI: 'MO', MONTANA: 'MT', NEBRASKA: 'NE', NEVADA: 'NV',
  'NEW HAMPSHIRE': 'NH', 'NEW JERSEY': 'NJ', 'NEW MEXICO': 'NM', 'NEW YORK': 'NY', 'NORTH CAROLINA': 'NC', 'NORTH DAKOTA': 'ND', OHIO: 'OH', OKLAHOMA: 'OK',
  OREGON: 'OR', PENNSYLVANIA: 'PA', 'RHODE ISLAND': 'RI', 'SOUTH CAROLINA': 'SC', 'SOUTH DAKOTA': 'SD', TENNESSEE: 'TN', TEXAS: 'TX', UTAH: 'UT', VERMONT: 'VT',
  VIRGINIA: 'VA', WASHINGTON: 'WA', 'WEST VIRGINIA': 'WV', WISCONSIN: 'WI', WYOMING: 'WY', 'PUERTO RICO': 'PR', GUAM: 'GU', 'VIRGIN ISLANDS': 'VI',
  'AMERICAN SAMOA': 'AS', 'NORTHERN MARIANA ISLANDS': 'MP', 'ARMED FORCES AMERICAS': 'AA', 'ARMED FORCES EUROPE': 'AE', 'ARMED FORCES PACIFIC': 'AP',
};
const CA_PROVINCES: Record<string, string> = {
  ALBERTA: 'AB', 'BRITISH COLUMBIA': 'BC', MANITOBA: 'MB', 'NEW BRUNSWICK': 'NB', 'NEWFOUNDLAND AND LABRADOR': 'NL', 'NOVA SCOTIA': 'NS', ONTARIO: 'ON',
  'PRINCE EDWARD ISLAND': 'PE', QUEBEC: 'QC', QUÉBEC: 'QC', SASKATCHEWAN: 'SK', 'NORTHWEST TERRITORIES': 'NT', NUNAVUT: 'NU', YUKON: 'YT',
};
const SUBDIVISIONS: Record<string, { byName: Record<string, string>; codes: Set<string> }> = {
  US: { byName: US_STATES, codes: new Set(Object.values(US_STATES)) },
  CA: { byName: CA_PROVINCES, codes: new Set(Object.values(CA_PROVINCES)) },
};

/** State/province code for US and CA (name or code in, code out); undefined when unknown there. Other countries pass through trimmed. */
export function stateCode(state: string, country: string | undefined): string | undefined {
  const s = state.replace(/\s+/g, ' ').trim();
  const sub = country ? SUBDIVISIONS[country] : undefined;
  if (!sub) return s;
  const up = s.toUpperCase().replace(/\./g, '');
  if (sub.codes.has(up)) return up;
  return sub.byName[up];
}

/** ISO 3166-1 alpha-2 from alpha-2, alpha-3, numeric or an English name; undefined when unknown. */
export function countryAlpha2(value: string): string | undefined {
  const v = value.trim();
  if (/^[A-Za-z]{2}$/.test(v)) return countries.isValid(v.toUpperCase()) ? v.toUpperCase() : v.toUpperCase() === 'UK' ? 'GB' : undefined;
  if (/^[A-Za-z]{3}$/.test(v)) return countries.alpha3ToAlpha2(v.toUpperCase()) ?? undefined;
  if (/^\d{3}$/.test(v)) return countries.numericToAlpha2(v) ?? undefined;
  return countries.getAlpha2Code(v, 'en') ?? undefined;
}
export function countryAlpha3(value: string): string | undefined {
  const a2 = countryAlpha2(value);
  return a2 ? countries.alpha2ToAlpha3(a2) : undefined;
}
export function countryName(value: string): string | undefined {
  const a2 = countryAlpha2(value);
  return a2 ? countries.getName(a2, 'en') : undefined;
}

/** Postal code in the country's usual format; `ok: false` when it does not look like one. */
export function formatPostal(code: string, country: string | undefined): { value: string; ok: boolean } {
  const raw = code.trim().replace(/\s+/g, ' ');
  switch (country) {
    case 'US': {
      const d = raw.replace(/[\s-]/g, '');
      if (/^\d{5}$/.test(d)) return { value: d, ok: true };
      if (/^\d{9}$/.test(d)) return { value: `${d.slice(0, 5)}-${d.slice(5)}`, ok: true };
      return { value: raw, ok: false };
    }
    case 'CA': {
      const d = raw.replace(/\s/g, '').toUpperCase();
      return /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\d[ABCEGHJ-NPRSTV-Z]\d$/.test(d) ? { value: `${d.slice(0, 3)} ${d.slice(3)}`, ok: true } : { value: raw, ok: false };
    }
    case 'GB': {
      const d = raw.replace(/\s/g, '').toUpperCase();
      return /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/.test(d) ? { value: `${d.slice(0, -3)} ${d.slice(-3)}`, ok: true } : { value: raw, ok: false };
    }
    case 'DE':
    case 'FR':
    case 'IT':
    case 'ES':
      return /^\d{5}$/.test(raw) ? { value: raw, ok: true } : { value: raw, ok: false };
    case 'JP': {
      const d = raw.replace(/[\s-]/g, '');
      return /^\d{7}$/.test(d) ? { value: `${d.slice(0, 3)}-${d.slice(3)}`, ok: true } : { value: raw, ok: false };
    }
    default:
      return { value: raw.toUpperCase(), ok: raw.length > 0 };
  }
}

/**
 * Fits free-text address parts into `count` lines of at most `width` characters, breaking at word
 * boundaries. `truncated` is true when text had to be cut (the caller warns).
 */
export function splitLines(parts: string[], count: number, width: number): { lines: string[]; truncated: boolean } {
  const words: string[][] = parts.map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean).map((p) => p.split(' '));
  const lines: string[] = [];
  let truncated = false;
  for (const partWords of words) {
    let cur = '';
    for (const w of partWords) {
      if (!cur) cur = w;
      else if (cur.length + 1 + w.length <= width) cur += ` ${w}`;
      else {
        lines.push(cur);
        cur = w;
      }
    }
    if (cur) lines.push(cur);
  }
  const out: string[] = [];
  for (const l of lines) {
    if (out.length < count) out.push(l.length > width ? ((truncated = true), l.slice(0, width)) : l);
    else {
      // No line left: append to the last one as far as it fits.
      truncated = true;
      const last = out[count - 1]!;
      if (last.length + 1 < width) out[count - 1] = `${last} ${l}`.slice(0, width);
    }
  }
  return { lines: out, truncated };
}
