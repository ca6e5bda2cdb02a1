#!/usr/bin/env node
// The `syncline` command. TypeScript runs through tsx's loader, so there is no stale build to forget.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/index.ts');
