// register.js: the controlled-drug register.  One page per drug, strength
// and form, with its running balance; receipts, destructions, corrections
// and stock checks (each witnessed where the law asks); discrepancy cases;
// and links to the printable page and its CSV.

import { get, post, newIdempotencyKey } from '../api.js';
import {
  h, add, fill, clear, input, numberInput, select, textarea, witnessFields, witnessValue, formError, onSubmit, openDialog, str, num, int, compact, announce, fmtDay, fmtTime, fmtDateTime, addDays, ENTRY_LABEL,
} from '../ui.js';

const STOCK = ['pharmacist', 'cdao'];
/** Who sees the accountable officer's alerts (GET /alerts). */
export const ALERT_ROLES = ['cdao', 'auditor', 'manager', 'pharmacist'];
/** Items shown per alert list before "and N more". */
const ALERTS_SHOWN = 5;
const CHECK_ITEMS = [
  ['arithmetic', 'Arithmetic of the page checked'], ['recount', 'Stock recounted'],
  ['other_pages', 'Other pages checked for a misplaced entry'], ['charts_against_entries', 'Administration charts checked against entries'],
  ['staff_on_duty', 'Staff on duty asked'],
];

const pageName = (p) => `${p.drug[0].toUpperCase()}${p.drug.slice(1)} ${p.strength}`;
const fmtYearDay = (d) => `${fmtDay(d)} ${d.slice(0, 4)}`;

/** How many things the alerts list, all four kinds together. */
export function alertTotal(a) {
  return ['late_entries', 'stock_checks_overdue', 'open_discrepancies', 'licences_expiring']
    .reduce((n, k) => n + ((a && a[k]) || []).length, 0);
}

export function render(main, ctx, [pageParam]) {
  let stopped = false;
  let showAll = false;
  // The last 7 days by the server's clock, once it has said what day it is.
  let range = null;
  let chainHead = '';
  const body = h('div', null, h('p', null, 'Loading the register…'));
  add(main, body);

  async function load() {
    try {
      if (!range) {
        const today = await ctx.today();
        range = { from: addDays(today, -6), to: today };
      }
      const premises = await ctx.premises();
      const [pages, alerts] = await Promise.all([
        get(`/register/pages?premises_id=${premises}`).then((r) => r.pages || []),
        ctx.has(...ALERT_ROLES)
          ? get(`/alerts?premises_id=${premises}`).catch((e) => { if (e.status === 401) throw e; return { error: e.message }; })
          : null,
      ]);
      if (stopped) return;
      if (alerts && !alerts.error && ctx.alertCount) ctx.alertCount(alertTotal(alerts));
      const pageId = pageParam ? Number(pageParam) : null;
      let view = null;
      let discrepancies = [];
      let checks = [];
      chainHead = '';
      if (pageId) {
        [view, discrepancies, checks] = await Promise.all([
          get(`/register?premises_id=${premises}&page_id=${pageId}&from=${range.from}&to=${range.to}`),
          get('/discrepancies').then((r) => r.discrepancies || []),
          get(`/register/pages/${pageId}/stock-checks`).then((r) => { chainHead = r.chain_head || ''; return r.stock_checks || []; }),
        ]);
      }
      if (stopped) return;
      draw(premises, pages, alerts, pageId, view, discrepancies.filter((d) => d.page_id === pageId), checks);
    } catch (e) {
      if (e.status === 401 || stopped) return;
      fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message));
    }
  }

  function draw(premises, pages, alerts, pageId, view, cases, checks) {
    const page = view && (view.pages || []).find((p) => p.id === pageId);
    const summary = pages.find((p) => p.id === pageId);
    fill(body,
      h('div', { class: 'screen-head' }, h('h1', null, 'Controlled-drug register')),
      alertsPanel(alerts, pages),
      h('nav', { 'aria-label': 'Register pages' }, h('ul', { class: 'pages' }, pages.map((p) => h('li', null,
        h('a', { href: `#/register/${p.id}`, 'aria-current': p.id === pageId ? 'page' : null },
          h('span', { class: 'strength' }, pageName(p)),
          h('span', { class: 'balance' }, h('br'), `Balance: ${p.balance} ${p.unit || 'ampoules'}`),
          h('span', { class: 'muted' }, h('br'), `Last stock check: ${p.last_check_date ? fmtDay(p.last_check_date) : 'never'}`),
          p.stock_check_overdue ? h('span', null, h('br'), h('strong', null, 'Stock check overdue')) : null,
          p.open_discrepancies ? h('span', null, h('br'), h('strong', null, `${p.open_discrepancies} open discrepanc${p.open_discrepancies === 1 ? 'y' : 'ies'}`)) : null))))),
      page ? pageView(premises, page, summary, cases, checks) : h('p', null, pages.length ? 'Choose a page to see its entries.' : 'The register has no pages yet: record a receipt to open one.'),
      !page && ctx.has(...STOCK, 'nurse') ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => receipt(premises, null) }, 'Record a receipt')) : null);
  }

  /**
   * The accountable officer's alerts: late entries, overdue stock checks,
   * open discrepancy cases and prescribers' licences running out.  Each
   * list says how many it holds in words, not by colour alone.
   */
  function alertsPanel(alerts, pages) {
    if (!alerts) return null;
    const head = (extra) => h('h2', { id: 'alerts-title' }, 'Alerts', extra);
    if (alerts.error) {
      return h('section', { class: 'panel gov-alerts', 'aria-labelledby': 'alerts-title' },
        head(null), h('p', { class: 'form-error' }, `The alerts could not be read: ${alerts.error}`));
    }
    const byId = new Map(pages.map((p) => [p.id, p]));
    const name = (id) => (byId.has(id) ? pageName(byId.get(id)) : `Page ${id}`);
    const link = (id, text) => h('a', { href: `#/register/${id}` }, text);
    const total = alertTotal(alerts);
    return h('section', { class: 'panel gov-alerts', 'aria-labelledby': 'alerts-title', dataset: { total } },
      head(h('span', { class: 'alert-total' }, total ? `${total} to look at` : 'nothing to look at')),
      h('div', { class: 'alert-lists' },
        alertGroup('late', 'Late entries', alerts.late_entries, (e) => [
          link(e.page_id, `${name(e.page_id)}, entry ${e.id}`),
          `: ${(ENTRY_LABEL[e.kind] || e.kind).toLowerCase()} dated ${fmtDay(e.event_date)}, entered ${fmtDay(e.entered_date)} by ${e.made_by}`]),
        alertGroup('overdue', 'Stock checks overdue', alerts.stock_checks_overdue, (p) => [
          link(p.page_id, name(p.page_id)),
          `: last checked ${p.last_check_date ? fmtDay(p.last_check_date) : 'never'}`]),
        alertGroup('cases', 'Open discrepancies', alerts.open_discrepancies, (d) => [
          link(d.page_id, `Case ${d.id}, ${name(d.page_id)}`),
          `: ${d.difference > 0 ? '+' : ''}${d.difference} ampoule${Math.abs(d.difference) === 1 ? '' : 's'}, found ${fmtDateTime(d.opened_at)}`]),
        alertGroup('licences', 'Licences expiring', alerts.licences_expiring, (l) => [
          `${l.prescriber}, licence `, h('span', { class: 'nowrap' }, l.licence_number), ': ',
          l.is_expired ? h('strong', null, 'expired') : 'expires',
          ' ', h('time', { datetime: l.expires_on }, fmtYearDay(l.expires_on))])));
  }

  function alertGroup(key, title, list, line) {
    const items = list || [];
    const id = `alerts-${key}`;
    const shown = items.slice(0, ALERTS_SHOWN);
    return h('section', { class: items.length ? 'alert-group has-items' : 'alert-group', 'aria-labelledby': id, dataset: { alerts: key } },
      h('h3', { id }, title, ' ', h('span', { class: 'alert-count' }, `(${items.length})`)),
      items.length ? h('ul', null, shown.map((x) => h('li', null, line(x)))) : h('p', { class: 'muted' }, 'None'),
      items.length > shown.length ? h('p', { class: 'muted' }, `and ${items.length - shown.length} more`) : null);
  }

  function pageView(premises, page, summary, cases, checks) {
    const stock = ctx.has(...STOCK);
    const q = `premises_id=${premises}&page_id=${page.id}&from=${range.from}&to=${range.to}`;
    const rangeForm = h('form', { class: 'range', 'aria-label': 'Dates shown' },
      input('from', 'From', { type: 'date', value: range.from }),
      input('to', 'To', { type: 'date', value: range.to }),
      h('button', { type: 'submit' }, 'Show'),
      formError());
    onSubmit(rangeForm, async (f) => {
      range.from = str(f, 'from');
      range.to = str(f, 'to');
      await load();
    });
    const all = [...(page.entries || [])].reverse();
    const LIMIT = 40;
    const entries = showAll ? all : all.slice(0, LIMIT);
    const more = all.length > entries.length
      ? h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => { showAll = true; load(); } }, `Show all ${all.length} entries`))
      : null;
    return h('section', { class: 'panel', 'aria-labelledby': 'reg-page-title' },
      h('h2', { id: 'reg-page-title' }, page.heading),
      h('p', { class: 'balance' }, h('strong', null, `Balance now: ${summary ? summary.balance : page.balance} ${page.unit || 'ampoules'}`),
        ` · last stock check ${page.last_check_date ? fmtDay(page.last_check_date) : 'never'}`),
      h('div', { class: 'actions' },
        ctx.has(...STOCK, 'nurse') ? h('button', { type: 'button', class: 'primary', onclick: () => receipt(premises, page) }, 'Record a receipt') : null,
        ctx.has(...STOCK, 'nurse') ? h('button', { type: 'button', onclick: () => stockCheck(page) }, 'Stock check') : null,
        stock ? h('button', { type: 'button', onclick: () => destruction(page) }, 'Destruction') : null,
        stock ? h('button', { type: 'button', onclick: () => correction(page) }, 'Correction') : null,
        h('a', { class: 'button', href: `/api/v1/register?${q}&format=html`, target: '_blank', rel: 'noopener' }, 'Print view'),
        h('a', { class: 'button', href: `/api/v1/register?${q}&format=csv`, download: `register-page-${page.id}.csv` }, 'CSV')),
      stockCheckList(checks),
      h('h3', null, 'Entries'), rangeForm,
      entries.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'register' },
        h('caption', { class: 'muted' }, `${all.length} entries from ${fmtDay(range.from)} to ${fmtDay(range.to)}, newest first${entries.length < all.length ? `; the newest ${entries.length} shown` : ''}.`),
        h('thead', null, h('tr', null, ['#', 'Date', 'Entry', 'In', 'Out', 'Balance', 'From / to', 'Batch', 'Made by', 'Witness', 'Note']
          .map((t, i) => h('th', { scope: 'col', class: [3, 4, 5].includes(i) ? 'num' : null }, t)))),
        h('tbody', null, entries.map((e) => {
          const inward = e.kind === 'receipt' || e.kind === 'opening' || (e.kind === 'correction' && e.qty > 0);
          const qty = Math.abs(e.qty);
          return h('tr', { dataset: { entry: e.id, kind: e.kind } },
            h('td', null, e.id),
            h('td', null, fmtDay(e.event_date), h('div', { class: 'muted' }, fmtTime(e.entered_at)), e.is_late ? h('div', null, 'late entry') : null),
            h('td', null, ENTRY_LABEL[e.kind] || e.kind),
            h('td', { class: 'num' }, inward ? qty : ''),
            h('td', { class: 'num' }, inward ? '' : qty),
            h('td', { class: 'num' }, h('strong', null, e.balance_after)),
            h('td', null, e.supplier_name || e.patient_name || '', e.invoice_ref ? h('div', { class: 'muted' }, `Invoice ${e.invoice_ref}`) : null,
              e.prescriber_name ? h('div', { class: 'muted' }, `Rx ${e.prescriber_name}`) : null),
            h('td', null, e.batch || '', e.expiry_date ? h('div', { class: 'muted' }, `exp ${e.expiry_date}`) : null),
            h('td', null, e.made_by || ''),
            h('td', null, e.witness_name || '', e.witness_authority ? h('div', { class: 'muted' }, e.witness_authority) : null),
            h('td', null, e.reason || '', e.corrects_entry_id ? h('div', { class: 'muted' }, `corrects #${e.corrects_entry_id}`) : null));
        })))) : h('p', null, 'No entries in these dates.'),
      more,
      discrepancyList(page, cases, stock));
  }

  /** The page's last few stock checks, newest first. */
  function stockCheckList(checks) {
    const SHOWN = 5;
    const last = checks.slice(0, SHOWN);
    return h('section', { 'aria-labelledby': 'reg-checks' },
      h('h3', { id: 'reg-checks' }, 'Stock checks'),
      chainHead ? h('p', { class: 'muted chain-head' }, 'Audit chain head now: ', h('code', null, chainHead),
        '. Write it on the stock-check sheet: hatctl verify --since with it fails if the record is rewritten later.') : null,
      last.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'checks' },
        h('caption', { class: 'muted' }, checks.length > SHOWN ? `The last ${SHOWN} of ${checks.length} stock checks, newest first.` : 'Newest first.'),
        h('thead', null, h('tr', null, ['Date', 'Register said', 'Counted', 'Difference', 'Checked by', 'Second checker', 'Case']
          .map((t, i) => h('th', { scope: 'col', class: [1, 2, 3].includes(i) ? 'num' : null }, t)))),
        h('tbody', null, last.map((k) => h('tr', { dataset: { check: k.id }, class: k.difference ? 'is-off' : null },
          h('td', null, `${fmtDay(k.check_date)} ${k.check_date.slice(0, 4)}, ${fmtTime(k.checked_at)}`),
          h('td', { class: 'num' }, k.expected),
          h('td', { class: 'num' }, k.counted),
          h('td', { class: 'num' }, k.difference ? h('strong', null, `${k.difference > 0 ? '+' : ''}${k.difference}`) : 'matches'),
          h('td', null, k.checked_by),
          h('td', null, k.second_checker),
          h('td', null, k.discrepancy_id ? `Case ${k.discrepancy_id}` : '—'))))))
        : h('p', { class: 'muted' }, 'No stock checks on this page yet.'));
  }

  function discrepancyList(page, cases, stock) {
    return h('section', { 'aria-labelledby': 'reg-disc' },
      h('h3', { id: 'reg-disc' }, 'Discrepancies'),
      cases.length ? h('ul', null, cases.map((d) => h('li', { class: 'panel' },
        h('p', null, h('strong', null, `Case ${d.id}: ${d.difference > 0 ? '+' : ''}${d.difference} ampoules`), ` found ${fmtDateTime(d.opened_at)}; ${d.status}.`),
        (d.events || []).length ? h('ul', null, d.events.map((e) => h('li', null, `${fmtDateTime(e.recorded_at)}: ${e.kind.replace(/_/g, ' ')}${e.item ? ` (${e.item.replace(/_/g, ' ')})` : ''}${e.finding ? `: ${e.finding}` : ''}`))) : null,
        stock && d.status === 'open' ? h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => caseCheck(d) }, 'Record a check'),
          h('button', { type: 'button', onclick: () => caseResolve(d, page) }, 'Resolve with a correction'),
          h('button', { type: 'button', class: 'danger', onclick: () => caseEscalate(d) }, 'Escalate')) : null)))
        : h('p', { class: 'muted' }, 'No discrepancy cases on this page.'));
  }

  const NEW_PAGE_KINDS = {
    'diamorphine/powder_for_injection': { label: 'Diamorphine powder for injection (ampoules)' },
    'hydromorphone/solution_for_injection': { label: 'Hydromorphone solution for injection (ampoules)' },
    'methadone/oral_solution': { label: 'Methadone oral solution (mL)' },
    'morphine/modified_release_capsule': { label: 'Morphine slow-release capsules (capsules)' },
  };

  async function receipt(premises, page) {
    let suppliers = [];
    const today = await ctx.today();
    try { suppliers = (await get('/suppliers')).suppliers.filter((s) => s.is_active); } catch (e) { if (e.status === 401) return; }
    const key = newIdempotencyKey();
    openDialog({
      title: 'Record a receipt',
      intro: page ? page.heading : 'Controlled drugs received from a supplier.',
      fields: [
        // A new page: which drug and form (the oral ones are Schedule 2 too).
        page ? null : select('what', 'Drug and form', Object.entries(NEW_PAGE_KINDS).map(([k, v]) => [k, v.label]), { required: true, value: 'diamorphine/powder_for_injection' }),
        select('supplier_id', 'Supplier', suppliers.map((s) => [s.id, s.name]), { required: true, placeholder: suppliers.length ? 'Choose the supplier' : 'No suppliers on the list', value: suppliers.length === 1 ? suppliers[0].id : undefined }),
        h('div', { class: 'row' },
          numberInput('strength_mg', !page ? 'Strength per ampoule, mL or capsule (mg)' : page.unit === 'mL' ? 'Strength (mg per mL)' : page.unit === 'capsules' ? 'Strength per capsule (mg)' : 'Strength per ampoule (mg)', { required: true, min: 0, max: 10000, value: page ? page.strength_ug / 1000 : undefined }),
          numberInput('quantity', `Quantity (${page ? page.unit || 'ampoules' : 'ampoules, mL or capsules'})`, { required: true, min: 1, max: 100000, step: '1', inputmode: 'numeric' })),
        h('div', { class: 'row' },
          input('batch', 'Batch', { required: true, maxlength: 64 }),
          input('expiry_date', 'Expiry date', { type: 'date', required: true })),
        h('div', { class: 'row' },
          input('invoice_ref', 'Invoice reference', { required: true, maxlength: 100 }),
          input('received_date', 'Date received', { type: 'date', value: today, optional: true })),
        witnessFields('A second member of staff (pharmacist, nurse, prescriber or CDAO)'),
      ],
      submitLabel: 'Record receipt',
      submit: (f) => post('/register/receipts', compact({
        premises_id: premises, supplier_id: int(f, 'supplier_id'), drug: page ? page.drug : str(f, 'what').split('/')[0],
        strength_mg: num(f, 'strength_mg'), form: page ? page.form : str(f, 'what').split('/')[1], quantity: int(f, 'quantity'),
        batch: str(f, 'batch'), expiry_date: str(f, 'expiry_date'), invoice_ref: str(f, 'invoice_ref'),
        received_date: str(f, 'received_date'), witness: witnessValue(f),
      }), { idempotencyKey: key }),
      fieldMap: { 'witness.username': 'witness_username', 'witness.password': 'witness_password', 'witness.pin': 'witness_password' },
      done: () => { announce('Receipt recorded in the register.'); load(); },
    });
  }

  function stockCheck(page) {
    openDialog({
      title: 'Stock check',
      intro: `${page.heading}. Count the ampoules on the shelf; the register's balance is compared with your count.`,
      fields: [numberInput('counted', 'Ampoules counted', { required: true, min: 0, max: 1000000, step: '1', inputmode: 'numeric' }), witnessFields('A second member of staff')],
      submitLabel: 'Record stock check',
      submit: (f) => post(`/register/pages/${page.id}/stock-checks`, { counted: int(f, 'counted'), witness: witnessValue(f) }),
      fieldMap: { 'witness.username': 'witness_username', 'witness.password': 'witness_password', 'witness.pin': 'witness_password' },
      done: (r) => {
        const diff = r && (r.difference ?? (r.counted - r.expected));
        announce(diff ? `Stock check recorded: the count differs from the register by ${diff}. A discrepancy case is open.` : 'Stock check recorded: the count matches the register.');
        load();
      },
    });
  }

  async function destruction(page) {
    let lots;
    try {
      lots = (await get(`/register/pages/${page.id}/lots`)).lots || [];
    } catch (e) {
      if (e.status === 401) return;
      announce(`The lots could not be read: ${e.message}`);
      return;
    }
    // Only lots with ampoules left; the expired (quarantined) ones first.
    const left = lots.filter((l) => l.ampoules > 0)
      .sort((a, b) => (b.is_expired - a.is_expired) || a.expiry_date.localeCompare(b.expiry_date) || a.id - b.id);
    // What matters most comes first: a closed select shows only the start.
    const label = (l) => `Batch ${l.batch}${l.is_expired ? ' — expired — quarantined' : ''}: ${l.ampoules} ampoule${l.ampoules === 1 ? '' : 's'}, expiry ${l.expiry_date}`;
    const expired = left.filter((l) => l.is_expired);
    openDialog({
      title: 'Record a destruction',
      intro: `${page.heading}. Expired or unusable stock destroyed in front of an authorised witness.`,
      fields: [
        left.length
          ? select('lot_id', 'Lot', left.map((l) => [l.id, label(l)]), {
            required: true, placeholder: 'Choose the lot', value: expired.length === 1 ? expired[0].id : undefined,
            hint: expired.length ? `${expired.length} expired lot${expired.length === 1 ? ' is' : 's are'} quarantined: listed first.` : 'No lot on this page has expired.',
          })
          : h('p', { class: 'notice' }, 'No lot on this page has ampoules left to destroy.'),
        numberInput('quantity', 'Ampoules destroyed', { required: true, min: 1, step: '1', inputmode: 'numeric' }),
        textarea('reason', 'Reason', { required: true, rows: 2 }),
        input('witness_authority', 'Authorised witness (name and authority)', { required: true, maxlength: 200 }),
        witnessFields('The member of staff witnessing'),
      ],
      submitLabel: 'Record destruction',
      danger: true,
      submit: (f) => post(`/register/pages/${page.id}/destructions`, {
        lot_id: int(f, 'lot_id'), quantity: int(f, 'quantity'), reason: str(f, 'reason'),
        witness_authority: str(f, 'witness_authority'), witness: witnessValue(f),
      }),
      fieldMap: { 'witness.username': 'witness_username', 'witness.password': 'witness_password', 'witness.pin': 'witness_password' },
      done: (r) => { announce(`Destruction recorded: the balance is now ${r && r.balance_after !== undefined ? r.balance_after : 'updated'}.`); load(); },
    });
  }

  function correction(page) {
    openDialog({
      title: 'Record a correction',
      intro: 'A correction is a new entry that points at the one it corrects; nothing is crossed out.',
      fields: [
        numberInput('corrects_entry_id', 'Entry to correct (its # number)', { required: true, step: '1', inputmode: 'numeric' }),
        numberInput('quantity', 'Change to the balance (ampoules, minus for fewer)', { required: true, step: '1' }),
        textarea('reason', 'Reason', { required: true, rows: 2 }),
      ],
      submitLabel: 'Record correction',
      submit: (f) => post(`/register/pages/${page.id}/corrections`, { corrects_entry_id: int(f, 'corrects_entry_id'), quantity: int(f, 'quantity'), reason: str(f, 'reason') }),
      done: () => { announce('Correction recorded.'); load(); },
    });
  }

  function caseCheck(d) {
    openDialog({
      title: `Discrepancy case ${d.id}: record a check`,
      fields: [select('item', 'What was checked', CHECK_ITEMS, { required: true, placeholder: 'Choose one' }), textarea('finding', 'Finding', { required: true })],
      submitLabel: 'Record check',
      submit: (f) => post(`/discrepancies/${d.id}/checks`, { item: str(f, 'item'), finding: str(f, 'finding') }),
      done: () => { announce('Check recorded.'); load(); },
    });
  }

  function caseResolve(d) {
    openDialog({
      title: `Discrepancy case ${d.id}: resolve`,
      intro: 'Resolving writes a correction to the register.',
      fields: [
        numberInput('corrects_entry_id', 'Entry to correct (its # number)', { required: true, step: '1' }),
        numberInput('quantity', 'Change to the balance (ampoules)', { required: true, step: '1', value: -d.difference || undefined }),
        textarea('reason', 'Reason', { required: true }),
      ],
      submitLabel: 'Resolve',
      submit: (f) => post(`/discrepancies/${d.id}/resolve`, { corrects_entry_id: int(f, 'corrects_entry_id'), quantity: int(f, 'quantity'), reason: str(f, 'reason') }),
      done: () => { announce('Discrepancy resolved.'); load(); },
    });
  }

  function caseEscalate(d) {
    openDialog({
      title: `Discrepancy case ${d.id}: escalate`,
      intro: 'Escalating opens an incident for the CD accountable officer.',
      fields: [textarea('description', 'What is unexplained', { required: true })],
      submitLabel: 'Escalate',
      danger: true,
      submit: (f) => post(`/discrepancies/${d.id}/escalate`, { description: str(f, 'description') }),
      done: () => { announce('Escalated to the CD accountable officer.'); load(); },
    });
  }

  load();
  return () => { stopped = true; };
}
