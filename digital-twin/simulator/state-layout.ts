/**
 * Where each physical quantity lives in the simulator's state table: one row of
 * SLOTS_PER_EQUIPMENT float64s per equipment (in plant-file order), so a sensor's true value is
 * one array read at an offset computed once, at createSimulator.
 */

/** Column of each quantity in an equipment's row. Units are the simulator's (SENSOR_UNITS[…][0]). */
export const SLOT = {
  /** % of vessel height. */
  LEVEL: 0,
  /** degC: fluid temperature of vessels and pipes; bearing/winding temperature of machines. */
  TEMPERATURE: 1,
  /** bar (gauge): vessel pressure, machine discharge, valve outlet. */
  PRESSURE: 2,
  /** m3/h: throughput of the process stream. */
  FLOW: 3,
  SPEED: 4,
  CURRENT: 5,
  POWER: 6,
  VIBRATION: 7,
  /** % open: the valve's actual stem position. */
  POSITION: 8,
  INLET_T: 9,
  OUTLET_T: 10,
  COOLANT_IN_T: 11,
  COOLANT_OUT_T: 12,
  /** degC: temperature of the fluid leaving on the process stream (what pipes downstream carry). */
  OUT_T: 13,
  /** m3/h: throughput of the coolant stream (reactor jacket, exchanger cold side). */
  COOLANT_FLOW: 14,
  /** mm/s of vibration added by bearing wear. */
  WEAR: 15,
  /** Controller integral term (reactor temperature control). */
  CONTROL: 16,
  /** 0–1: valve actual opening. */
  VALVE_FRACTION: 17,
  /** bar: pressure of the fluid leaving on the coolant stream. */
  COOLANT_P: 18,
  /** m3/h: makeup flow into a vessel from outside the plant (its level controller). */
  BOUNDARY_FLOW: 19,
} as const;

export const SLOTS_PER_EQUIPMENT = 20;

/** The slot a sensor's `signal` reads (signal names from SIGNALS_BY_EQUIPMENT_KIND). */
export const SIGNAL_SLOTS: Readonly<Record<string, number>> = {
  level: SLOT.LEVEL,
  temperature: SLOT.TEMPERATURE,
  pressure: SLOT.PRESSURE,
  flow: SLOT.FLOW,
  speed: SLOT.SPEED,
  current: SLOT.CURRENT,
  power: SLOT.POWER,
  vibration: SLOT.VIBRATION,
  position: SLOT.POSITION,
  inletTemperature: SLOT.INLET_T,
  outletTemperature: SLOT.OUTLET_T,
  coolantInletTemperature: SLOT.COOLANT_IN_T,
  coolantOutletTemperature: SLOT.COOLANT_OUT_T,
};

/** Specific heat of water-like process fluid per m3/h of flow: 1000 kg/m3 × 4.18 kJ/kgK / 3600 s/h. */
export const KW_PER_K_PER_M3H = (1000 * 4.18) / 3600;
/** Heat capacity of one m3 of water-like fluid, kJ/K. */
export const KJ_PER_K_PER_M3 = 1000 * 4.18;
/** Hydrostatic pressure of one metre of water, bar. */
export const BAR_PER_METRE = (1000 * 9.81) / 1e5;
