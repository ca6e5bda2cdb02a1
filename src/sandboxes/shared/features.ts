// Per-sandbox settings that pick which real server a sandbox plays: a version or capability (a newer
// Sage 300 that takes PATCH on OE orders), an optional module (X-Cart's legacy tracking API), a
// site's declared publications (Sage X3). The default is always the stock system as the public
// record shows it; anything kinder is opt-in and labelled. Set at start (`--features JSON|FILE`,
// `options.features`) or at run time (PUT /__sandbox/features), like the faults.
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';

export class SandboxFeatures<S extends z.ZodType<object>> {
  private value: z.output<S>;

  constructor(private readonly schema: S, initial: unknown = {}) {
    this.value = this.parse(initial);
  }

  get current(): z.output<S> {
    return this.value;
  }

  /** Replaces the settings; anything left out goes back to its default. */
  set(raw: unknown): z.output<S> {
    this.value = this.parse(raw);
    return this.value;
  }

  private parse(raw: unknown): z.output<S> {
    const parsed = this.schema.safeParse(raw ?? {});
    if (!parsed.success) {
      throw new FeaturesError(`invalid sandbox features: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    return parsed.data;
  }

  /** GET/PUT /__sandbox/features (no auth: the simulator's own admin surface). */
  install(app: FastifyInstance, onChange?: (value: z.output<S>) => void): void {
    app.get('/__sandbox/features', async () => this.value);
    app.put('/__sandbox/features', async (req, reply) => {
      try {
        const body = typeof req.body === 'string' ? (req.body === '' ? {} : JSON.parse(req.body)) : req.body;
        const next = this.set(body);
        onChange?.(next);
        return next;
      } catch (e) {
        return reply.code(400).send({ error: (e as Error).message });
      }
    });
  }
}

export class FeaturesError extends Error {}

/** `--features` takes inline JSON or a JSON file, as `--faults` does. */
export async function readFeaturesOption(value: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (!value) return undefined;
  const text = value.trim().startsWith('{') ? value : await (await import('node:fs/promises')).readFile(value, 'utf8');
  const parsed = JSON.parse(text) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new FeaturesError('--features must be a JSON object');
  return parsed as Record<string, unknown>;
}
