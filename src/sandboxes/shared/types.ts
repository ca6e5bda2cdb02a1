import type { FaultConfig } from './faults.js';

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Overrides the default credentials a client must present. */
  credentials?: Record<string, string>;
  faults?: FaultConfig;
  /** Seed for the generated catalog and the fault dice. */
  seed?: number;
  /** Sandbox clock runs this many times faster than real time (buckets, timestamps, schedules). */
  timeScale?: number;
  /**
   * Which real server the sandbox plays (version, capabilities, optional modules), checked by the
   * sandbox's own schema; omitted = the stock system as the public record shows it (features.ts).
   */
  features?: Record<string, unknown>;
}

export interface RunningSandbox {
  name: string;
  /** Base URL a connector is configured with. */
  url: string;
  /** What a client needs to authenticate (printed by `syncline sandbox NAME`). */
  credentials: Record<string, unknown>;
  close(): Promise<void>;
}

export type SandboxStarter = (options: SandboxOptions) => Promise<RunningSandbox>;
