/**
 * One Twinspace server: the live engine, the plant room over WebSockets, and the HTTP API, on one
 * port. `createServer` is what `npm start` runs and what tests start in-process (PORT 0 picks a
 * free port). Colyseus keeps its matchmaker in module state, so one process runs one server at
 * a time: close the first before creating another.
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchMaker, Server } from '@colyseus/core';
import { Encoder } from '@colyseus/schema';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { compilePlant, DRY_RUN_HORIZON_MS } from '../digital-twin/index.js';
import type { ServerConfig } from './config.js';
import { apiRouter } from './http/api-routes.js';
import type { ApiDeps } from './http/api-routes.js';
import { IngestSink } from './ingest/ingest-sink.js';
import { LiveSources } from './ingest/live-sources.js';
import { LiveEngine } from './live/live-engine.js';
import { loadPlantFile, loadScenarioFile } from './live/load-assets.js';
import type { Logger } from './logger.js';
import { SILENT_LOGGER } from './logger.js';
import { ServerMetrics } from './metrics/server-metrics.js';
import { AuthService } from './auth/auth-service.js';
import { BranchService } from './branches/branch-service.js';
import { MissionService } from './missions/mission-service.js';
import { PLANT_ROOM, plantRoomClass } from './rooms/plant-room.js';
import { REPLAY_ROOM, replayRoomClass } from './rooms/replay-room.js';
import { RoomHub } from './rooms/room-hub.js';
import { openStorage } from './storage/storage.js';
import type { Storage } from './storage/storage.js';

export interface TwinspaceServer {
  /** Where a browser should point: `http://localhost:<port>/`. */
  readonly url: string;
  readonly port: number;
  readonly engine: LiveEngine;
  readonly storage: Storage;
  readonly metrics: ServerMetrics;
  /** Captured incidents and their replays. */
  readonly missions: MissionService;
  readonly branches: BranchService;
  /** Sign-in, sessions, users and the audit trail. */
  readonly auth: AuthService;
  /** On a fresh database: the URL with the one-time code that signs the first admin in. */
  readonly firstSignInUrl: string | null;
  /** The MQTT / OPC-UA sources configured for this server (none on embedded defaults). */
  readonly sources: LiveSources;
  /** Stops the plant, closes the room and every connection, flushes storage. */
  close(): Promise<void>;
}

export interface CreateServerOptions {
  log?: Logger;
  /** Storage write-queue bound (tests shrink it to see back-pressure). */
  queueLimit?: number;
}

/** Starts a server for `config`; resolves once it listens and the plant runs. */
export async function createServer(
  config: ServerConfig,
  options: CreateServerOptions = {},
): Promise<TwinspaceServer> {
  const log = options.log ?? SILENT_LOGGER;
  const plantFile = await loadPlantFile(config.plantPath);
  const plant = compilePlant(plantFile);
  const scenario =
    config.scenarioPath === null ? null : await loadScenarioFile(config.scenarioPath, plantFile);

  const storage = await openStorage({
    dataDir: config.dataDir,
    plantId: plantFile.id,
    zoneOf: (equipmentId) => plant.equipmentById.get(equipmentId)?.zone ?? null,
    ...(config.database.kind === 'postgres' ? { databaseUrl: config.database.url } : {}),
    ...(options.queueLimit === undefined ? {} : { queueLimit: options.queueLimit }),
  });

  const metrics = new ServerMetrics();
  const sources = new LiveSources(plant, { mqtt: config.mqtt, opcua: config.opcua }, log);
  log.info(sources.describe(plant.sensors.length));
  let engine: LiveEngine;
  try {
    engine = await LiveEngine.open({
      plant,
      scenario,
      seed: config.seed,
      timeScale: config.timeScale,
      snapshotEveryS: config.snapshotEveryS,
      store: storage,
      metrics,
      log,
      ...(sources.externalSensors.length > 0 ? { externalSensors: sources.externalSensors } : {}),
      ...(sources.mqtt || sources.opcua ? { writer: sources } : {}),
    });
  } catch (error) {
    await storage.close();
    throw error;
  }
  const start = engine.startInfo;
  log.info(
    start.kind === 'fresh'
      ? `live plant ${plantFile.id} starts fresh at ${new Date(start.t).toISOString()}`
      : `live plant ${plantFile.id} recovered at seq ${start.seq} (snapshot ${start.snapshotSeq ?? 'none'} + ${start.replayed} events)`,
  );

  // The encoder's buffer must hold the full state a joining client receives, or it regrows with a
  // console warning on every join. FACTS.md: 2,000 sensors + 500 capsules encode to 118 KB, so
  // ~64 bytes per sensor plus 512 KB for capsules and presence is ample.
  Encoder.BUFFER_SIZE = Math.max(Encoder.BUFFER_SIZE, plant.sensors.length * 64 + 512 * 1024);

  const auth = new AuthService({ accounts: storage.accounts, config: config.auth, log });
  let bootstrap;
  try {
    bootstrap = await auth.bootstrap();
  } catch (error) {
    await storage.close();
    throw error;
  }
  const hub = new RoomHub();
  const missions = new MissionService({ storage, engine, log, autoCapture: config.autoCapture });
  // Branches get the plant, the log and the mission service — never the engine, a source or a writer.
  const branches = new BranchService({
    storage,
    missions,
    plant,
    log,
    liveSensors: sources.externalSensors.length > 0,
  });
  const deps: ApiDeps = {
    plant,
    auth,
    accounts: storage.accounts,
    storage,
    missions,
    branches,
    live: () => ({
      t: engine.twin.t,
      seq: engine.twin.seq,
      durableSeq: storage.durableSeq(),
      sourceRunning: engine.running,
      scenario: scenario?.id ?? null,
      timeScale: config.timeScale,
    }),
    clients: () => hub.clients(),
    recentCommands: () => hub.recentCommands(),
    metrics,
    clientDir: config.clientDir,
    onError: (error, path) => log.error(`HTTP ${path} failed`, error),
  };
  const httpServer = createHttpServer(apiRouter(deps).listener);
  const gameServer = new Server({
    transport: new WebSocketTransport({ server: httpServer }),
    greet: false,
    // main.ts owns the signals: it must flush storage before the process exits.
    gracefullyShutdown: false,
  });
  gameServer.define(
    PLANT_ROOM,
    plantRoomClass({
      engine,
      metrics,
      log,
      hub,
      auth,
      confirmTimeoutS: config.auth.confirmTimeoutS,
      roomMessagesPerS: config.auth.roomMessagesPerS,
      patchRateMs: config.patchRateMs,
      durableSeq: () => storage.durableSeq(),
      dryRun: async (command, actor) => {
        const horizonMs = DRY_RUN_HORIZON_MS;
        const result = await branches.dryRun(engine.copyOfRun(), command, actor, horizonMs);
        const { expectedOutcome, baseline, timelineDeltas, sensorDeltas } = result.predictions;
        return {
          status: result.status,
          reason: result.reason,
          horizonMs,
          expectedOutcome,
          baseline,
          timelineDeltas,
          sensorDeltas: sensorDeltas.slice(0, 3).map((delta) => ({ ...delta, trend: [] })),
        };
      },
    }),
  );
  // One replay room per mission: joinOrCreate('replay', { missionId }) finds the team's room.
  gameServer
    .define(
      REPLAY_ROOM,
      replayRoomClass({
        plant,
        missions,
        branches,
        storage,
        metrics,
        log,
        auth,
        roomMessagesPerS: config.auth.roomMessagesPerS,
        patchRateMs: config.patchRateMs,
      }),
    )
    .filterBy(['missionId']);
  metrics.setProbes({
    writeQueueDepth: () => storage.stats().queueDepth,
    writeQueueMaxDepth: () => storage.stats().queueLimit,
    durableSeq: () => storage.durableSeq(),
    twinSeq: () => engine.twin.seq,
    clients: () => hub.connectedCount(),
    backPressured: () => (engine.backPressured ? 1 : 0),
    ingestQueueDepth: () => sources.queueDepth(),
    ingestConnected: () => sources.connected(),
  });

  try {
    await gameServer.listen(config.port, config.host);
    // The one plant room exists from the start so clients join it and it never disposes.
    await matchMaker.createRoom(PLANT_ROOM, {});
  } catch (error) {
    await gameServer.gracefullyShutdown(false).catch(() => undefined);
    await storage.close();
    throw error;
  }
  engine.start();
  const sinks: IngestSink[] = [];
  const sinkFor = (source: 'mqtt' | 'opcua'): IngestSink => {
    const sink = new IngestSink({ source, target: engine, storage, metrics, log });
    sinks.push(sink);
    return sink;
  };
  await sources.start(sinkFor);
  const port = (httpServer.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Sources first: what they received but could not store stays unacked at the broker.
      for (const sink of sinks) sink.close();
      await sources.stop().catch((error: unknown) => log.error('stopping sources failed', error));
      engine.stop();
      await missions.close();
      await branches.close();
      await gameServer.gracefullyShutdown(false);
      httpServer.closeAllConnections();
      await storage.close();
    })();
    return closing;
  };

  return {
    url: `http://localhost:${port}/`,
    port,
    engine,
    storage,
    metrics,
    missions,
    branches,
    auth,
    firstSignInUrl:
      bootstrap.oneTimeCode === null
        ? null
        : `http://localhost:${port}/?code=${encodeURIComponent(bootstrap.oneTimeCode)}`,
    sources,
    close,
  };
}
