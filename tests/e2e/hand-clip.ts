/**
 * A fake-camera clip of a hand that opens, points and pinches: Noto Color Emoji hand glyphs
 * drawn in Chromium, joined into a y4m with ffmpeg, for Chromium's
 * `--use-file-for-fake-video-capture`. Used by the desktop hands e2e test and the hands bench.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './chromium.js';

/** The clip: glyph, size (px) and seconds, drawn centred on a white 640×480 frame. */
export const CLIP = [
  { glyph: '🖐🏾', size: 300, seconds: 3 },
  { glyph: '👉🏾', size: 300, seconds: 3 },
  // Smaller pinch glyphs are not detected at all (measured: 200 px none, 380 px every time).
  { glyph: '🤏🏾', size: 380, seconds: 4 },
] as const;
export function ffmpegPresent(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Draw each glyph in a browser page and join the frames into a y4m clip; returns its path. */
export async function handClip(
  dir: string,
  clip: readonly { glyph: string; size: number; seconds: number }[] = CLIP,
): Promise<string> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent('<canvas width="640" height="480"></canvas>');
    const inputs: string[] = [];
    for (const [i, part] of clip.entries()) {
      const png = await page.evaluate(({ glyph, size }) => {
        const canvas = document.querySelector('canvas')!;
        const g = canvas.getContext('2d')!;
        g.fillStyle = '#fff';
        g.fillRect(0, 0, 640, 480);
        g.font = `${size}px "Noto Color Emoji"`;
        g.textAlign = 'center';
        g.textBaseline = 'middle';
        g.fillText(glyph, 320, 250);
        return canvas.toDataURL('image/png').split(',')[1]!;
      }, part);
      const file = join(dir, `part-${i}.png`);
      writeFileSync(file, Buffer.from(png, 'base64'));
      inputs.push('-loop', '1', '-t', String(part.seconds), '-i', file);
    }
    const out = join(dir, 'hand.y4m');
    const streams = clip.map((_, i) => `[${i}:v]`).join('');
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-y',
      ...inputs,
      '-filter_complex',
      `${streams}concat=n=${clip.length}:v=1[v]`,
      '-map',
      '[v]',
      '-r',
      '5',
      '-pix_fmt',
      'yuv420p',
      out,
    ]);
    return out;
  } finally {
    await browser.close();
  }
}
