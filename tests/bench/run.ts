/**
 * `npm run bench`: every benchmark section in one process, printing figures and ratios against a
 * baseline measured in the same run. Benchmarks never pass or fail on time; they report.
 *
 * `npm run bench -- twin storage` runs only the named sections.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Figures = Record<string, number | string>;
interface Section {
  name: string;
  file: string;
  exportName: string;
}

const SECTIONS: Section[] = [
  { name: 'twin', file: './twin-bench.ts', exportName: 'benchTwin' },
  { name: 'storage', file: './storage-bench.ts', exportName: 'benchStorage' },
  { name: 'server', file: './server-bench.ts', exportName: 'benchServer' },
  { name: 'ingest', file: './ingest-bench.ts', exportName: 'benchIngest' },
  { name: 'capsule-writes', file: './capsule-write-bench.ts', exportName: 'benchCapsuleWrites' },
  { name: 'client', file: './client-bench.ts', exportName: 'benchClient' },
  { name: 'missions', file: './missions-bench.ts', exportName: 'benchMissions' },
  { name: 'replay-team', file: './replay-team-bench.ts', exportName: 'benchReplayTeam' },
  { name: 'hands', file: './hands-bench.ts', exportName: 'benchHands' },
  { name: 'auth', file: './auth-bench.ts', exportName: 'benchAuth' },
  { name: 'branches', file: './branches-bench.ts', exportName: 'benchBranches' },
];

function format(value: number | string): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(4).replace(/\.?0+$/, '');
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  let failures = 0;
  for (const section of SECTIONS) {
    if (wanted.length > 0 && !wanted.includes(section.name)) continue;
    const path = fileURLToPath(new URL(section.file, import.meta.url));
    if (!existsSync(path)) {
      console.log(`\n## ${section.name}: not built yet`);
      continue;
    }
    console.log(`\n## ${section.name}`);
    try {
      const module = (await import(section.file)) as Record<string, () => Promise<Figures>>;
      const run = module[section.exportName];
      if (typeof run !== 'function')
        throw new Error(`${section.file} does not export ${section.exportName}()`);
      const figures = await run();
      const width = Math.max(...Object.keys(figures).map((key) => key.length));
      for (const [key, value] of Object.entries(figures))
        console.log(`${key.padEnd(width)}  ${format(value)}`);
    } catch (error) {
      failures += 1;
      console.log(
        `${section.name} bench failed: ${error instanceof Error ? error.stack : String(error)}`,
      );
    }
  }
  // Benchmarks report; a section that could not run is still an error worth a non-zero exit.
  process.exitCode = failures > 0 ? 1 : 0;
}

await main();
// Clients, pools and browsers a section forgot to close must not keep the process alive.
process.exit(process.exitCode ?? 0);
