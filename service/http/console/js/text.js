// Building the page (text only: nothing from the ledger becomes markup) and
// the Japanese words for the ledger's values.

// An element: h('a', {href: '#/x', class: 'y'}, 'text', child, ...). Attributes
// starting with "on" are listeners; children are nodes or text (null skipped).
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    // Through the CSSOM: the page's policy allows no inline style attribute.
    else if (key === 'style') Object.assign(element.style, value);
    else element.setAttribute(key, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

// Replaces what `element` holds with `children` (as h() takes them).
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

// Departments joined by ・, each kept on one line (a name never breaks;
// the line may break after a ・).
export function departments(names) {
  const out = h('span', { class: 'departments' });
  (names || []).forEach((name, i) => {
    if (i) out.append('・', document.createElement('wbr'));
    out.append(h('span', { class: 'department' }, name));
  });
  return out;
}

export const RATINGS = { RATING_A: 'A', RATING_B: 'B', RATING_C: 'C', RATING_D: 'D' };
export const ratingLetter = (rating) => RATINGS[rating] || '';
export function ratingBadge(rating) {
  const letter = ratingLetter(rating);
  return letter
    ? h('span', { class: `rating rating-${letter}`, title: `評価 ${letter}` }, letter)
    : h('span', { class: 'muted' }, '未評価');
}

export const FRAMEWORKS = {
  PLAN_FRAMEWORK_PRE_PLAN: '計画策定前', PLAN_FRAMEWORK_DX_PLAN: 'DX推進計画',
};
export const YEAR_STATES = {
  FISCAL_YEAR_STATE_OPEN: '進行中', FISCAL_YEAR_STATE_CLOSED: '締め済み',
};
export const RELATIONS = {
  LINEAGE_RELATION_CONTINUED: '継続', LINEAGE_RELATION_MERGED: '統合',
  LINEAGE_RELATION_SPLIT: '分割', LINEAGE_RELATION_REPLACED: '置換',
  LINEAGE_RELATION_DROPPED: '廃止',
};
export const TAGS = { TAG_DT: 'DT', TAG_DL: 'DL', TAG_DX: 'DX' };
export const DECISIONS = { CHANGE_DECISION_ACCEPTED: '承認', CHANGE_DECISION_REJECTED: '却下' };
export const ROLES = {
  ROLE_ADMIN: '管理者', ROLE_HQ: '本部', ROLE_EDITOR: '部局担当', ROLE_AUDITOR: '監査',
  ROLE_INTEGRATION: '連携',
};
export const CODES = { UNAUTHENTICATED: '認証できない', PERMISSION_DENIED: '権限がない' };

// 令和3年度 (2021) from a fiscal year.
export function yearName(year) {
  const reiwa = year - 2018;
  return reiwa >= 1 ? `令和${reiwa === 1 ? '元' : reiwa}年度 (${year})` : `${year}年度`;
}

const JST = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

// 2026/12/02 09:15:03 JST from an RFC 3339 time.
export function jst(time) {
  if (!time) return '';
  return `${JST.format(new Date(time))} JST`;
}

// "2026-12-02T09:15" or "...:03" read as Japan time (the as-of picker's
// value), as an RFC 3339 UTC time; '' when empty.
export function fromJstInput(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value || '');
  if (!m) return '';
  const [, y, mo, d, hh = '0', mm = '0', ss = '0'] = m;
  return new Date(Date.UTC(+y, +mo - 1, +d, +hh - 9, +mm, +ss)).toISOString();
}

// The picker's value (Japan time, to the second) for an RFC 3339 time.
export function toJstInput(time) {
  if (!time) return '';
  const shifted = new Date(new Date(time).getTime() + 9 * 3600 * 1000);
  return shifted.toISOString().slice(0, 19);
}

export const number = (value) => (value === undefined || value === null ? '' :
  Number(value).toLocaleString('ja-JP', { maximumFractionDigits: 4 }));

const quote = (text) => (text ? `「${text}」` : '');

// What an event did, in a sentence; `goal` names indicators and issues.
export function describe(event, goal) {
  const indicator = (id) => goal?.indicators?.find((i) => i.indicatorId === id)?.description || id;
  const issue = (id) => goal?.issues?.find((i) => i.issueId === id)?.text || id;
  const p = event;
  if (p.goalCreated) {
    const c = p.goalCreated;
    return `目標を登録${quote(c.title)} (${c.fiscalYear}年度、${(c.departments || []).join('・')})`;
  }
  if (p.goalRevised) {
    const r = p.goalRevised;
    const parts = [];
    if (r.title !== undefined) parts.push(`題名を${quote(r.title)}に`);
    if (r.departments) parts.push(`部局を${(r.departments.names || []).join('・')}に`);
    if (r.principal !== undefined) parts.push(r.principal ? '主要目標に' : '主要目標から外す');
    if (r.reportNumber !== undefined) parts.push(`報告No.を${r.reportNumber}に`);
    return `目標を修正: ${parts.join('、') || '変更なし'}`;
  }
  if (p.indicatorSet) {
    const s = p.indicatorSet;
    const target = s.targetValue !== undefined ? ` 目標値 ${number(s.targetValue)}${s.unit || ''}` : '';
    return `指標を設定${quote(s.description)}${target}`;
  }
  if (p.indicatorResultRecorded) {
    const r = p.indicatorResultRecorded;
    return `指標の実績を記録${quote(indicator(r.indicatorId))} 実績 ${number(r.actualValue)}` +
      (r.note ? ` (${r.note})` : '');
  }
  if (p.activityRecorded) {
    const a = p.activityRecorded;
    const tags = (a.tags || []).map((t) => TAGS[t]).filter(Boolean).join('・');
    return `取組を記録${quote(a.text)}${tags ? ` [${tags}]` : ''}`;
  }
  if (p.ratingSet) {
    const r = p.ratingSet;
    const from = ratingLetter(r.previousRating) || '未評価';
    const to = ratingLetter(r.rating) || '未評価';
    return `評価を変更 ${from} → ${to}${r.rationale ? ` 理由${quote(r.rationale)}` : ''}`;
  }
  if (p.issueAdded) return `課題を追加${quote(p.issueAdded.text)}`;
  if (p.issueResolved) {
    return `課題を解決${quote(issue(p.issueResolved.issueId))}` +
      (p.issueResolved.resolution ? ` 対応${quote(p.issueResolved.resolution)}` : '');
  }
  if (p.goalRetired) return `目標を廃止${p.goalRetired.reason ? ` (${p.goalRetired.reason})` : ''}`;
  if (p.goalCarriedOver) {
    const c = p.goalCarriedOver;
    return `次年度へ${RELATIONS[c.relation] || '引継ぎ'}: ${c.toGoal ? c.toGoal.split('/').pop() : '後継なし'}`;
  }
  if (p.changeProposed) return `変更を提案${quote(p.changeProposed.rationale)}`;
  if (p.changeDecided) {
    const d = p.changeDecided;
    return `提案を${DECISIONS[d.decision] || '決定'} (${[d.meeting, d.meetingDate].filter(Boolean).join(' ')})`;
  }
  if (p.fiscalYearNextStepsSet) return '今後の進め方を記録';
  if (p.fiscalYearOpened) return `${p.fiscalYearOpened.fiscalYear}年度を開始`;
  if (p.fiscalYearRolledOver) return `${p.fiscalYearRolledOver.fromYear}年度を締め、次年度へ`;
  return '記録';
}
