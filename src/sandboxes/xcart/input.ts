// Reading write payloads the way API Platform does: the JSON is first deserialised into the input
// DTO (a wrong type is a 400 "The type of the "x" attribute must be "float", "string" given."),
// then the DTO is validated (each failing constraint a 422 violation). Attributes the DTO does not
// declare are ignored (API Platform's default `allow_extra_attributes`).
import { ApiError } from './http.js';

export type FieldType = 'string' | 'float' | 'int' | 'bool' | 'int[]' | 'string[]' | 'nullable-string' | 'nullable-int';
export interface FieldRule {
  type: FieldType;
  notBlank?: boolean;
  min?: number;
  max?: number;
  positiveOrZero?: boolean;
  positive?: boolean;
  email?: boolean;
  choice?: Array<string | number>;
  /** X-Cart's own @Date constraint on a string field. */
  date?: boolean;
}
export type Violation = { propertyPath: string; message: string };

const phpType = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v === 'boolean' ? 'bool' : typeof v === 'object' ? 'array' : String(typeof v);

/** Deserialises known attributes (type errors → 400); constraints are checked later by `validate`. */
export function readInput(body: Record<string, unknown>, rules: Record<string, FieldRule>): { values: Record<string, unknown> } {
  const values: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(rules)) {
    if (!(name in body)) continue;
    const v = body[name];
    const bad = (want: string) => new ApiError(400, `The type of the "${name}" attribute must be "${want}", "${phpType(v)}" given.`);
    switch (rule.type) {
      case 'string':
        if (typeof v !== 'string') throw bad('string');
        break;
      case 'nullable-string':
        if (v !== null && typeof v !== 'string') throw bad('string');
        break;
      case 'float':
        if (typeof v !== 'number' || !Number.isFinite(v)) throw bad('float');
        break;
      case 'int':
        if (typeof v !== 'number' || !Number.isInteger(v)) throw bad('int');
        break;
      case 'nullable-int':
        if (v !== null && (typeof v !== 'number' || !Number.isInteger(v))) throw bad('int');
        break;
      case 'bool':
        if (typeof v !== 'boolean') throw bad('bool');
        break;
      case 'int[]':
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) throw bad('array');
        break;
      case 'string[]':
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad('array');
        break;
    }
    values[name] = v;
  }
  return { values };
}

/** Constraint checks on the merged DTO (after PUT pre-fills it from the entity). */
export function validate(dto: Record<string, unknown>, rules: Record<string, FieldRule>): Violation[] {
  const out: Violation[] = [];
  for (const [name, rule] of Object.entries(rules)) {
    const v = dto[name];
    if (rule.notBlank && (v === undefined || v === null || v === '')) out.push({ propertyPath: name, message: 'This value should not be blank.' });
    // Symfony's Length ignores null and '' for min (NotBlank reports those).
    if (typeof v === 'string' && v !== '' && rule.min !== undefined && [...v].length < rule.min) out.push({ propertyPath: name, message: rule.min === rule.max ? `This value should have exactly ${rule.min} character${rule.min === 1 ? '' : 's'}.` : `This value is too short. It should have ${rule.min} character${rule.min === 1 ? '' : 's'} or more.` });
    if (typeof v === 'string' && rule.max !== undefined && [...v].length > rule.max && rule.min !== rule.max) out.push({ propertyPath: name, message: `This value is too long. It should have ${rule.max} character${rule.max === 1 ? '' : 's'} or less.` });
    if (typeof v === 'string' && rule.max !== undefined && rule.min === rule.max && v !== '' && [...v].length > rule.max) out.push({ propertyPath: name, message: `This value should have exactly ${rule.max} character${rule.max === 1 ? '' : 's'}.` });
    if (typeof v === 'number' && rule.positiveOrZero && v < 0) out.push({ propertyPath: name, message: 'This value should be either positive or zero.' });
    if (typeof v === 'number' && rule.positive && v <= 0) out.push({ propertyPath: name, message: 'This value should be positive.' });
    if (typeof v === 'string' && v !== '' && rule.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) out.push({ propertyPath: name, message: 'This value is not a valid email address.' });
    if ((typeof v === 'string' || typeof v === 'number') && rule.choice && !rule.choice.includes(v)) out.push({ propertyPath: name, message: 'The value you selected is not a valid choice.' });
    if (typeof v === 'string' && v !== '' && rule.date && Number.isNaN(Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')))) out.push({ propertyPath: name, message: 'This value is not a valid date.' });
  }
  return out;
}

export function throwIfViolations(violations: Violation[]): void {
  if (violations.length) throw new ApiError(422, violations.map((v) => `${v.propertyPath}: ${v.message}`).join('\n'), violations);
}
