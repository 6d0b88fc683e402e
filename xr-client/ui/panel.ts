import { Button } from '@babylonjs/gui/2D/controls/button.js';
import { Line } from '@babylonjs/gui/2D/controls/line.js';
import { Rectangle } from '@babylonjs/gui/2D/controls/rectangle.js';
import { StackPanel } from '@babylonjs/gui/2D/controls/stackPanel.js';
import { Control } from '@babylonjs/gui/2D/controls/control.js';
import { TextBlock } from '@babylonjs/gui/2D/controls/textBlock.js';

/** Panel width and trend box (GUI px). */
export const PANEL_WIDTH_PX = 420;
const TREND_WIDTH_PX = 380;
const TREND_HEIGHT_PX = 90;

export interface PanelAction {
  label: string;
  onClick: () => void;
  /** Set when the signed-in role may not take this action: the button is greyed and says why. */
  disabledReason?: string;
}

/**
 * A details panel built from @babylonjs/gui controls: title, lines of text, an optional trend
 * line, action buttons and a status line (the ack or the rejection reason). It is one control
 * tree; the host moves it between the desktop's full-screen GUI and a plane near a headset
 * user, so desktop and XR show the same panel.
 */
export class Panel {
  readonly root: Rectangle;
  #confirming: string | null = null;
  readonly #title: TextBlock;
  readonly #body: TextBlock;
  readonly #trend: Rectangle;
  readonly #buttons: StackPanel;
  readonly #status: TextBlock;
  readonly #onClose: () => void;

  constructor(name: string, onClose: () => void) {
    this.#onClose = onClose;
    this.root = new Rectangle(name);
    this.root.width = `${PANEL_WIDTH_PX}px`;
    this.root.adaptHeightToChildren = true;
    this.root.background = 'rgba(17, 23, 31, 0.92)';
    this.root.color = '#3b4a5a';
    this.root.thickness = 2;
    this.root.cornerRadius = 10;
    this.root.horizontalAlignment = Control.HORIZONTAL_ALIGNMENT_RIGHT;
    this.root.verticalAlignment = Control.VERTICAL_ALIGNMENT_TOP;
    this.root.top = '12px';
    this.root.left = '-12px';
    this.root.isVisible = false;

    const stack = new StackPanel(`${name}:stack`);
    stack.paddingTop = '10px';
    stack.paddingBottom = '10px';
    this.root.addControl(stack);

    const header = new Rectangle(`${name}:header`);
    header.height = '40px';
    header.thickness = 0;
    this.#title = text(`${name}:title`, 20, '#f0f4f8');
    this.#title.fontWeight = '600';
    this.#title.paddingLeft = '14px';
    this.#title.paddingRight = '44px';
    header.addControl(this.#title);
    const close = Button.CreateSimpleButton(`${name}:close`, '✕');
    close.width = '36px';
    close.height = '32px';
    close.color = '#c9d3dc';
    close.thickness = 0;
    close.horizontalAlignment = Control.HORIZONTAL_ALIGNMENT_RIGHT;
    close.onPointerUpObservable.add(() => this.#onClose());
    header.addControl(close);
    stack.addControl(header);

    this.#body = text(`${name}:body`, 15, '#c9d3dc');
    this.#body.textWrapping = true;
    this.#body.resizeToFit = true;
    this.#body.width = `${PANEL_WIDTH_PX - 28}px`;
    this.#body.paddingLeft = '14px';
    stack.addControl(this.#body);

    this.#trend = new Rectangle(`${name}:trend`);
    this.#trend.width = `${TREND_WIDTH_PX}px`;
    this.#trend.height = `${TREND_HEIGHT_PX}px`;
    this.#trend.thickness = 1;
    this.#trend.color = '#3b4a5a';
    this.#trend.paddingTop = '6px';
    stack.addControl(this.#trend);

    this.#buttons = new StackPanel(`${name}:buttons`);
    this.#buttons.isVertical = false;
    this.#buttons.height = '52px';
    this.#buttons.paddingTop = '10px';
    stack.addControl(this.#buttons);

    this.#status = text(`${name}:status`, 15, '#9fb3c8');
    this.#status.height = '28px';
    this.#status.paddingLeft = '14px';
    stack.addControl(this.#status);
  }

  get visible(): boolean {
    return this.root.isVisible;
  }

  get statusText(): string {
    return this.#status.text;
  }

  show(title: string, lines: readonly string[], actions: readonly PanelAction[]): void {
    this.#title.text = title;
    this.#body.text = lines.join('\n');
    this.#buttons.clearControls();
    for (const action of actions) {
      const button = Button.CreateSimpleButton(`button:${action.label}`, action.label);
      button.width = `${Math.floor((PANEL_WIDTH_PX - 28) / Math.max(actions.length, 1))}px`;
      button.height = '40px';
      button.paddingLeft = '4px';
      button.paddingRight = '4px';
      button.color = '#f0f4f8';
      button.background = '#24507a';
      button.cornerRadius = 6;
      button.fontSize = 15;
      const reason = action.disabledReason;
      if (reason === undefined) {
        button.onPointerUpObservable.add(() => action.onClick());
      } else {
        // Greyed, not hidden: the operator sees the control exists and why it is not theirs.
        button.color = '#7b8794';
        button.background = '#2a3440';
        button.metadata = { disabledReason: reason };
        button.onPointerUpObservable.add(() => this.setStatus(reason, '#fcd34d'));
      }
      this.#buttons.addControl(button);
    }
    this.#buttons.isVisible = actions.length > 0;
    this.setTrend([]);
    this.setStatus('', '#9fb3c8');
    this.root.isVisible = true;
  }

  /**
   * Asks for the confirmation of a plant-writing command in place of the panel's buttons: what
   * will happen, the interlock verdict, Confirm and Cancel. Works on the desktop and on the 3D
   * panel in XR alike.
   */
  confirm(summary: string, verdict: string, onConfirm: () => void, onCancel: () => void): void {
    this.#buttons.clearControls();
    for (const [label, run, background] of [
      ['Confirm', onConfirm, '#166534'],
      ['Cancel', onCancel, '#7f1d1d'],
    ] as const) {
      const button = Button.CreateSimpleButton(`button:${label}`, label);
      button.width = `${Math.floor((PANEL_WIDTH_PX - 28) / 2)}px`;
      button.height = '40px';
      button.paddingLeft = '4px';
      button.paddingRight = '4px';
      button.color = '#f0f4f8';
      button.background = background;
      button.cornerRadius = 6;
      button.fontSize = 15;
      button.onPointerUpObservable.add(() => run());
      this.#buttons.addControl(button);
    }
    this.#buttons.isVisible = true;
    this.#confirming = `${summary} · ${verdict}`;
    this.setStatus(`Confirm? ${summary} · ${verdict}`, '#fcd34d');
    this.root.isVisible = true;
  }

  /** Adds what a dry run predicts to the confirmation being asked for. */
  confirmDetail(detail: string): void {
    if (this.#confirming === null) return;
    this.#confirming = `${this.#confirming} · ${detail}`;
    this.setStatus(`Confirm? ${this.#confirming}`, '#fcd34d');
  }

  /** The confirmation the panel is asking for, or null (tests read it). */
  get confirming(): string | null {
    return this.#confirming;
  }

  endConfirm(): void {
    this.#confirming = null;
  }

  /** Update the text lines without touching buttons, trend or status (live values). */
  setLines(lines: readonly string[]): void {
    this.#body.text = lines.join('\n');
  }

  hide(): void {
    this.root.isVisible = false;
  }

  setStatus(message: string, color: string): void {
    this.#status.text = message;
    this.#status.color = color;
  }

  /** Draw trend polylines (GUI px inside the trend box); none hides the box. */
  setTrend(lines: readonly { x: number; y: number }[][]): void {
    this.#trend.clearControls();
    this.#trend.isVisible = lines.length > 0;
    const left = -TREND_WIDTH_PX / 2;
    const top = -TREND_HEIGHT_PX / 2;
    for (const points of lines) {
      for (let i = 1; i < points.length; i += 1) {
        const a = points[i - 1]!;
        const b = points[i]!;
        const line = new Line();
        // Line coordinates are relative to the parent's centre in this layout.
        line.x1 = TREND_WIDTH_PX / 2 + left + a.x;
        line.y1 = TREND_HEIGHT_PX / 2 + top + a.y;
        line.x2 = TREND_WIDTH_PX / 2 + left + b.x;
        line.y2 = TREND_HEIGHT_PX / 2 + top + b.y;
        line.lineWidth = 2;
        line.color = '#5fb3f9';
        this.#trend.addControl(line);
      }
    }
  }

  get trendSize(): { width: number; height: number } {
    return { width: TREND_WIDTH_PX, height: TREND_HEIGHT_PX };
  }
}

function text(name: string, size: number, color: string): TextBlock {
  const block = new TextBlock(name, '');
  block.fontSize = size;
  block.color = color;
  block.height = `${Math.round(size * 1.8)}px`;
  block.textHorizontalAlignment = Control.HORIZONTAL_ALIGNMENT_LEFT;
  return block;
}
