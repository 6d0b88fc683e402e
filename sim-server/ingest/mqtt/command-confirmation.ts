import type { Actuator, Reading, Sensor } from '../../../digital-twin/index.js';

/**
 * Whether a reading of the actuator's confirming sensor shows the commanded value took effect.
 * Actuator and sensor may use different scales (a valve position 0–1 read back as 0–100 %), so
 * both are compared as fractions of their ranges. Run/stop actuators confirm by the sensor
 * leaving (or reaching) the bottom of its range: a started pump's speed need not hit its maximum.
 */
export function confirmsCommand(
  actuator: Actuator,
  target: number,
  sensor: Sensor,
  reading: Reading,
  tolerance: number,
): boolean {
  if (reading.sensorId !== sensor.id || reading.quality === 'bad') return false;
  const sensorSpan = sensor.range.max - sensor.range.min;
  const actuatorSpan = actuator.range.max - actuator.range.min;
  if (sensorSpan <= 0 || actuatorSpan <= 0) return false;
  const seen = (reading.value - sensor.range.min) / sensorSpan;
  if (actuator.kind === 'pump.run' || actuator.kind === 'motor.run') {
    const running = target > actuator.range.min;
    return running ? seen > 0.05 : seen <= 0.05;
  }
  const wanted = (target - actuator.range.min) / actuatorSpan;
  return Math.abs(seen - wanted) <= tolerance;
}
