import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * SPEC.md and the tests keep each other honest: every numbered rule is cited by a test name,
 * and every rule id a test name cites exists. (STYLE.md: "when a test and the spec disagree,
 * one of them is wrong".)
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const spec = readFileSync(`${root}digital-twin/SPEC.md`, 'utf8');
const ruleIds = [...spec.matchAll(/^- \*\*([EDRCS]-\d+)\*\*/gm)].map((m) => m[1]!);

const testDir = `${root}tests/unit/digital-twin/`;
/** The twin-core test files this spec belongs to (other suites may cite it too; they count). */
const OWN = /^(reducer|rules|decide|capsule|state-hash|snapshot)/;
const testNamesIn = (files: string[]): string[] =>
  files.flatMap((file) =>
    [...readFileSync(testDir + file, 'utf8').matchAll(/\bit\(\s*['"`]([^'"`]+)['"`]/g)].map(
      (m) => m[1]!,
    ),
  );
const testFiles = readdirSync(testDir).filter((file) => file.endsWith('.test.ts'));
const allNames = testNamesIn(testFiles);
const ownNames = testNamesIn(testFiles.filter((file) => OWN.test(file)));
const citedIn = (name: string): string[] =>
  name.match(/^(?:[EDRCS]-\d+(?:, )?)+(?=:)/)?.[0].split(', ') ?? [];

describe('SPEC.md and its tests', () => {
  it('SPEC: each letter numbers its rules 1, 2, 3 … without gaps or repeats', () => {
    for (const letter of ['E', 'R', 'C', 'D', 'S']) {
      const numbers = ruleIds
        .filter((id) => id.startsWith(`${letter}-`))
        .map((id) => Number(id.slice(2)));
      expect(numbers.length, `no ${letter} rules`).toBeGreaterThan(0);
      expect(numbers, `${letter} rules`).toEqual(numbers.map((_, k) => k + 1));
    }
  });

  it('SPEC: every rule is cited by at least one test, and every rule our tests cite exists', () => {
    const cited = new Set(allNames.flatMap(citedIn));
    expect(ruleIds.filter((id) => !cited.has(id))).toEqual([]);
    const ownCited = new Set(ownNames.flatMap(citedIn));
    expect(ownCited.size).toBeGreaterThan(ruleIds.length / 2);
    expect([...ownCited].filter((id) => !ruleIds.includes(id))).toEqual([]);
  });
});
