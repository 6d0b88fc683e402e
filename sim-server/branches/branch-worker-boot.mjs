// Boots the TypeScript branch worker: Node 20 workers do not inherit tsx from `--import`
// (execArgv ['--import', 'tsx'] fails there), so the worker registers tsx itself first.
import { register } from 'tsx/esm/api';

register();
await import('./branch-worker.ts');
