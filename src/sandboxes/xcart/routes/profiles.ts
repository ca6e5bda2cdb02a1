// /api/profiles and /api/profiles/{id}/addresses (XC55 `XLite\Model\Profile`, `Address`; specs §1.3).
// Filters: `login` (partial), `added[...]`, `first_login[...]`. Anonymous order profiles (one per
// guest checkout) are not listed, as the admin customer list does not show them [I].
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isoDate, type Address } from '../model.js';
import type { Profile, XcartStore } from '../store.js';
import { ApiError, jsonBody, pageParams, parseFilterDate, sendCollection, sendItem, type Format } from '../http.js';
import { readInput, throwIfViolations, validate, type FieldRule } from '../input.js';

const PROFILE_RULES: Record<string, FieldRule> = {
  login: { type: 'string', notBlank: true, email: true, max: 128 },
  password: { type: 'string' },
  access_level: { type: 'int' },
  status: { type: 'string', choice: ['E', 'D'] },
  language: { type: 'string', max: 2 },
  membership_id: { type: 'nullable-int' },
  role_ids: { type: 'int[]' },
};

const ADDRESS_RULES: Record<string, FieldRule> = {
  is_billing: { type: 'bool' },
  is_shipping: { type: 'bool' },
  type: { type: 'string', choice: ['r', 'c'] },
  title: { type: 'string' },
  firstname: { type: 'string', notBlank: true, max: 255 },
  lastname: { type: 'string', notBlank: true, max: 255 },
  phone: { type: 'string', max: 32 },
  street: { type: 'string', notBlank: true, max: 255 },
  zipcode: { type: 'string', max: 32 },
  city: { type: 'string', notBlank: true, max: 255 },
  country_code: { type: 'string', notBlank: true },
  state: { type: 'nullable-int' },
  state_name: { type: 'string' },
};

export function profileOutput(p: Profile) {
  return {
    id: p.id,
    login: p.login,
    access_level: p.access_level,
    create_date: isoDate(p.create_date),
    first_login_date: p.first_login_date ? isoDate(p.first_login_date) : null,
    last_login_date: p.last_login_date ? isoDate(p.last_login_date) : null,
    status: p.status,
    language: p.language,
    membership_id: p.membership_id,
    role_ids: p.role_ids,
  };
}

export function registerProfileRoutes(app: FastifyInstance, store: XcartStore, fmt: (req: unknown) => Format): void {
  const iri = (id: number) => `/api/profiles/${id}`;
  const find = (raw: string): Profile => {
    const p = /^\d+$/.test(raw) ? store.profiles.get(Number(raw)) : undefined;
    if (!p) throw new ApiError(404, 'Not Found');
    return p;
  };
  const one = (reply: FastifyReply, req: unknown, p: Profile, status = 200) =>
    sendItem(reply, fmt(req), JSON.stringify(profileOutput(p)), iri(p.id), 'Profile', '/api/contexts/Profile', status);
  const assertLoginFree = (login: string, self: Profile | null) => {
    const holder = store.profilesByLogin.get(login.toLowerCase());
    if (holder && holder !== self) throw new ApiError(400, `Input validations failed: login ${login} is not unique`);
  };

  app.get('/api/profiles', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const page = pageParams(q);
    const login = typeof q.login === 'string' && q.login !== '' ? q.login.toLowerCase() : null;
    const range = (name: string, field: (p: Profile) => number) => {
      const checks: Array<(p: Profile) => boolean> = [];
      for (const [op, cmp] of [['after', (a: number, b: number) => a >= b], ['strictly_after', (a: number, b: number) => a > b], ['before', (a: number, b: number) => a <= b], ['strictly_before', (a: number, b: number) => a < b]] as const) {
        const v = q[`${name}[${op}]`];
        const t = typeof v === 'string' ? parseFilterDate(v) : null;
        if (t !== null) checks.push((p) => cmp(field(p), t));
      }
      return checks;
    };
    const checks = [...range('added', (p) => p.create_date), ...range('first_login', (p) => p.first_login_date)];
    const list = [...store.profiles.values()].filter((p) => !p.anonymous && (!login || p.login.toLowerCase().includes(login)) && checks.every((c) => c(p)));
    const start = (page.page - 1) * page.perPage;
    return sendCollection(reply, req, fmt(req), {
      iri, type: 'Profile', context: '/api/contexts/Profile', page, hasNext: start + page.perPage < list.length, total: list.length,
      items: list.slice(start, start + page.perPage).map((p) => ({ id: p.id, json: JSON.stringify(profileOutput(p)) })),
    });
  });

  app.get<{ Params: { id: string } }>('/api/profiles/:id', async (req, reply) => one(reply, req, find(req.params.id)));

  app.post('/api/profiles', async (req, reply) => {
    const { values } = readInput(jsonBody(req), PROFILE_RULES);
    const dto = { login: '', access_level: 0, status: 'E', language: 'en', membership_id: null, role_ids: [], ...values };
    throwIfViolations(validate(dto, PROFILE_RULES));
    assertLoginFree(String(dto.login), null);
    const p = store.addProfile({ login: String(dto.login), access_level: Number(dto.access_level), addresses: [], anonymous: false });
    p.status = dto.status as 'E' | 'D';
    p.language = String(dto.language);
    p.membership_id = dto.membership_id as number | null;
    p.role_ids = dto.role_ids as number[];
    p.first_login_date = 0;
    p.last_login_date = 0;
    return one(reply, req, p, 201);
  });

  app.put<{ Params: { id: string } }>('/api/profiles/:id', async (req, reply) => {
    const p = find(req.params.id);
    const { values } = readInput(jsonBody(req), PROFILE_RULES);
    throwIfViolations(validate({ ...profileOutput(p), ...values }, PROFILE_RULES));
    if (typeof values.login === 'string' && values.login.toLowerCase() !== p.login.toLowerCase()) {
      assertLoginFree(values.login, p);
      store.profilesByLogin.delete(p.login.toLowerCase());
      p.login = values.login;
      if (!p.anonymous) store.profilesByLogin.set(p.login.toLowerCase(), p);
    }
    for (const k of ['access_level', 'status', 'language', 'membership_id', 'role_ids'] as const) {
      if (k in values) (p as unknown as Record<string, unknown>)[k] = values[k];
    }
    return one(reply, req, p);
  });

  app.delete<{ Params: { id: string } }>('/api/profiles/:id', async (req, reply) => {
    const p = find(req.params.id);
    store.profiles.delete(p.id);
    if (store.profilesByLogin.get(p.login.toLowerCase()) === p) store.profilesByLogin.delete(p.login.toLowerCase());
    return reply.code(204).send();
  });

  // Addresses of one profile.
  const airi = (pid: number, id: number) => `/api/profiles/${pid}/addresses/${id}`;
  const findAddress = (p: Profile, raw: string): Address => {
    const a = /^\d+$/.test(raw) ? p.addresses.find((x) => x.id === Number(raw)) : undefined;
    if (!a) throw new ApiError(404, 'Not Found');
    return a;
  };
  const aOne = (reply: FastifyReply, req: unknown, p: Profile, a: Address, status = 200) =>
    sendItem(reply, fmt(req), JSON.stringify(a), airi(p.id, a.id), 'Address', '/api/contexts/Address', status);
  const checkCountry = (dto: Record<string, unknown>) => {
    const v = validate(dto, ADDRESS_RULES);
    if (typeof dto.country_code === 'string' && dto.country_code !== '' && !/^[A-Z]{2}$/.test(dto.country_code)) {
      v.push({ propertyPath: 'country_code', message: 'This value is not a valid country.' });
    }
    throwIfViolations(v);
  };
  // Only one address of a profile can be the billing (or shipping) one.
  const exclusive = (p: Profile, a: Address) => {
    for (const other of p.addresses) {
      if (other === a) continue;
      if (a.is_billing) other.is_billing = false;
      if (a.is_shipping) other.is_shipping = false;
    }
  };

  app.get<{ Params: { id: string } }>('/api/profiles/:id/addresses', async (req, reply) => {
    const p = find(req.params.id);
    const page = pageParams(req.query as Record<string, unknown>);
    const start = (page.page - 1) * page.perPage;
    return sendCollection(reply, req, fmt(req), {
      iri: (id) => airi(p.id, id), type: 'Address', context: '/api/contexts/Address', page,
      hasNext: start + page.perPage < p.addresses.length, total: p.addresses.length,
      items: p.addresses.slice(start, start + page.perPage).map((a) => ({ id: a.id, json: JSON.stringify(a) })),
    });
  });
  app.get<{ Params: { id: string; aid: string } }>('/api/profiles/:id/addresses/:aid', async (req, reply) => {
    const p = find(req.params.id);
    return aOne(reply, req, p, findAddress(p, req.params.aid));
  });
  app.post<{ Params: { id: string } }>('/api/profiles/:id/addresses', async (req, reply) => {
    const p = find(req.params.id);
    const { values } = readInput(jsonBody(req), ADDRESS_RULES);
    const dto = { is_billing: p.addresses.length === 0, is_shipping: p.addresses.length === 0, type: 'r', title: '', firstname: '', lastname: '', phone: '', street: '', zipcode: '', city: '', country_code: '', state: null, state_name: '', ...values };
    checkCountry(dto);
    const a: Address = { id: store.next('address'), ...(dto as Omit<Address, 'id' | 'custom_fields'>), custom_fields: [] };
    p.addresses.push(a);
    exclusive(p, a);
    return aOne(reply, req, p, a, 201);
  });
  app.put<{ Params: { id: string; aid: string } }>('/api/profiles/:id/addresses/:aid', async (req, reply) => {
    const p = find(req.params.id);
    const a = findAddress(p, req.params.aid);
    const { values } = readInput(jsonBody(req), ADDRESS_RULES);
    checkCountry({ ...a, ...values });
    Object.assign(a, values);
    exclusive(p, a);
    return aOne(reply, req, p, a);
  });
  app.delete<{ Params: { id: string; aid: string } }>('/api/profiles/:id/addresses/:aid', async (req, reply) => {
    const p = find(req.params.id);
    const a = findAddress(p, req.params.aid);
    p.addresses = p.addresses.filter((x) => x !== a);
    return reply.code(204).send();
  });
}
