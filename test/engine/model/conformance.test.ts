// One test per scenario of the public memblock conformance set: every asserted expectation and
// the full inferred final arrays must match the model's replay.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScenario, type Scenario, type ScenarioConstants } from '../../../src/engine/simulate';

const file = path.resolve(__dirname, '../../fixtures/conformance/memblock-public.json');
const data = JSON.parse(readFileSync(file, 'utf8')) as { constants: ScenarioConstants; tests: Scenario[] };

describe('memblock conformance (public set)', () => {
  it('has the 90 public scenarios', () => {
    expect(data.tests).toHaveLength(90);
  });

  for (const scenario of data.tests) {
    it(scenario.id, () => {
      const { mismatches } = checkScenario(scenario, { inferred: true }, data.constants);
      expect(mismatches).toEqual([]);
    });
  }
});
