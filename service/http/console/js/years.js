// 年度: each fiscal year with its framework, state and rating counts.
import { api, orgPath } from './api.js';
import { fill, FRAMEWORKS, h, YEAR_STATES, yearName } from './text.js';
import { exportLinks, table } from './ui.js';

export async function renderYears(main) {
  const summary = await api('GET', `${orgPath()}/ratingSummary`);
  const years = summary.years || [];
  const details = await Promise.all(years.map((y) =>
    api('GET', `${orgPath()}/fiscalYears/${y.fiscalYear}`).then((r) => r.fiscalYear)));
  const change = (n) => (n === undefined || n === 0 ? '' : ` (${n > 0 ? '+' : ''}${n})`);
  const rows = years.map((y, i) => {
    const year = details[i] || {};
    const c = y.counts || {};
    const d = y.change || {};
    const total = ['a', 'b', 'c', 'd', 'unrated'].reduce((sum, k) => sum + (c[k] || 0), 0);
    return h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: `#/goals?year=${y.fiscalYear}` }, yearName(y.fiscalYear))),
      h('td', {}, FRAMEWORKS[year.planFramework] || '—'),
      h('td', {}, YEAR_STATES[year.state] || '—'),
      ['a', 'b', 'c', 'd', 'unrated'].map((k) => h('td', { class: 'num' }, `${c[k] || 0}${change(d[k])}`)),
      h('td', { class: 'num' }, total),
      h('td', {}, exportLinks(y.fiscalYear)));
  });
  fill(main,
    h('h1', {}, '年度'),
    h('p', { class: 'muted' }, '年度ごとの枠組み、状態、自己評価の件数 (括弧内は前年度との差) です。年度を選ぶと目標の一覧を開きます。'),
    years.length ? table(['年度', '枠組み', '状態', 'A', 'B', 'C', 'D', '未評価', '目標数', '報告の出力'], rows, { id: 'years' })
      : h('p', {}, 'まだ目標がありません。'),
    details.filter((y) => y?.nextSteps).map((y) => h('section', {},
      h('h2', {}, `${yearName(y.fiscalYear)} 今後の進め方`), h('p', { class: 'note' }, y.nextSteps))));
}
