// Lineage across years as a graph (continued, merged, split, replaced,
// dropped), and the year-over-year table and chart.
import { goalId } from './api.js';
import { FRAMEWORKS, RELATIONS, h, number, ratingBadge, ratingLetter, yearName } from './text.js';
import { table } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  for (const child of children.flat()) if (child !== null) element.append(child);
  return element;
}

const BOX = { width: 250, height: 58, column: 340, row: 78, top: 30 };
const clip = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

export function lineageSection(goal, lineage) {
  const goals = lineage.goals || [];
  const edges = lineage.edges || [];
  const years = [...new Set(goals.map((g) => g.fiscalYear))].sort((a, b) => a - b);
  const place = new Map();
  const perYear = new Map(years.map((y) => [y, 0]));
  for (const g of goals) {
    const column = years.indexOf(g.fiscalYear);
    const row = perYear.get(g.fiscalYear);
    perYear.set(g.fiscalYear, row + 1);
    place.set(g.name, { x: 10 + column * BOX.column, y: BOX.top + row * BOX.row });
  }
  const rows = Math.max(1, ...perYear.values());
  const width = 20 + Math.max(1, years.length) * BOX.column;
  const height = BOX.top + rows * BOX.row + 10;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', id: 'lineage-graph',
    'aria-labelledby': 'lineage-heading lineage-desc' },
  s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto' },
    s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#5b6470' }))),
  years.map((y, i) => s('text', { x: 10 + i * BOX.column, y: 18, 'font-weight': 'bold', 'font-size': 14 }, yearName(y))));
  for (const edge of edges) {
    const from = place.get(edge.fromGoal);
    const label = RELATIONS[edge.relation] || '';
    if (!from) continue;
    const to = place.get(edge.toGoal);
    const x1 = from.x + BOX.width;
    const y1 = from.y + BOX.height / 2;
    if (!to) {
      svg.append(s('text', { x: x1 + 8, y: y1 + 4, 'font-size': 13, fill: '#a4161a' }, label || '後継なし'));
      continue;
    }
    const x2 = to.x;
    const y2 = to.y + BOX.height / 2;
    svg.append(s('line', { x1, y1, x2, y2, stroke: '#5b6470', 'stroke-width': 1.5, 'marker-end': 'url(#arrow)' }),
      s('text', { x: (x1 + x2) / 2 - 14, y: (y1 + y2) / 2 - 6, 'font-size': 13, class: 'relation' }, label));
  }
  for (const g of goals) {
    const { x, y } = place.get(g.name);
    const here = g.name === goal.name;
    const letter = ratingLetter(g.rating);
    svg.append(s('a', { href: `#/goals/${encodeURIComponent(goalId(g.name))}` },
      s('title', {}, `${g.title} (${g.fiscalYear}年度${letter ? ` 評価${letter}` : ''})`),
      s('rect', { x, y, width: BOX.width, height: BOX.height, rx: 6, fill: here ? '#e6f0fa' : '#fff',
        stroke: here ? '#0b57a4' : '#8a94a0', 'stroke-width': here ? 2.5 : 1 }),
      s('text', { x: x + 8, y: y + 22, 'font-size': 13 }, clip(g.title, 17)),
      s('text', { x: x + 8, y: y + 44, 'font-size': 12, fill: '#5b6470' },
        `${(g.departments || []).join('・').slice(0, 14)}${letter ? `  評価 ${letter}` : ''}`)));
  }
  const description = edges.map((e) => {
    const from = goals.find((g) => g.name === e.fromGoal);
    const to = goals.find((g) => g.name === e.toGoal);
    return `${from ? `${from.fiscalYear}年度「${from.title}」` : e.fromGoal} → ${RELATIONS[e.relation] || ''} → ${to ? `${to.fiscalYear}年度「${to.title}」` : '後継なし'}`;
  });
  return h('section', { 'aria-labelledby': 'lineage-heading' },
    h('h2', { id: 'lineage-heading' }, '年度をまたぐ系譜'),
    goals.length > 1 ? h('div', { class: 'scroll' }, svg) : h('p', { class: 'muted' }, 'ほかの年度の目標とのつながりはありません。'),
    h('ul', { id: 'lineage-desc' }, description.map((text) => h('li', {}, text))));
}

const SCORE = { RATING_A: 4, RATING_B: 3, RATING_C: 2, RATING_D: 1 };

export function yearOverYearSection(goal, reply) {
  const rows = reply.rows || [];
  if (rows.length < 2) {
    return h('section', { 'aria-labelledby': 'yoy-heading' }, h('h2', { id: 'yoy-heading' }, '年度比較'),
      h('p', { class: 'muted' }, '比較できるほかの年度はありません。'));
  }
  const tableRows = rows.flatMap((row) => (row.goals || []).map((g) => h('tr', {},
    h('th', { scope: 'row' }, yearName(row.fiscalYear)),
    h('td', {}, FRAMEWORKS[row.planFramework] || ''),
    h('td', {}, h('a', { href: `#/goals/${encodeURIComponent(goalId(g.name))}` }, g.title)),
    h('td', {}, ratingBadge(g.rating)),
    h('td', {}, (g.indicators || []).map((i) => h('div', {}, `${i.description}: ${i.actualValue !== undefined ? number(i.actualValue) : '—'}` +
      ` / ${i.targetValue !== undefined ? number(i.targetValue) : '—'}${i.unit || ''}`))))));
  // The chart: each year's best rating of the lineage (A=4 ... D=1).
  const W = 90;
  const chart = s('svg', { viewBox: `0 0 ${rows.length * W + 40} 150`, width: rows.length * W + 40, height: 150,
    role: 'img', 'aria-label': '年度ごとの自己評価', id: 'yoy-chart' },
  [4, 3, 2, 1].map((v) => s('line', { x1: 24, x2: rows.length * W + 30, y1: 130 - v * 25, y2: 130 - v * 25, stroke: '#e3e7ec' })),
  [4, 3, 2, 1].map((v) => s('text', { x: 4, y: 130 - v * 25 + 4, 'font-size': 12 }, ['', 'D', 'C', 'B', 'A'][v])),
  rows.map((row, i) => {
    const score = Math.max(0, ...(row.goals || []).map((g) => SCORE[g.rating] || 0));
    const x = 30 + i * W;
    return s('g', {},
      s('rect', { x, y: 130 - score * 25, width: W - 30, height: score * 25, fill: score ? '#2f6fb0' : '#dde3ea' }),
      s('text', { x: x + 4, y: 124 - score * 25, 'font-size': 13, 'font-weight': 'bold' },
        score ? ['', 'D', 'C', 'B', 'A'][score] : '未評価'),
      s('text', { x, y: 146, 'font-size': 12 }, `${row.fiscalYear}年度`));
  }));
  return h('section', { 'aria-labelledby': 'yoy-heading' },
    h('h2', { id: 'yoy-heading' }, '年度比較'),
    table(['年度', '枠組み', '目標', '評価', '指標 (実績 / 目標値)'], tableRows, { id: 'year-over-year' }),
    chart);
}
