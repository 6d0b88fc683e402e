import { Constants } from '@babylonjs/core/Engines/constants.js';
import { DynamicTexture } from '@babylonjs/core/Materials/Textures/dynamicTexture.js';
import type { Scene } from '@babylonjs/core/scene.js';
import { LABEL_ASPECT, LABEL_ROWS } from './capsule-shader.js';

/** Pixel height of one atlas row: legible at arm's length in a headset, small to upload. */
const ROW_PX = 64;
const WIDTH_PX = ROW_PX * LABEL_ASPECT;
const FONT = '600 26px system-ui, sans-serif';
const PADDING_PX = 14;

/**
 * The texture every capsule label is drawn from: LABEL_ROWS rows of text on a dark rounded
 * plate, transparent around it (the capsule shader alpha-tests). A row is redrawn only when its
 * text changes, and the texture uploads at most once a frame, in `upload()`.
 */
export class LabelAtlas {
  readonly texture: DynamicTexture;
  readonly #texts: (string | null)[] = Array.from({ length: LABEL_ROWS }, () => null);
  #stale = false;

  constructor(scene: Scene) {
    this.texture = new DynamicTexture(
      'capsule-labels',
      { width: WIDTH_PX, height: ROW_PX * LABEL_ROWS },
      scene,
      false,
      Constants.TEXTURE_BILINEAR_SAMPLINGMODE,
    );
    this.texture.hasAlpha = true;
    this.texture.wrapU = Constants.TEXTURE_CLAMP_ADDRESSMODE;
    this.texture.wrapV = Constants.TEXTURE_CLAMP_ADDRESSMODE;
    this.#stale = true;
  }

  /** Text drawn in `row`, or null when the row is empty. */
  textOf(row: number): string | null {
    return this.#texts[row] ?? null;
  }

  /** Draw `text` into `row` (null clears it); nothing happens when the text is the same. */
  set(row: number, text: string | null): void {
    if (!(row >= 0 && row < LABEL_ROWS)) throw new Error(`Invariant: no label row ${row}`);
    if (this.#texts[row] === text) return;
    this.#texts[row] = text;
    // A DynamicTexture in a browser draws on a real canvas: its full 2D context.
    const ctx = this.texture.getContext() as unknown as CanvasRenderingContext2D;
    const top = row * ROW_PX;
    ctx.clearRect(0, top, WIDTH_PX, ROW_PX);
    if (text !== null) {
      ctx.fillStyle = 'rgb(15, 20, 28)';
      ctx.beginPath();
      ctx.roundRect(0, top + 2, WIDTH_PX, ROW_PX - 4, 12);
      ctx.fill();
      ctx.font = FONT;
      ctx.fillStyle = '#f0f4f8';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(fit(ctx, text, WIDTH_PX - 2 * PADDING_PX), WIDTH_PX / 2, top + ROW_PX / 2);
    }
    this.#stale = true;
  }

  /** Upload the texture when a row changed since the last upload. */
  upload(): void {
    if (!this.#stale) return;
    this.#stale = false;
    this.texture.update(true, false, true);
  }

  dispose(): void {
    this.texture.dispose();
  }
}

/** `text`, shortened with an ellipsis until it fits `width` pixels. */
function fit(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let end = text.length;
  while (end > 1 && ctx.measureText(`${text.slice(0, end)}…`).width > width) end -= 1;
  return `${text.slice(0, end)}…`;
}
