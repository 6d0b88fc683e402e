/**
 * The capsule glyph shader. Each thin instance's matrix carries only its position and size;
 * the vertex shader turns the unit quad to face the camera (in view space, so it faces each eye
 * in a headset too) and the fragment shader draws the glyph from the per-instance `look`
 * attribute: x pulse, y hollow, z shelved, w selected. One uniform (`time`) animates every
 * pulsing capsule, so the CPU writes nothing per frame for the pulse.
 */
export const CAPSULE_VERTEX_SHADER = /* glsl */ `
precision highp float;
attribute vec3 position;
attribute vec2 uv;
attribute vec4 look;
#ifdef INSTANCES
attribute vec4 world0;
attribute vec4 world1;
attribute vec4 world2;
attribute vec4 world3;
#endif
#ifdef INSTANCESCOLOR
attribute vec4 instanceColor;
#endif
uniform mat4 world;
uniform mat4 view;
uniform mat4 projection;
varying vec2 vUV;
varying vec4 vColor;
varying vec4 vLook;
void main(void) {
#ifdef INSTANCES
  mat4 finalWorld = world * mat4(world0, world1, world2, world3);
#else
  mat4 finalWorld = world;
#endif
  vec4 centre = view * (finalWorld * vec4(0.0, 0.0, 0.0, 1.0));
  float size = length(finalWorld[0].xyz);
  gl_Position = projection * (centre + vec4(position.xy * size, 0.0, 0.0));
  vUV = uv;
#ifdef INSTANCESCOLOR
  vColor = instanceColor;
#else
  vColor = vec4(1.0);
#endif
  vLook = look;
}
`;

export const CAPSULE_FRAGMENT_SHADER = /* glsl */ `
precision highp float;
varying vec2 vUV;
varying vec4 vColor;
varying vec4 vLook;
uniform float time;
void main(void) {
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
  vec3 color = vColor.rgb;
  // Shelved: a pale diagonal bar across the disc.
  if (vLook.z > 0.5 && abs(d.x + d.y) < 0.2 && r < 0.8 * outer) color = vec3(0.85, 0.87, 0.9);
  // Active critical: brightness pulses at 1.2 Hz.
  if (vLook.x > 0.5) color *= 0.6 + 0.4 * (0.5 + 0.5 * sin(time * 7.54));
  // A darker rim separates neighbouring glyphs.
  if (r > 0.8 * outer) color *= 0.55;
  gl_FragColor = vec4(color, 1.0);
}
`;
