// A goal's page: its state (as of any moment), indicators, activities,
// issues, rating timeline, full history, lineage and year over year; the
// editor's forms; and live updates from the event stream.
import { api, apiUrl, goalPath, listAll, orgPath, principal } from './api.js';
import { departments, describe, fill, FRAMEWORKS, fromJstInput, h, jst, number, ratingBadge, TAGS, toJstInput, yearName } from './text.js';
import { exportLinks, go, say, table } from './ui.js';
import { editSection } from './forms.js';
import { lineageSection, yearOverYearSection } from './lineage.js';

function stateSection(goal, asOf) {
  const rationale = goal.ratingRationale ? h('span', {}, ` ${goal.ratingRationale}`) : null;
  return h('section', { 'aria-labelledby': 'state-heading' },
    h('h2', { id: 'state-heading' }, asOf ? `${jst(asOf)} 時点の状態` : '現在の状態'),
    h('dl', { class: 'meta', id: 'state' },
      h('dt', {}, '年度'), h('dd', {}, yearName(goal.fiscalYear), ` ${FRAMEWORKS[goal.planFramework] || ''}`),
      h('dt', {}, '部局'), h('dd', { id: 'departments' }, departments(goal.departments)),
      h('dt', {}, '報告No.'), h('dd', {}, goal.reportNumber || '—',
        goal.principal ? ` (主要目標 ${goal.principalNumber || ''})` : ''),
      h('dt', {}, '自己評価'), h('dd', { id: 'rating' }, ratingBadge(goal.rating), rationale),
      goal.retired ? [h('dt', {}, '廃止'), h('dd', {}, goal.retireReason || '廃止済み')] : null,
      h('dt', {}, '版'), h('dd', { id: 'version' }, goal.version),
      h('dt', {}, '最終更新'), h('dd', {}, jst(goal.updateTime))));
}

function indicatorsSection(goal) {
  const rows = (goal.indicators || []).map((i) => {
    const target = i.targetValue;
    const actual = i.actualValue;
    const ratio = target && actual !== undefined ? actual / target : undefined;
    return h('tr', {},
      h('td', {}, i.description, i.joinedBy ? h('span', { class: 'muted' }, ` (${i.joinedBy}と共同)`) : null),
      h('td', { class: 'num' }, target !== undefined ? `${number(target)}${i.unit || ''}` : '—'),
      h('td', { class: 'num' }, actual !== undefined ? `${number(actual)}${i.unit || ''}` : '—'),
      h('td', { class: 'nowrap' }, ratio === undefined ? '—' : [
        h('span', { class: 'bar', style: { width: `${Math.min(100, Math.round(ratio * 100))}px` } }),
        ` ${Math.round(ratio * 100)}%`]),
      h('td', {}, i.resultNote || ''));
  });
  return h('section', { 'aria-labelledby': 'indicators-heading' },
    h('h2', { id: 'indicators-heading' }, '指標 (目標値と実績)'),
    rows.length ? table(['指標', '目標値', '実績', '達成率', '実績の説明'], rows, { id: 'indicators' })
      : h('p', { class: 'muted' }, '指標はありません。'));
}

function activitiesSection(goal) {
  const items = (goal.activities || []).map((a) => h('li', {}, a.text,
    (a.tags || []).map((t) => h('span', { class: 'tag' }, TAGS[t] || t)),
    a.actor ? h('span', { class: 'muted' }, ` — ${a.actor} ${jst(a.recordTime)}`) : null));
  return h('section', { 'aria-labelledby': 'activities-heading' },
    h('h2', { id: 'activities-heading' }, '取組'),
    items.length ? h('ul', { id: 'activities' }, items) : h('p', { class: 'muted' }, '取組はまだありません。'));
}

function issuesSection(goal) {
  const open = (goal.issues || []).filter((i) => !i.resolved);
  const resolved = (goal.issues || []).filter((i) => i.resolved);
  return h('section', { 'aria-labelledby': 'issues-heading' },
    h('h2', { id: 'issues-heading' }, '課題'),
    h('h3', {}, `未解決 (${open.length})`),
    open.length ? h('ul', { id: 'open-issues' }, open.map((i) => h('li', {}, i.text))) : h('p', { class: 'muted' }, 'なし'),
    h('h3', {}, `解決済み (${resolved.length})`),
    resolved.length ? h('ul', { id: 'resolved-issues' }, resolved.map((i) => h('li', {}, i.text,
      i.resolution ? h('span', { class: 'muted' }, ` → ${i.resolution}`) : null))) : h('p', { class: 'muted' }, 'なし'));
}

function timelineSection(events) {
  const changes = events.filter((e) => e.ratingSet);
  return h('section', { 'aria-labelledby': 'timeline-heading' },
    h('h2', { id: 'timeline-heading' }, '評価の推移'),
    changes.length ? h('ol', { class: 'timeline', id: 'rating-timeline' }, changes.map((e) => h('li', {},
      ratingBadge(e.ratingSet.rating), ` ${jst(e.recordTime)} ${e.actor}`))) : h('p', { class: 'muted' }, '評価はまだありません。'));
}

function historySection(events, goal, id) {
  const rows = [...events].reverse().map((e) => h('tr', { 'data-version': e.version },
    h('td', { class: 'time' }, jst(e.recordTime)),
    h('td', {}, e.actor),
    h('td', {}, describe(e, goal), e.postCloseCorrection ? h('span', { class: 'tag' }, '締め後の訂正') : null),
    h('td', { class: 'reason' }, e.reason || ''),
    h('td', { class: 'num' }, e.version),
    h('td', { class: 'nowrap' }, h('a', { href: `#/goals/${encodeURIComponent(id)}?asOf=${encodeURIComponent(e.recordTime)}`,
      'aria-label': `${jst(e.recordTime)} 時点の目標を表示` }, 'この時点'))));
  return h('section', { 'aria-labelledby': 'history-heading' },
    h('h2', { id: 'history-heading' }, `履歴 (${events.length}件、新しい順)`),
    table(['日時', '操作者', '内容', '理由', '版', ''], rows, { id: 'history' }));
}

function asOfForm(id, asOf) {
  const input = h('input', { type: 'datetime-local', id: 'as-of', step: '1', value: toJstInput(asOf) });
  return h('form', { class: 'asof', onsubmit: (event) => {
    event.preventDefault();
    go(`/goals/${encodeURIComponent(id)}`, { asOf: fromJstInput(input.value) });
  } },
  h('label', { for: 'as-of' }, 'この日時 (日本時間) の状態を表示'), input,
  h('button', { type: 'submit' }, '表示'),
  asOf ? h('a', { class: 'button secondary', href: `#/goals/${encodeURIComponent(id)}` }, '現在に戻る') : null);
}

export async function renderGoal(main, id, params) {
  const asOf = params.get('asOf') || '';
  const query = asOf ? { 'asOf.time': asOf } : {};
  const path = goalPath(id);
  const page = { goal: null, events: [] };
  const state = h('div');
  const shown = h('div');
  const forms = h('div');
  const notice = h('div', { 'aria-live': 'polite', id: 'live-notice' });

  let lineageAndYears = [h('section'), h('section')];
  // The goal and its history first; its lineage and year over year after
  // them (a live update shows the change without waiting for those).
  const load = async () => {
    const lineageReply = Promise.all([
      api('GET', `${path}:lineage`, { query }),
      api('GET', `${path}:yearOverYear`, { query }),
    ]);
    const [goal, events] = await Promise.all([
      api('GET', path, { query }).then((r) => r.goal),
      listAll(`${path}:history`, {}, 'events'),
    ]);
    page.goal = goal;
    const title = main.querySelector('#goal-title');  // a revision may retitle it
    if (title) title.textContent = goal.title;
    // As of a moment: the events the goal had then (its version counts them).
    page.events = events.filter((e) => Number(e.version) <= Number(goal.version));
    const show = () => fill(shown, indicatorsSection(goal), activitiesSection(goal), issuesSection(goal),
      timelineSection(page.events), historySection(page.events, goal, id), lineageAndYears);
    fill(state, stateSection(goal, asOf));
    show();
    const [lineage, years] = await lineageReply;
    lineageAndYears = [lineageSection(goal, lineage), yearOverYearSection(goal, years)];
    show();
    return goal;
  };
  const refresh = async ({ keepForms = false } = {}) => {
    const goal = await load();
    if (keepForms) return;
    forms.replaceChildren(asOf ? '' : editSection(goal, { path, events: () => page.events, refresh }));
  };
  await refresh();
  const goal = page.goal;
  fill(main,
    h('p', {}, h('a', { href: `#/goals?year=${goal.fiscalYear}` }, `← ${yearName(goal.fiscalYear)}の目標一覧`)),
    h('h1', { id: 'goal-title' }, goal.title),
    asOf ? h('p', { class: 'banner', id: 'as-of-banner' }, `${jst(asOf)} 時点の記録を表示しています (以後の変更は含みません)。`) : null,
    asOfForm(id, asOf), exportLinks(goal.fiscalYear, asOf || undefined),
    asOf ? null : h('p', { id: 'live', class: 'muted' }, '○ 自動更新に接続しています…'), notice, state, forms, shown);
  if (asOf) return null;

  // Live: the organization's events as they are written; this goal's
  // reload the page's sections (the forms only when not being filled in).
  // EventSource reconnects by itself (resuming with Last-Event-ID) after a
  // dropped connection, but not after a refusal (say, 503 when the server
  // has its most streams open): then a new one is opened after a pause.
  const live = main.querySelector('#live');
  let stream = null;
  let retry = null;
  const connect = (again = false) => {
    stream = new EventSource(apiUrl(`${orgPath()}/events:subscribe`, { fromNow: 'true' }));
    stream.onopen = () => {
      // A new stream starts from now: what was missed is read once.
      if (again) load().catch(() => {});
      again = false;
      live.setAttribute('data-connected', '');
      live.textContent = '● 自動更新中 (ほかの人の変更はすぐに表示されます)';
    };
    stream.onerror = () => {
      live.removeAttribute('data-connected');
      live.textContent = '○ 自動更新が切れています (再接続を試みています)';
      if (stream.readyState !== EventSource.CLOSED) return;
      // Refused: after a pause, open a new stream, unless the session has
      // ended (each refused stream would be a refusal in the security log).
      retry = setTimeout(async () => {
        const session = await fetch('/v1/sessions/current', { credentials: 'same-origin' }).catch(() => null);
        if (session?.status === 401) {
          live.textContent = '○ セッションが終了したため、自動更新を止めました。ページを再読み込みしてサインインしてください。';
          return;
        }
        connect(true);
      }, 5000);
    };
    stream.onmessage = onMessage;
  };
  async function onMessage(message) {
    const events = (JSON.parse(message.data).events || []).filter((e) => e.goal === goal.name);
    if (!events.length) return;
    const last = events[events.length - 1];
    if (last.actor !== principal()?.principal) notice.replaceChildren(h('p', { class: 'live' },
      `${jst(last.recordTime)} に ${last.actor} がこの目標を変更しました: ${describe(last, page.goal)}`));
    const dirty = forms.querySelector('form[data-dirty]');
    if (dirty) {
      await load();
      forms.querySelector('.banner')?.remove();
      forms.prepend(h('p', { class: 'banner' }, '入力中にこの目標が変更されました。保存すると、どの変更と重なったかを確認できます。'));
    } else {
      await refresh();
    }
    if (last.actor !== principal()?.principal) say('この目標が更新されました。');
  }
  connect();
  return () => {
    clearTimeout(retry);
    stream.close();
  };
}
