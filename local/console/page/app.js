// The local console page's script: plain JavaScript, no build step. It talks to the
// local server's console endpoints (/_console/api/...) only; see local/console/console.ts.
'use strict';

const $ = (id) => document.getElementById(id);
const ITEMS_REFRESH_MS = 3000;

const state = {
  setup: undefined,
  /** The REST API method the page tests (the tutorial's POST /DynamoDBManager when there is one). */
  method: undefined,
  /** Page tokens of the items view: the first page's is undefined. */
  pageStarts: [undefined],
  refreshTimer: undefined,
};

async function api(path, body) {
  const response = await fetch(`/_console/api/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.message || `HTTP ${response.status}`);
  return answer;
}

function option(select, value, text) {
  const element = document.createElement('option');
  element.value = value;
  element.textContent = text;
  select.append(element);
}

async function start() {
  const setup = await api('setup');
  state.setup = setup;
  const methods = setup.api ? setup.api.methods : [];
  state.method = methods.find((m) => m.resourcePath === '/DynamoDBManager' && (m.httpMethod === 'POST' || m.httpMethod === 'ANY')) || methods.find((m) => m.functionName) || methods[0];
  $('stack-summary').textContent = `Stack ${setup.stackName}, region ${setup.region}` + (setup.api ? `, REST API ${setup.api.name} (id ${setup.api.id})` : ', no REST API');

  for (const event of setup.events) option($('event-select'), event.name, `${event.name}.json`);
  option($('event-select'), '', 'Custom (edit the JSON)');
  $('event-select').addEventListener('change', showEvent);
  $('event-body').addEventListener('input', () => {
    const chosen = setup.events.find((event) => event.name === $('event-select').value);
    if (chosen && chosen.body !== $('event-body').value) $('event-select').value = '';
  });
  $('event-body').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      $('send-form').requestSubmit();
    }
  });
  showEvent();

  const fn = (state.method && state.method.functionName) || setup.functions[0];
  if (state.method) {
    $('rest-label').textContent = `the REST API: ${state.method.httpMethod} ${state.method.resourcePath}, as the console's Test tab (stage test-invoke-stage)`;
  } else {
    document.querySelector('input[value="rest"]').disabled = true;
    document.querySelector('input[value="function"]').checked = true;
  }
  $('function-label').textContent = fn ? `the function ${fn} directly, as aws lambda invoke` : 'no function';
  for (const radio of document.querySelectorAll('input[name="target"]')) radio.addEventListener('change', showTargetHint);
  showTargetHint();
  $('send-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void send(fn);
  });

  for (const table of setup.tables) option($('table-select'), table.name, table.name);
  $('table-select').addEventListener('change', () => loadItems(true));
  $('refresh-button').addEventListener('click', () => loadItems(false));
  $('first-page').addEventListener('click', () => loadItems(true));
  $('next-page').addEventListener('click', () => {
    state.pageStarts.push(state.nextStart);
    void loadItems(false);
  });
  $('auto-refresh').addEventListener('change', scheduleRefresh);
  document.addEventListener('visibilitychange', scheduleRefresh);
  await loadItems(true);
}

function showEvent() {
  const chosen = state.setup.events.find((event) => event.name === $('event-select').value);
  if (chosen) $('event-body').value = chosen.body;
}

function target() {
  return document.querySelector('input[name="target"]:checked').value;
}

function showTargetHint() {
  $('target-hint').textContent =
    target() === 'rest'
      ? "Through API Gateway's pipeline: validation, templates, the integration and its responses; no authorization, API key or throttling, as in a console test."
      : "Lambda's Invoke: the function's result or error object, and its log's last 4 KB (--log-type Tail).";
}

async function send(fn) {
  const body = $('event-body').value;
  $('send-button').disabled = true;
  $('result-summary').textContent = 'Sending…';
  try {
    if (target() === 'rest') {
      const result = await api('test-invoke', { resourceId: state.method.resourceId, httpMethod: state.method.httpMethod, body });
      show(result.status, result.latency, result.body, result.headers, result.functionLog, result.log);
    } else {
      const result = await api('invoke', { functionName: fn, payload: body });
      show(result.status, result.durationMs, result.payload, result.headers, result.log, 'Not sent through API Gateway: the function was invoked directly.');
    }
  } catch (error) {
    $('result-summary').textContent = `Not sent: ${error.message}`;
  } finally {
    $('send-button').disabled = false;
  }
  await loadItems(false);
}

function show(status, durationMs, body, headers, functionLog, executionLog) {
  const ok = status >= 200 && status < 300 && !(headers && headers['X-Amz-Function-Error']);
  $('result-status').textContent = String(status);
  $('result-status').className = ok ? 'status-ok' : 'status-bad';
  $('result-duration').textContent = `${durationMs} ms`;
  $('result-body').textContent = body;
  $('result-headers').textContent = Object.entries(headers || {}).map(([name, value]) => `${name}: ${value}`).join('\n');
  $('function-log').textContent = functionLog || '(no function ran)';
  $('execution-log').textContent = executionLog;
  $('result-summary').textContent = `Status ${status} in ${durationMs} ms: ${body.length > 120 ? `${body.slice(0, 120)}…` : body}`;
}

async function loadItems(fromFirstPage) {
  clearTimeout(state.refreshTimer);
  if (fromFirstPage) state.pageStarts = [undefined];
  const table = $('table-select').value;
  if (!table) {
    $('items-status').textContent = 'The stack has no table.';
    return;
  }
  const start = state.pageStarts[state.pageStarts.length - 1];
  try {
    const page = await api(`items?table=${encodeURIComponent(table)}${start ? `&start=${encodeURIComponent(start)}` : ''}`);
    renderItems(state.setup.tables.find((t) => t.name === table), page);
    state.nextStart = page.next;
    $('next-page').disabled = !page.next;
    $('first-page').disabled = state.pageStarts.length === 1;
    const where = state.pageStarts.length === 1 ? '' : ` (page ${state.pageStarts.length})`;
    $('items-status').textContent = `${page.count} item${page.count === 1 ? '' : 's'}${where}${page.next ? ', more on the next page' : ''}; refreshed at ${new Date().toLocaleTimeString()}.`;
  } catch (error) {
    $('items-status').textContent = `Could not read the table: ${error.message}`;
  }
  scheduleRefresh();
}

function renderItems(table, page) {
  const keys = [table.hashKey, table.rangeKey].filter(Boolean);
  const head = $('items-head');
  head.replaceChildren(...[...keys, 'attributes'].map((name) => Object.assign(document.createElement('th'), { scope: 'col', textContent: name })));
  const rows = page.items.map((item) => {
    const row = document.createElement('tr');
    for (const key of keys) row.append(Object.assign(document.createElement('td'), { textContent: String(item[key]) }));
    const rest = Object.fromEntries(Object.entries(item).filter(([name]) => !keys.includes(name)));
    const cell = document.createElement('td');
    cell.append(Object.assign(document.createElement('code'), { textContent: JSON.stringify(rest) }));
    row.append(cell);
    return row;
  });
  if (rows.length === 0) {
    const empty = Object.assign(document.createElement('td'), { colSpan: keys.length + 1, textContent: 'No items.' });
    rows.push(Object.assign(document.createElement('tr'), {}));
    rows[0].append(empty);
  }
  $('items-body').replaceChildren(...rows);
}

function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  if ($('auto-refresh').checked && document.visibilityState === 'visible') state.refreshTimer = setTimeout(() => loadItems(false), ITEMS_REFRESH_MS);
}

start().catch((error) => {
  $('stack-summary').textContent = `The console could not load the stack: ${error.message}`;
});
