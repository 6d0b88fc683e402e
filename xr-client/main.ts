/**
 * The Twinspace client: fetch the plant the server runs, draw it, join the live room. The room
 * and the API are same-origin (the server serves this page), so nothing else is configured.
 */
import { PlantApp, fetchPlant } from './app/plant-app.js';
import { obtainSession, showSessionEnded, showUserBar } from './ui/sign-in.js';

declare global {
  interface Window {
    /** The running app, for the browser tests and for poking at it from the console. */
    twinspace?: PlantApp;
  }
}

async function main(): Promise<void> {
  const canvas = document.getElementById('twin') as HTMLCanvasElement;
  const params = new URLSearchParams(location.search);
  // Nothing of the plant is shown before sign-in: every API route and room needs a token.
  const session = await obtainSession(params);
  session.onEnd((reason) => showSessionEnded(reason));
  showUserBar(session);
  document.body.dataset['role'] = session.user.role;
  const plant = await fetchPlant(new URL('./api/v1/plant', location.href).href, (url) =>
    session.fetch(url),
  );
  const endpoint = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
  const app = new PlantApp(canvas, plant, endpoint, session);
  window.twinspace = app;
  await app.start();
  // A shared link to a replay (?mission=M-3) opens the team's replay room for it.
  const mission = params.get('mission');
  if (mission !== null) await app.openMission(mission);
  document.body.dataset['ready'] = 'true';
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  document.body.dataset['error'] = message;
  const box = document.createElement('pre');
  box.className = 'fatal';
  box.textContent = `Twinspace could not start: ${message}`;
  document.body.appendChild(box);
  console.error(error);
});
