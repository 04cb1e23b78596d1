// Run: an editor with a sample job. As you type, the spec goes to the API's plan (a dry run that
// changes nothing); its errors appear at their field paths and lines, and the plan shows where each
// group would go and why what does not fit would not. Then run it and go to the job.
import { post, specType } from '../lib/api.js';
import { h, replace, debounce, section } from '../lib/dom.js';
import { lineOf } from '../lib/paths.js';
import { showError, navigate } from '../app.js';

export const SAMPLE = `# A batch job: each of its 3 instances prints its index and exits.
name: hello
type: batch
priority: 50
groups:
  - name: main
    count: 3
    tasks:
      - name: say
        image: busybox
        command: [sh, -c, "echo hello from berth; sleep 1"]
        resources:
          cpu: 100m
          memory: 32Mi
`;

const DRAFT_KEY = 'berth.run.draft';

export async function render(root) {
  document.title = 'Run a job · Berth';
  const editor = h('textarea', { id: 'spec-editor', class: 'editor', spellcheck: 'false', autocapitalize: 'off', rows: 22,
    testid: 'spec-editor', 'aria-describedby': 'spec-help spec-errors' });
  editor.value = sessionStorage.getItem(DRAFT_KEY) || SAMPLE;
  const gutter = h('pre', { class: 'gutter', 'aria-hidden': 'true' });
  const errors = h('ul', { id: 'spec-errors', class: 'errors', testid: 'spec-errors', 'aria-live': 'polite' });
  const planView = h('div', { testid: 'plan' });
  const status = h('p', { class: 'muted small', testid: 'plan-state', 'aria-live': 'polite' });
  const runButton = h('button', { type: 'submit', class: 'primary', testid: 'run-job' }, 'Run job');
  let generation = 0, lastErrors = [];

  const drawGutter = () => {
    const n = editor.value.split('\n').length;
    const bad = new Set(lastErrors.map(e => e.line).filter(Boolean));
    gutter.textContent = Array.from({ length: n }, (_, i) => (bad.has(i + 1) ? '▶' : ' ') + String(i + 1).padStart(3)).join('\n');
    gutter.scrollTop = editor.scrollTop;
  };
  editor.addEventListener('scroll', () => { gutter.scrollTop = editor.scrollTop; });

  const showErrors = (list) => {
    lastErrors = list.map(e => ({ ...e, line: lineOf(editor.value, e.path) }));
    editor.setAttribute('aria-invalid', String(list.length > 0));
    replace(errors, lastErrors.map(e => h('li', { testid: 'spec-error', dataset: { path: e.path || '', line: String(e.line || '') } },
      h('button', { type: 'button', class: 'link', title: 'Go to the line', onclick: () => goToLine(e.line) },
        h('code', { class: 'path' }, e.path || '(spec)'), e.line ? h('span', { class: 'muted' }, ` line ${e.line}`) : null),
      ' ', h('span', {}, e.message))));
    drawGutter();
  };

  const goToLine = (line) => {
    if (!line) { editor.focus(); return; }
    const lines = editor.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    editor.focus();
    editor.setSelectionRange(start, start + lines[line - 1].length);
  };

  const drawPlan = (plan) => {
    replace(planView,
      h('p', { testid: 'plan-summary' }, `${plan.placed} would be placed, ${plan.unplaced} would wait, on ${plan.nodesUsed} node${plan.nodesUsed === 1 ? '' : 's'}.`),
      h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, ['Group', 'Count', 'Nodes', 'Not placed', 'Why not'].map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, plan.groups.map(g => {
          const perNode = {};
          for (const n of g.nodes) perNode[n] = (perNode[n] || 0) + 1;
          return h('tr', { testid: 'plan-group', dataset: { group: g.group } },
            h('td', {}, g.group), h('td', {}, String(g.count)),
            h('td', {}, Object.entries(perNode).map(([n, c]) => `${n} × ${c}`).join(', ') || '–'),
            h('td', {}, String(g.unplaced)), h('td', { testid: 'plan-why' }, g.explain || ''));
        }))));
  };

  const check = async () => {
    const mine = ++generation;
    sessionStorage.setItem(DRAFT_KEY, editor.value);
    status.textContent = 'checking…';
    try {
      const plan = await post('/v1/jobs/plan', editor.value, { contentType: specType(editor.value) });
      if (mine !== generation) return;
      showErrors([]);
      drawPlan(plan);
      status.textContent = 'The spec is valid. Plan for the cluster as it is now:';
      runButton.disabled = false;
    } catch (e) {
      if (mine !== generation) return;
      if (e.status === 400 && e.errors.length) {
        showErrors(e.errors);
        replace(planView);
        status.textContent = `${e.errors.length} problem${e.errors.length === 1 ? '' : 's'} in the spec.`;
        runButton.disabled = true;
      } else {
        status.textContent = '';
        showErrors([{ path: '', message: e.message }]);
      }
    }
  };
  const later = debounce(check, 400);
  editor.addEventListener('input', () => { drawGutter(); later(); });
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && editor.dataset.tabIndents === 'on') {
      e.preventDefault();
      editor.setRangeText('  ', editor.selectionStart, editor.selectionEnd, 'end');
      later();
    }
    if (e.key === 'Escape') editor.dataset.tabIndents = 'off';
  });

  const submit = async (e) => {
    e.preventDefault();
    runButton.disabled = true;
    try {
      const made = await post('/v1/jobs', editor.value, { contentType: specType(editor.value) });
      sessionStorage.removeItem(DRAFT_KEY);
      navigate(`/ui/jobs/${encodeURIComponent(made.id)}`);
    } catch (err) {
      runButton.disabled = false;
      if (err.status === 400 && err.errors.length) showErrors(err.errors); else showError(err, 'The job was not submitted');
    }
  };

  replace(root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Run a job')),
    h('form', { class: 'run', onsubmit: submit, testid: 'run-form' },
      h('label', { for: 'spec-editor', class: 'strong' }, 'Job spec (YAML or JSON)'),
      h('p', { id: 'spec-help', class: 'muted small' }, 'Checked against the cluster as you type; nothing runs until you press Run job. ',
        'Tab moves focus; ', h('button', { type: 'button', class: 'link', onclick: () => { editor.dataset.tabIndents = 'on'; editor.focus(); } }, 'let Tab indent'),
        ' (Esc gives Tab back). ',
        h('button', { type: 'button', class: 'link', testid: 'spec-reset', onclick: () => { editor.value = SAMPLE; drawGutter(); check(); } }, 'Reset to the sample')),
      h('div', { class: 'editor-wrap' }, gutter, editor),
      errors,
      h('div', { class: 'actions' }, runButton, h('a', { href: '/ui/jobs', class: 'button' }, 'Cancel'))),
    section('Plan', status, planView));
  drawGutter();
  check();
  return () => later.cancel();
}
