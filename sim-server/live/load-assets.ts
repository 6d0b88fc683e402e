/**
 * Reads the plant and scenario files the configuration names and validates them with the twin's
 * own validators, so a bad file stops the start with every problem listed by path.
 */
import { readFile } from 'node:fs/promises';
import { formatProblems, validatePlant, validateScenario } from '../../digital-twin/index.js';
import type { Plant, Scenario } from '../../digital-twin/index.js';

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(
      `${what} ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(
      `${what} ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** The plant file at `path`, validated. */
export async function loadPlantFile(path: string): Promise<Plant> {
  const result = validatePlant(await readJson(path, 'plant file'));
  if (!result.ok)
    throw new Error(`plant file ${path} is invalid:\n${formatProblems(result.errors)}`);
  return result.plant;
}

/** The scenario file at `path`, validated against the plant it will run on. */
export async function loadScenarioFile(path: string, plant: Plant): Promise<Scenario> {
  const result = validateScenario(await readJson(path, 'scenario file'), plant);
  if (!result.ok)
    throw new Error(`scenario file ${path} is invalid:\n${formatProblems(result.problems)}`);
  return result.scenario;
}
