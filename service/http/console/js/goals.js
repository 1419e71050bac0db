// 目標: the goal list, filtered by year, department, rating and principal
// flag, searched by title (all on the server: ListGoals), a page at a time.
import { api, orgPath, goalId, principal } from './api.js';
import { departments, fill, h, ratingBadge, yearName } from './text.js';
import { exportLinks, go } from './ui.js';

const PAGE = 100;

// The years to choose from come from the rating summary, which counts every
// goal: it is asked for beside the list, not before it, so that the list
// takes as long with a million events as with the seed.
function yearChoices(select, chosen) {
  const option = (y) => h('option', { value: y, selected: String(y) === chosen }, yearName(y));
  select.append(h('option', { value: '' }, 'すべての年度'));
  if (chosen) select.append(option(chosen));
  api('GET', `${orgPath()}/ratingSummary`).then((summary) => {
    for (const { fiscalYear } of summary.years || []) {
      if (String(fiscalYear) !== chosen) select.append(option(fiscalYear));
    }
    const options = [...select.options].slice(1).sort((a, b) => a.value - b.value);
    select.append(...options);
  }).catch(() => {});
}

function filtersForm(params, choices) {
  const field = (label, control) => h('label', {}, label, control);
  const year = h('select', { name: 'year', id: 'filter-year' });
  yearChoices(year, params.get('year') || '');
  const department = h('input', { name: 'department', id: 'filter-department', list: 'departments',
    value: params.get('department') || '', size: 14 });
  const rating = h('select', { name: 'rating', id: 'filter-rating' },
    [['', 'すべて'], ['RATING_A', 'A'], ['RATING_B', 'B'], ['RATING_C', 'C'], ['RATING_D', 'D'],
      ['RATING_UNSPECIFIED', '未評価']].map(([value, label]) =>
      h('option', { value, selected: value === (params.get('rating') || '') }, label)));
  const principalOnly = h('input', { type: 'checkbox', name: 'principal', id: 'filter-principal',
    checked: params.get('principal') === 'true' });
  const search = h('input', { type: 'search', name: 'q', id: 'filter-q', value: params.get('q') || '', size: 20 });
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (event) => {
    event.preventDefault();
    go('/goals', { year: year.value, department: department.value.trim(), rating: rating.value,
      principal: principalOnly.checked ? 'true' : '', q: search.value.trim() });
  } },
  field('年度', year), field('部局', department),
  h('datalist', { id: 'departments' }, choices.map((d) => h('option', { value: d }))),
  field('評価', rating),
  h('label', { class: 'check' }, principalOnly, '主要目標のみ'),
  field('題名で検索', search),
  h('button', { type: 'submit' }, '絞り込む'));
  return form;
}

function goalRow(goal) {
  const id = goalId(goal.name);
  return h('tr', {},
    h('td', { class: 'num' }, goal.reportNumber || ''),
    h('td', {}, h('a', { href: `#/goals/${encodeURIComponent(id)}` }, goal.title),
      goal.principal ? h('span', { class: 'tag' }, `主要${goal.principalNumber || ''}`) : null),
    h('td', {}, departments(goal.departments)),
    h('td', { class: 'nowrap' }, goal.fiscalYear),
    h('td', {}, ratingBadge(goal.rating)),
    h('td', { class: 'num' }, (goal.issues || []).filter((i) => !i.resolved).length));
}

export async function renderGoals(main, params) {
  const query = {
    fiscalYear: params.get('year') || undefined,
    department: params.get('department') || undefined,
    rating: params.get('rating') || undefined,
    principal: params.get('principal') === 'true' ? 'true' : undefined,
    titleContains: params.get('q') || undefined,
    pageSize: PAGE,
  };
  const body = h('tbody');
  const count = h('p', { class: 'muted', id: 'goal-count' });
  const pager = h('div', { class: 'pager' });
  const known = new Set(principal()?.departments || []);
  const shown = { n: 0 };
  const load = async (pageToken) => {
    const page = await api('GET', `${orgPath()}/goals`, { query: { ...query, pageToken } });
    for (const goal of page.goals || []) {
      body.append(goalRow(goal));
      (goal.departments || []).forEach((d) => known.add(d));
    }
    shown.n += (page.goals || []).length;
    count.textContent = `${shown.n}件${page.nextPageToken ? '以上' : ''}`;
    pager.replaceChildren(page.nextPageToken
      ? h('button', { type: 'button', class: 'secondary', onclick: () => load(page.nextPageToken) }, `次の${PAGE}件`)
      : '');
    return page;
  };
  await load();
  const results = h('table', { id: 'goals' },
    h('thead', {}, h('tr', {}, ['No.', '題名', '部局', '年度', '評価', '未解決の課題'].map((t) => h('th', { scope: 'col' }, t)))),
    body);
  fill(main,
    h('h1', {}, '目標'),
    filtersForm(params, [...known].sort()),
    params.get('year') ? exportLinks(params.get('year')) : null,
    count, body.children.length ? results : h('p', {}, '条件に合う目標はありません。'), pager);
}
