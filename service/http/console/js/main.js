// The console's frame: sign-in, the menu, and the page for the address's
// #/route (each page is a module with render(main, params)).
import * as api from './api.js';
import { h, ROLES } from './text.js';
import { renderYears } from './years.js';
import { renderGoals } from './goals.js';
import { renderGoal } from './goal.js';
import { renderAudit, renderSecurity } from './audit.js';
import { explain, say } from './ui.js';

const main = document.getElementById('main');
let leave = null;  // what the current page does when it is left (closes its event stream)

function route() {
  const [path, search = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(search) };
}

function showSignIn(reason) {
  ++shown;  // a page still loading is not shown over the sign-in
  document.getElementById('nav').hidden = true;
  document.getElementById('who').hidden = true;
  const token = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true });
  const message = h('p', { class: 'error-text', role: 'alert' }, reason || '');
  const form = h('form', { onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api.signIn(token.value.trim());
      token.value = '';
      showFrame();
      await render();
    } catch (error) {
      message.textContent = error.httpStatus === 401
        ? 'トークンが正しくないか、無効になっています。' : explain(error);
    }
  } },
  h('label', { for: 'token' }, 'アクセストークン'), token,
  h('p', { class: 'muted' }, 'トークンはこの画面のサインインにだけ使われ、ブラウザには保存されません。サインイン後はセッション (8時間、30分操作がなければ終了) で操作します。'),
  h('button', { type: 'submit' }, 'サインイン'), message);
  main.replaceChildren(h('section', { class: 'signin' }, h('h1', { tabindex: '-1' }, 'サインイン'), form));
  token.focus();
}

function showFrame() {
  const who = api.principal();
  document.getElementById('nav').hidden = false;
  document.getElementById('who').hidden = false;
  document.getElementById('principal').textContent =
    `${who.principal} (${(who.roles || []).map((r) => ROLES[r] || r).join('・')}` +
    `${who.departments?.length ? `: ${who.departments.join('・')}` : ''})`;
  for (const item of document.querySelectorAll('nav [data-roles]')) {
    item.hidden = !api.hasRole(...item.dataset.roles.split(' '));
  }
}

let shown = 0;  // renders started: only the latest one shows its page

// Builds the address's page in a detached element and shows it unless
// another render started meanwhile (a second hash change while the first
// page was still loading); a page left behind has its stream closed.
async function render() {
  if (leave) { leave(); leave = null; }
  if (!api.principal()) return showSignIn();
  const current = ++shown;
  const address = location.hash;
  const { parts, params } = route();
  const page = parts[0] || 'years';
  for (const link of document.querySelectorAll('nav a')) {
    link.toggleAttribute('aria-current', link.getAttribute('href') === `#/${page}`);
    if (link.hasAttribute('aria-current')) link.setAttribute('aria-current', 'page');
  }
  say('');
  main.replaceChildren(h('p', { class: 'muted' }, '読み込み中…'));
  const view = h('div');
  let close = null;
  try {
    if (page === 'years') await renderYears(view);
    else if (page === 'goals' && parts[1]) close = await renderGoal(view, parts[1], params);
    else if (page === 'goals') await renderGoals(view, params);
    else if (page === 'audit') await renderAudit(view, params);
    else if (page === 'security') await renderSecurity(view, params);
    else view.replaceChildren(h('h1', {}, 'ページが見つかりません'));
  } catch (error) {
    if (current !== shown) return;
    if (error.httpStatus === 401) return showSignIn('セッションが終了しました。もう一度サインインしてください。');
    view.replaceChildren(h('h1', {}, 'エラー'), h('p', { class: 'error-text' }, explain(error)));
  }
  if (current !== shown) {
    if (close) close();
    return;
  }
  leave = close;
  main.replaceChildren(view);
  main.dataset.shown = address;  // which address the page shows (tests wait for it)
  main.querySelector('h1')?.setAttribute('tabindex', '-1');
  main.querySelector('h1')?.focus({ preventScroll: true });
}

document.getElementById('sign-out').addEventListener('click', async () => {
  if (leave) { leave(); leave = null; }
  await api.signOut().catch(() => {});
  showSignIn('サインアウトしました。');
});
window.addEventListener('hashchange', render);

(async () => {
  const [, signedIn] = await Promise.all([api.loadConfig(), api.resume()]);
  document.getElementById('org').textContent = `団体コード ${api.organization()}`;
  if (signedIn) showFrame();
  await render();
})();
