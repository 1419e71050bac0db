// The editor's forms on a goal page. Each is sent with the goal's version
// as the form was opened (expectedVersion): if someone else changed the
// goal meanwhile, nothing is written and the form says what changed.
import { api, hasRole, principal, requestId } from './api.js';
import { describe, h, jst } from './text.js';
import { explain, say } from './ui.js';

let serial = 0;

function field(label, control) {
  control.id = control.id || `field-${++serial}`;
  return h('label', { for: control.id }, label, control);
}

// Whether the signed-in principal may edit `goal`: an editor of one of its
// departments (the server decides; this only hides forms it would refuse).
export function mayEdit(goal) {
  const mine = principal()?.departments || [];
  return hasRole('ROLE_EDITOR') && !goal.retired &&
    (goal.departments || []).some((d) => mine.includes(d));
}

// One form: `build` returns its fields and a function giving the request
// body; `verb` is the route's custom verb, e.g. setRating.
function editForm(title, verb, ctx, build, done) {
  let base = ctx.goal.version;
  const { fields, body } = build();
  const problem = h('div', { role: 'alert' });
  const submit = h('button', { type: 'submit' }, '保存');
  const form = h('form', { class: 'edit', 'data-verb': verb, oninput: () => form.setAttribute('data-dirty', '') },
    h('h3', {}, title), fields, submit, problem);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    submit.disabled = true;
    try {
      await api('POST', `${ctx.path}:${verb}`, {
        body: { ...body(), expectedVersion: String(base), requestId: requestId() },
      });
      form.removeAttribute('data-dirty');
      say(done);
      await ctx.refresh();
    } catch (error) {
      if (error.httpStatus === 409) await conflict();
      else problem.replaceChildren(h('p', { class: 'error-text' }, explain(error)));
    } finally {
      submit.disabled = false;
    }
  });
  // Someone else's change came first: show it, keep what was typed, and
  // let the editor send it again against the goal as it is now.
  async function conflict() {
    await ctx.refresh({ keepForms: true });
    const newer = ctx.events().filter((e) => Number(e.version) > Number(base));
    const current = newer.length ? newer[newer.length - 1].version : base;
    problem.replaceChildren(h('div', { class: 'conflict', id: 'conflict' },
      h('h3', {}, 'ほかの人がこの目標を変更しました'),
      h('p', {}, 'あなたの変更はまだ保存されていません (上書きはしていません)。先に記録された変更は次のとおりです:'),
      h('ul', {}, newer.map((e) => h('li', {}, `${jst(e.recordTime)} ${e.actor}: ${describe(e, ctx.goal)}`))),
      h('p', {}, '内容を確かめて、必要ならもう一度「保存」を押してください。'),
      h('button', { type: 'button', class: 'secondary', onclick: () => {
        base = current;
        problem.replaceChildren(h('p', {}, `版 ${current} を確認しました。保存できます。`));
        submit.focus();
      } }, '確認した')));
  }
  return form;
}

const required = (element) => { element.required = true; return element; };

function ratingForm(ctx) {
  return editForm('自己評価を変更', 'setRating', ctx, () => {
    const rating = required(h('select', { name: 'rating' }, h('option', { value: '' }, '選んでください'),
      ['A', 'B', 'C', 'D'].map((r) => h('option', { value: `RATING_${r}` }, r))));
    const rationale = required(h('textarea', { name: 'rationale', rows: 3 }));
    return { fields: [field('評価', rating), field('評価の理由', rationale)],
      body: () => ({ rating: rating.value, rationale: rationale.value.trim() }) };
  }, '評価を保存しました。');
}

function resultForm(ctx) {
  return editForm('指標の実績を記録', 'recordIndicatorResult', ctx, () => {
    const indicator = required(h('select', { name: 'indicator' }, (ctx.goal.indicators || []).map((i) =>
      h('option', { value: i.indicatorId }, `${i.description}${i.unit ? ` (${i.unit})` : ''}`))));
    const value = required(h('input', { type: 'number', name: 'actual', step: 'any' }));
    const note = h('input', { type: 'text', name: 'note' });
    return { fields: [field('指標', indicator), field('実績値', value), field('説明 (任意)', note)],
      body: () => ({ indicatorId: indicator.value, actualValue: Number(value.value), note: note.value.trim() }) };
  }, '実績を記録しました。');
}

function issueForm(ctx) {
  return editForm('課題を追加', 'addIssue', ctx, () => {
    const text = required(h('textarea', { name: 'issue', rows: 2 }));
    return { fields: [field('課題', text)], body: () => ({ text: text.value.trim() }) };
  }, '課題を追加しました。');
}

function resolveForm(ctx) {
  return editForm('課題を解決', 'resolveIssue', ctx, () => {
    const issue = required(h('select', { name: 'issue' }, (ctx.goal.issues || []).filter((i) => !i.resolved)
      .map((i) => h('option', { value: i.issueId }, i.text))));
    const resolution = required(h('textarea', { name: 'resolution', rows: 2 }));
    return { fields: [field('課題', issue), field('対応', resolution)],
      body: () => ({ issueId: issue.value, resolution: resolution.value.trim() }) };
  }, '課題を解決済みにしました。');
}

function activityForm(ctx) {
  return editForm('取組を追加', 'recordActivity', ctx, () => {
    const text = required(h('textarea', { name: 'activity', rows: 2 }));
    const boxes = ['DT', 'DL', 'DX'].map((t) => h('input', { type: 'checkbox', name: 'tag', value: `TAG_${t}`, id: `tag-${t}-${++serial}` }));
    const tags = h('fieldset', {}, h('legend', {}, 'DX の区分 (任意)'),
      boxes.map((box) => h('label', { for: box.id }, box, box.value.slice(4))));
    return { fields: [field('取組の内容', text), tags],
      body: () => ({ text: text.value.trim(), tags: boxes.filter((b) => b.checked).map((b) => b.value) }) };
  }, '取組を追加しました。');
}

// The section of forms for `goal`, or nothing for a reader.
export function editSection(goal, { path, events, refresh }) {
  if (!mayEdit(goal)) return '';
  const ctx = { goal, path, events, refresh };
  const forms = [ratingForm(ctx), issueForm(ctx), activityForm(ctx)];
  if ((goal.indicators || []).length) forms.splice(1, 0, resultForm(ctx));
  if ((goal.issues || []).some((i) => !i.resolved)) forms.push(resolveForm(ctx));
  return h('section', { class: 'edit-section', 'aria-labelledby': 'edit-heading' },
    h('h2', { id: 'edit-heading' }, '記録する (担当部局)'),
    h('div', { class: 'edit-forms' }, forms));
}
