/**
 * The sign-in screen (DOM, before the 3D scene loads), the signed-in bar (name, role, sign out)
 * and the "session ended" notice. In a headset, sign in on the desktop page first and then
 * enter XR: the session carries over.
 */
import { ClientSession, SessionError } from '../net/session.js';

/** Shows the form until a sign-in succeeds; `notice` explains why it is shown (e.g. expired). */
export function askToSignIn(notice: string | null = null): Promise<ClientSession> {
  return new Promise((resolve) => {
    const form = document.createElement('form');
    form.id = 'sign-in';
    form.className = 'sign-in';
    form.innerHTML = `
      <h1>Twinspace</h1>
      <p class="sign-in-notice" id="sign-in-notice"></p>
      <label>Name <input id="sign-in-name" name="name" autocomplete="username" required maxlength="64" /></label>
      <label>Password <input id="sign-in-password" name="password" type="password" autocomplete="current-password" required maxlength="256" /></label>
      <button id="sign-in-submit" type="submit">Sign in</button>
      <p class="sign-in-error" id="sign-in-error" role="alert"></p>`;
    document.body.appendChild(form);
    const noticeBox = form.querySelector('#sign-in-notice') as HTMLElement;
    noticeBox.textContent = notice ?? '';
    noticeBox.hidden = notice === null;
    const error = form.querySelector('#sign-in-error') as HTMLElement;
    const name = form.querySelector('#sign-in-name') as HTMLInputElement;
    const password = form.querySelector('#sign-in-password') as HTMLInputElement;
    const submit = form.querySelector('#sign-in-submit') as HTMLButtonElement;
    name.focus();
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit.disabled = true;
      error.textContent = '';
      ClientSession.signIn(name.value.trim(), password.value).then(
        (session) => {
          form.remove();
          resolve(session);
        },
        (failure: unknown) => {
          submit.disabled = false;
          password.value = '';
          error.textContent =
            failure instanceof SessionError
              ? failure.message
              : `sign-in failed: ${String(failure)}`;
        },
      );
    });
  });
}

/** The session for this page: the first-start code in the URL, this tab's session, or the form. */
export async function obtainSession(params: URLSearchParams): Promise<ClientSession> {
  const code = params.get('code');
  if (code !== null) {
    // The code works once: drop it from the address bar so a reload does not try it again.
    params.delete('code');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${rest === '' ? '' : `?${rest}`}`);
    try {
      return await ClientSession.signInWithCode(code);
    } catch (error) {
      return askToSignIn(
        `The one-time sign-in link did not work (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
  }
  return (await ClientSession.resume()) ?? askToSignIn();
}

/** The bar that says who is signed in, with a sign-out button. */
export function showUserBar(session: ClientSession): HTMLElement {
  const bar = document.createElement('div');
  bar.id = 'user-bar';
  bar.className = 'user-bar';
  const who = document.createElement('span');
  who.id = 'user-name';
  who.textContent = `${session.user.name} · ${session.user.role}`;
  const out = document.createElement('button');
  out.id = 'sign-out';
  out.textContent = 'Sign out';
  out.addEventListener('click', () => void session.signOut());
  bar.append(who, out);
  document.body.appendChild(bar);
  return bar;
}

/** Covers the page when the session ends: why, and a way to sign in again. */
export function showSessionEnded(reason: string): void {
  if (document.getElementById('session-ended') !== null) return;
  const box = document.createElement('div');
  box.id = 'session-ended';
  box.className = 'session-ended';
  const text = document.createElement('p');
  text.textContent = reason;
  const again = document.createElement('button');
  again.textContent = 'Sign in again';
  again.addEventListener('click', () => location.reload());
  box.append(text, again);
  document.body.appendChild(box);
}
