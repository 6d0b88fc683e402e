/**
 * The branch predictions' 3D panel beside the XR mission bar, on Babylon's NullEngine: it shows
 * the outcome and one button per difference, a press seeks and highlights like the desktop list,
 * and leaving the branch takes it away.
 */
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import '@babylonjs/core/Materials/standardMaterial.js';
import { Vector2 } from '@babylonjs/core/Maths/math.vector.js';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder.js';
import { Scene } from '@babylonjs/core/scene.js';
import type { Button } from '@babylonjs/gui/2D/controls/button.js';
import { Vector2WithInfo } from '@babylonjs/gui/2D/math2D.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Predictions } from '../../../digital-twin/index.js';
import { XrBranchDeltas } from '../../../xr-client/ui/xr-branch-deltas.js';
import { installNullCanvas } from './null-canvas.js';

beforeAll(installNullCanvas);

const FORK = 1_000_000;
const predictions: Predictions = {
  expectedOutcome:
    "Reactor temperature (A) peaks at 78.7 °C at T+2 min instead of 113 °C at T+7 min; 'High temperature at R-101' is never raised",
  baseline:
    'The baseline is the recorded run of the simulated plant; the branch re-simulates it from the fork.',
  forkT: FORK,
  comparedUntilT: FORK + 540_000,
  timelineDeltas: [
    {
      kind: 'only-baseline',
      rule: 'limit/R-101.TT-01',
      title: 'High temperature at R-101',
      severity: 'critical',
      equipmentId: 'R-101',
      sensorId: 'R-101.TT-01',
      baselineT: FORK + 141_000,
      branchT: null,
      shiftMs: null,
    },
  ],
  sensorDeltas: [],
  actuatorDeltas: [{ actuatorId: 'P-202.RUN', equipmentId: 'P-202', baseline: 0, branch: 1 }],
  faults: { baseline: [], branch: [] },
};

describe('the XR branch deltas panel', () => {
  let engine: NullEngine | undefined;
  afterEach(() => engine?.dispose());

  it('lists the differences; a press moves the playhead and highlights the equipment', () => {
    engine = new NullEngine();
    const scene = new Scene(engine);
    const bar = CreatePlane('bar', { width: 1.2, height: 0.4 }, scene);
    const seeks: number[] = [];
    const highlights: string[] = [];
    const panel = new XrBranchDeltas(scene, bar, 1.2, {
      seek: (t) => seeks.push(t),
      highlight: (id) => highlights.push(id),
    });
    expect(panel.visible).toBe(false);
    panel.set(predictions);
    expect(panel.visible).toBe(true);
    expect(panel.rows).toEqual([
      "'High temperature at R-101' (R-101.TT-01) never raised (baseline T+2 min)",
      'P-202.RUN ends at 1 (baseline 0)',
    ]);
    const first = panel.gui.getControlByName('xrbd:row:0') as Button;
    first.onPointerUpObservable.notifyObservers(new Vector2WithInfo(new Vector2(0, 0), 0));
    expect(seeks).toEqual([FORK + 141_000]);
    expect(highlights).toEqual(['R-101']);
    // Beside the bar, so it follows it: hidden with it.
    bar.setEnabled(false);
    expect(panel.visible).toBe(false);
    bar.setEnabled(true);
    panel.set(null);
    expect(panel.visible).toBe(false);
    expect(panel.rows).toEqual([]);
  });
});
