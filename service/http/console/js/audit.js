// For auditors: who changed which rating when (ListRatingChanges) and the
// security log (ListSecurityEvents), each filtered and paged.
import { api, goalId, orgPath } from './api.js';
import { CODES, departments, fill, fromJstInput, h, jst, ratingBadge } from './text.js';
import { go, table } from './ui.js';

// A date (YYYY-MM-DD, Japan time) as the start of that day, or of the next
// (for an inclusive end).
const dayStart = (date, next = false) => {
  if (!date) return undefined;
  const start = new Date(fromJstInput(date));
  if (next) start.setUTCDate(start.getUTCDate() + 1);
  return start.toISOString();
};

function filters(route, params, controls) {
  const inputs = controls.map(([name, label, attributes = {}]) => {
    const input = h(attributes.options ? 'select' : 'input', {
      id: `filter-${name}`, name, type: attributes.options ? undefined : (attributes.type || 'text'),
      value: attributes.options ? undefined : params.get(name) || '', size: attributes.size || 12,
    }, (attributes.options || []).map(([value, text]) => h('option', { value, selected: value === (params.get(name) || '') }, text)));
    return [name, h('label', { for: input.id }, label, input), input];
  });
  return h('form', { class: 'filters', onsubmit: (event) => {
    event.preventDefault();
    go(route, Object.fromEntries(inputs.map(([name, , input]) => [name, input.value.trim()])));
  } }, inputs.map(([, label]) => label), h('button', { type: 'submit' }, '絞り込む'));
}

// Rows of a paged listing, with a button for the next page.
async function paged(path, query, field, toRow, tbody, pager) {
  const load = async (pageToken) => {
    const page = await api('GET', path, { query: { ...query, pageSize: 200, pageToken } });
    tbody.append(...(page[field] || []).map(toRow));
    pager.replaceChildren(page.nextPageToken
      ? h('button', { type: 'button', class: 'secondary', onclick: () => load(page.nextPageToken) }, '続きを表示') : '');
  };
  await load();
}

export async function renderAudit(main, params) {
  const tbody = h('tbody');
  const pager = h('div', { class: 'pager' });
  await paged(`${orgPath()}/ratingChanges`, {
    department: params.get('department'), fiscalYear: params.get('year'), actor: params.get('actor'),
    startTime: dayStart(params.get('from')), endTime: dayStart(params.get('to'), true),
  }, 'ratingChanges', (c) => h('tr', {},
    h('td', { class: 'time' }, jst(c.recordTime)),
    h('td', { class: 'nowrap' }, h('a', { href: `#/goals/${encodeURIComponent(goalId(c.goal))}` }, goalId(c.goal))),
    h('td', { class: 'num' }, c.fiscalYear),
    h('td', {}, departments(c.departments)),
    h('td', { class: 'nowrap' }, ratingBadge(c.previousRating), ' → ', ratingBadge(c.rating)),
    h('td', { class: 'actor' }, c.actor),
    h('td', {}, c.rationale, c.postCloseCorrection ? h('span', { class: 'tag' }, '締め後の訂正') : null),
    h('td', {}, c.reason || ''),
    h('td', { class: 'num' }, c.position)), tbody, pager);
  fill(main,
    h('h1', {}, '評価の変更履歴'),
    h('p', { class: 'muted' }, '自己評価が、いつ、だれによって、どう変わったかの記録です (古い順)。記録は変更も削除もできません。'),
    filters('/audit', params, [['department', '部局'], ['year', '年度', { type: 'number', size: 6 }],
      ['actor', '操作者'], ['from', '期間 (から)', { type: 'date' }], ['to', '期間 (まで)', { type: 'date' }]]),
    table(['日時', '目標', '年度', '部局', '評価', '操作者', '評価の理由', '変更の理由', 'ログ位置'], [], { id: 'rating-changes' }),
    pager);
  main.querySelector('#rating-changes').replaceChild(tbody, main.querySelector('#rating-changes tbody'));
}

export async function renderSecurity(main, params) {
  const tbody = h('tbody');
  const pager = h('div', { class: 'pager' });
  await paged('/v1/securityEvents', {
    principal: params.get('principal'), code: params.get('code'),
    startTime: dayStart(params.get('from')), endTime: dayStart(params.get('to'), true),
  }, 'securityEvents', (e) => h('tr', {},
    h('td', { class: 'time' }, jst(e.eventTime)),
    h('td', {}, e.principal || '(不明)'),
    h('td', {}, e.peer),
    h('td', {}, (e.method || '').split('/').pop()),
    h('td', {}, e.target || ''),
    h('td', {}, CODES[e.code] || e.code),
    h('td', {}, e.reason, Number(e.unrecordedBefore) ? h('span', { class: 'muted' }, ` (ほかに${e.unrecordedBefore}件)`) : null)),
  tbody, pager);
  fill(main,
    h('h1', {}, 'セキュリティログ'),
    h('p', { class: 'muted' }, '認証できなかった呼び出しと、権限のない操作の記録です。'),
    filters('/security', params, [['principal', '利用者'],
      ['code', '結果', { options: [['', 'すべて'], ['UNAUTHENTICATED', CODES.UNAUTHENTICATED], ['PERMISSION_DENIED', CODES.PERMISSION_DENIED]] }],
      ['from', '期間 (から)', { type: 'date' }], ['to', '期間 (まで)', { type: 'date' }]]),
    table(['日時', '利用者', '接続元', '操作', '対象', '結果', '理由'], [], { id: 'security-events' }),
    pager);
  main.querySelector('#security-events').replaceChild(tbody, main.querySelector('#security-events tbody'));
}
