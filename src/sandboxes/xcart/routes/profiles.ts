// /api/profiles and /api/profiles/{id}/addresses (XC55 `XLite\Model\Profile`, `Address`; specs §1.3).
// Filters: `login` (partial), `added[...]`, `first_login[...]`. Anonymous order profiles (one per
// guest checkout) are not listed, as the admin customer list does not show them [I].
import type { FastifyInstance, FastifyReply } from 'fastify';
import { addressOutput, isoDate, type Address } from '../model.js';
import type { Profile, XcartStore } from '../store.js';
import { ApiError, jsonBody, pageParams, parseFilterDate, sendCollection, sendItem, type Format } from '../http.js';
import { readInput, throwIfViolations, validate, type FieldRule } from '../input.js';

// From XC55 `XLite\API\Endpoint\Profile\DTO\ProfileInput` and `ProfileAddress\DTO\ProfileAddressInput`.
const PROFILE_RULES: Record<string, FieldRule> = {
  login: { type: 'string', notBlank: true, email: true, min: 5, max: 128 },
  password: { type: 'nullable-string', min: 8, max: 128 },
  access_level: { type: 'int', choice: [0, 100] },
  status: { type: 'string', notBlank: true, min: 1, max: 1, choice: ['E', 'D'] },
  status_comment: { type: 'string' },
  referer: { type: 'string' },
  language: { type: 'string', max: 2 },
  membership_id: { type: 'nullable-int', positive: true },
  pending_membership_id: { type: 'nullable-int', positive: true },
  force_change_password: { type: 'bool' },
  role_ids: { type: 'int[]' },
};

const ADDRESS_RULES: Record<string, FieldRule> = {
  is_billing: { type: 'bool' },
  is_shipping: { type: 'bool' },
  is_work: { type: 'bool' },
  type: { type: 'string', choice: ['R', 'C'] },
  title: { type: 'string' },
  firstname: { type: 'string' },
  lastname: { type: 'string' },
  phone: { type: 'string' },
  street: { type: 'string' },
  zipcode: { type: 'string', max: 32 },
  city: { type: 'string' },
  country_code: { type: 'nullable-string', min: 2, max: 2 },
  state: { type: 'nullable-int', positiveOrZero: true },
  state_name: { type: 'string' },
};

/** Profile dates: DateTime::ATOM per the ProfileOutput normalization context. */
const atom = (unix: number) => `${new Date(unix * 1000).toISOString().slice(0, 19)}+00:00`;

export function profileOutput(p: Profile) {
  return {
    id: p.id,
    login: p.login,
    access_level: p.access_level,
    create_date: atom(p.create_date),
    first_login_date: p.first_login_date ? atom(p.first_login_date) : null,
    last_login_date: p.last_login_date ? atom(p.last_login_date) : null,
    status: p.status,
    status_comment: p.status_comment,
    referer: p.referer,
    language: p.language,
    membership_id: p.membership_id,
    pending_membership_id: p.pending_membership_id,
    force_change_password: p.force_change_password,
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
    const dto = { login: '', password: null, access_level: 0, status: 'E', status_comment: '', referer: '', language: '', membership_id: null, pending_membership_id: null, force_change_password: false, role_ids: [], ...values };
    throwIfViolations(validate(dto, PROFILE_RULES));
    assertLoginFree(String(dto.login), null);
    const p = store.addProfile({ login: String(dto.login), access_level: Number(dto.access_level), addresses: [], anonymous: false });
    for (const k of ['status', 'status_comment', 'referer', 'language', 'membership_id', 'pending_membership_id', 'force_change_password', 'role_ids'] as const) {
      (p as unknown as Record<string, unknown>)[k] = dto[k];
    }
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
    for (const k of ['access_level', 'status', 'status_comment', 'referer', 'language', 'membership_id', 'pending_membership_id', 'force_change_password', 'role_ids'] as const) {
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
    sendItem(reply, fmt(req), JSON.stringify(addressOutput(a)), airi(p.id, a.id), 'Address', '/api/contexts/Address', status);
  const check = (dto: Record<string, unknown>) => {
    const v = validate(dto, ADDRESS_RULES);
    // Length(2,2) passes any two letters; an unknown country fails when X-Cart looks it up [I].
    if (typeof dto.country_code === 'string' && dto.country_code.length === 2 && !/^[A-Z]{2}$/.test(dto.country_code)) {
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
      items: p.addresses.slice(start, start + page.perPage).map((a) => ({ id: a.id, json: JSON.stringify(addressOutput(a)) })),
    });
  });
  app.get<{ Params: { id: string; aid: string } }>('/api/profiles/:id/addresses/:aid', async (req, reply) => {
    const p = find(req.params.id);
    return aOne(reply, req, p, findAddress(p, req.params.aid));
  });
  app.post<{ Params: { id: string } }>('/api/profiles/:id/addresses', async (req, reply) => {
    const p = find(req.params.id);
    const { values } = readInput(jsonBody(req), ADDRESS_RULES);
    const dto = { is_billing: false, is_shipping: false, is_work: false, type: 'R', title: '', firstname: '', lastname: '', phone: '', street: '', zipcode: '', city: '', country_code: null, state: 0, state_name: '', ...values };
    check(dto);
    const a: Address = { id: store.next('address'), ...(dto as Omit<Address, 'id' | 'custom_fields'>), custom_fields: [] };
    p.addresses.push(a);
    exclusive(p, a);
    return aOne(reply, req, p, a, 201);
  });
  app.put<{ Params: { id: string; aid: string } }>('/api/profiles/:id/addresses/:aid', async (req, reply) => {
    const p = find(req.params.id);
    const a = findAddress(p, req.params.aid);
    const { values } = readInput(jsonBody(req), ADDRESS_RULES);
    check({ ...a, ...values });
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
