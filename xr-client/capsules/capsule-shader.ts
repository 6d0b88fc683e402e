import { CODE_LABEL, CODE_SELECTED, OPEN_LOOKS, SIZE_LIMIT } from './packed-look.js';

/**
 * The capsule glyph shader. A capsule needs no rotation (it always faces the viewer) and its look
 * is one of OPEN_LOOKS, so its instance record is four floats (`capsule`): position xyz and a
 * code (see packed-look.ts): the look's index into a uniform table (`looks`: r, g, b × brightness
 * and flags × SIZE_LIMIT + size), plus CODE_SELECTED for the selected capsule. A quarter of the
 * bytes of an instance matrix to write, keep in cache and upload. The vertex shader turns the
 * unit quad to face the camera in view space (so it faces each eye in a headset too); the
 * fragment shader draws the glyph. One uniform (`time`) animates every pulsing capsule.
 *
 * Labels ride in the same draw call: a label is one more instance, code CODE_LABEL + its row in
 * the label atlas (`labels`, LABEL_ROWS rows of LABEL_ASPECT:1 text), at the point it floats.
 * It is stretched to the atlas row's aspect and alpha-tested, so labels cost no draw call, no
 * blending and no sorting.
 */

/** Rows in the label atlas: one per label shown at once. */
export const LABEL_ROWS = 6;

/** Width : height of a label (and of an atlas row). */
export const LABEL_ASPECT = 6;

/** World height (m) of a label. */
export const LABEL_HEIGHT_M = 0.4;

/** The per-instance attribute: x, y, z, code. */
export const CAPSULE_ATTRIBUTE = 'capsule';

const glslFloat = (value: number): string => value.toFixed(1);

export const CAPSULE_VERTEX_SHADER = /* glsl */ `
precision highp float;
attribute vec3 position;
attribute vec2 uv;
#ifdef INSTANCES
attribute vec4 ${CAPSULE_ATTRIBUTE};
#endif
#define MIN_ANGULAR_SIZE 0.018
#define LABEL_ROWS ${glslFloat(LABEL_ROWS)}
#define LABEL_ASPECT ${glslFloat(LABEL_ASPECT)}
#define LABEL_HEIGHT ${LABEL_HEIGHT_M.toFixed(3)}
#define CODE_SELECTED ${glslFloat(CODE_SELECTED)}
#define CODE_LABEL ${glslFloat(CODE_LABEL)}
#define SIZE_LIMIT ${glslFloat(SIZE_LIMIT)}
uniform mat4 world;
uniform mat4 view;
uniform mat4 projection;
uniform vec4 looks[${OPEN_LOOKS}];
varying vec2 vUV;
varying vec3 vColor;
varying vec4 vLook;
varying float vLabel;
void main(void) {
#ifdef INSTANCES
  vec4 centre = view * (world * vec4(${CAPSULE_ATTRIBUTE}.xyz, 1.0));
  float code = ${CAPSULE_ATTRIBUTE}.w;
#else
  vec4 centre = view * (world * vec4(0.0, 0.0, 0.0, 1.0));
  float code = 0.0;
#endif
  if (code > CODE_LABEL - 0.5) {
    // A label: its atlas row, stretched to the row's aspect, at a fixed world height.
    float row = code - CODE_LABEL;
    vLabel = 1.0;
    vLook = vec4(0.0);
    vColor = vec3(1.0);
    vUV = vec2(uv.x, (LABEL_ROWS - 1.0 - row + uv.y) / LABEL_ROWS);
    gl_Position = projection * (centre + vec4(position.x * LABEL_HEIGHT * LABEL_ASPECT, position.y * LABEL_HEIGHT, 0.0, 0.0));
    return;
  }
  vLabel = 0.0;
  float selected = code > CODE_SELECTED - 0.5 ? 1.0 : 0.0;
  vec4 look = looks[int(code - selected * CODE_SELECTED + 0.5)];
  vColor = look.rgb;
  float flags = floor(look.w / SIZE_LIMIT);
  // Never smaller than ~1.8 % of the distance (about 1° of view): a 0.6 m glyph 100 m away
  // must still be seen and hit. Picking (capsule-layer.ts) uses the same floor.
  float size = max(look.w - flags * SIZE_LIMIT, abs(centre.z) * MIN_ANGULAR_SIZE);
  gl_Position = projection * (centre + vec4(position.xy * size, 0.0, 0.0));
  vUV = uv;
  vLook = vec4(mod(flags, 2.0), mod(floor(flags / 2.0), 2.0), mod(floor(flags / 4.0), 2.0), selected);
}
`;

export const CAPSULE_FRAGMENT_SHADER = /* glsl */ `
precision highp float;
varying vec2 vUV;
varying vec3 vColor;
varying vec4 vLook;
varying float vLabel;
uniform float time;
uniform sampler2D labels;
void main(void) {
  if (vLabel > 0.5) {
    vec4 text = texture2D(labels, vUV);
    if (text.a < 0.5) discard;
    gl_FragColor = vec4(text.rgb, 1.0);
    return;
  }
  vec2 d = vUV * 2.0 - 1.0;
  float r = length(d);
  if (r > 1.0) discard;
  bool selected = vLook.w > 0.5;
  if (selected && r > 0.84) {
    gl_FragColor = vec4(1.0, 1.0, 1.0, 1.0);
    return;
  }
  float outer = selected ? 0.84 : 1.0;
  // Hollow: the condition cleared, the capsule waits for a person; drawn as a ring.
  if (vLook.y > 0.5 && r < 0.5 * outer) discard;
  vec3 color = vColor;
  // Shelved: a pale diagonal bar across the disc.
  if (vLook.z > 0.5 && abs(d.x + d.y) < 0.2 && r < 0.8 * outer) color = vec3(0.85, 0.87, 0.9);
  // Active critical: brightness pulses at 1.2 Hz.
  if (vLook.x > 0.5) color *= 0.6 + 0.4 * (0.5 + 0.5 * sin(time * 7.54));
  // A darker rim separates neighbouring glyphs.
  if (r > 0.8 * outer) color *= 0.55;
  gl_FragColor = vec4(color, 1.0);
}
`;
